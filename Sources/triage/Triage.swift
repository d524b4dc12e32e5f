import ArgumentParser
import NIOCore
import NIOPosix

/// The `triage` command line: the gateway and its tools.
@main
struct Triage: AsyncParsableCommand {
    /// Runs Swift concurrency on NIO's event loops before anything async starts: request
    /// handlers, the upstream client and the server then share threads instead of hopping
    /// between the event loops and the global executor on every request.
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "A self-hosted LLM gateway that sends each call to the cheapest model tier that can do it well.",
        subcommands: [Serve.self, Report.self, Train.self, Score.self, Eval.self, Recalibrate.self, Policy.self]
    )
}
