import ArgumentParser
import TriageFakeUpstream

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fake-upstream`: the fake OpenAI server as a process, for load tests and manual checks. It
/// answers every chat completion with the default text reply until SIGINT or SIGTERM.
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-upstream",
        abstract: "A fake OpenAI chat completions server (POST /v1/chat/completions, GET /v1/models) for load tests.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 9100

    @Option(help: "The reply text; streamed, one content chunk per word.")
    var reply = "Hello from the fake upstream."

    @Option(help: "Make the reply exactly N words (the reply's words repeated), so a stream has N content chunks.")
    var streamChunks: Int?

    @Option(help: "Wait this many milliseconds between streamed chunks (a model generating), 0 for none.")
    var chunkDelayMs = 0

    func validate() throws {
        if chunkDelayMs < 0 { throw ValidationError("--chunk-delay-ms must be at least 0") }
        if let streamChunks, streamChunks < 1 { throw ValidationError("--stream-chunks must be at least 1") }
    }

    func run() async throws {
        let text = replyText()
        let behavior: FakeBehavior =
            chunkDelayMs > 0 ? .slowStream(chunks: text.split(separator: " ").enumerated().map { $0 == 0 ? String($1) : " " + $1 }, delayMilliseconds: chunkDelayMs) : .text(text)
        let fake = FakeOpenAIUpstream(defaultBehavior: behavior, recordRequests: false)
        try await fake.run(host: host, port: port) { [host] bound in
            // Straight to the file descriptor: stdio would hold the line back when stdout is a pipe.
            let line = "fake-upstream listening on http://\(host):\(bound)/v1\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
        }
    }

    /// `reply`, or its words cycled to `streamChunks` words.
    func replyText() -> String {
        guard let streamChunks else { return reply }
        let words = reply.split(separator: " ", omittingEmptySubsequences: true)
        guard !words.isEmpty else { return reply }
        return (0..<streamChunks).map { String(words[$0 % words.count]) }.joined(separator: " ")
    }
}

// Called from an async closure so overload resolution picks AsyncParsableCommand's `main()`;
// at top level it would pick the synchronous one, which refuses asynchronous commands.
await Task { await FakeUpstreamCommand.main() }.value
