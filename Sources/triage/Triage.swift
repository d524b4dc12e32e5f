import ArgumentParser

/// The `triage` command line: the gateway and its tools.
@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "A self-hosted LLM gateway that sends each call to the cheapest model tier that can do it well.",
        subcommands: [Serve.self, Report.self]
    )
}
