import ArgumentParser
import TriageFakeUpstream

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fake-upstream`: a fake provider as a process — OpenAI chat completions, Anthropic Messages or
/// Gemini generateContent — for load tests and manual checks. It answers every call with the
/// default text reply until SIGINT or SIGTERM.
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-upstream",
        abstract: "A fake provider for load tests: OpenAI (POST /v1/chat/completions), Anthropic (POST /v1/messages) or Gemini (POST /v1beta/models/M:generateContent).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case openai, anthropic, gemini
    }

    @Option(help: "The wire format to speak: openai, anthropic or gemini.")
    var format = Format.openai

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
        let announce: @Sendable (Int) -> Void = { [host, format] bound in
            // Straight to the file descriptor: stdio would hold the line back when stdout is a pipe.
            let line = "fake-upstream (\(format.rawValue)) listening on http://\(host):\(bound)/\(format == .gemini ? "v1beta" : "v1")\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
        }
        switch format {
        case .openai: try await FakeOpenAIUpstream(defaultBehavior: behavior, recordRequests: false).run(host: host, port: port, onListening: announce)
        case .anthropic: try await FakeAnthropicUpstream(defaultBehavior: behavior, recordRequests: false).run(host: host, port: port, onListening: announce)
        case .gemini: try await FakeGeminiUpstream(defaultBehavior: behavior, recordRequests: false).run(host: host, port: port, onListening: announce)
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
