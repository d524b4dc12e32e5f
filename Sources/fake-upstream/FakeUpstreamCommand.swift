import ArgumentParser
import TriageFakeUpstream

/// `fake-upstream`: the fake OpenAI server as a process, for load tests.
@main
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake-upstream", abstract: "A fake OpenAI chat completions server for load tests.")

    @Option var host = "127.0.0.1"
    @Option var port = 9100
    @Option(help: "The reply text; streamed replies send one chunk per word.")
    var reply = "Hello from the fake upstream."

    func run() async throws {
        let fake = FakeOpenAIUpstream(defaultBehavior: .text(reply), recordRequests: false)
        try await fake.runForever(host: host, port: port)
    }
}
