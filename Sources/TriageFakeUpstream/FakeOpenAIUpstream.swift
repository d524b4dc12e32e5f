import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TriageCore

/// A fake OpenAI chat completions server: a real HTTP server on a loopback port that speaks the
/// documented wire format exactly — `chat.completion` objects, `chat.completion.chunk` SSE
/// streams with `stream_options.include_usage`, tool calls, usage with cached tokens, OpenAI
/// error bodies with `retry-after` — and can be scripted per model with failures: errors, slow
/// first bytes, streams cut mid-way, streams held at a gate and slow streams.
///
/// Endpoints: `POST /v1/chat/completions` and `GET /v1/models`. Every request must carry
/// `Authorization: Bearer <key>` (any key unless `apiKey` is set). The reply's `model` is the
/// request's; `prompt_tokens` is a deterministic estimate (characters of the message contents
/// / 4 + 1); `completion_tokens` is the number of words of the reply.
public final class FakeOpenAIUpstream: Sendable {
    struct State {
        var queues: [String: [FakeBehavior]] = [:]
        var requests: [FakeRecordedRequest] = []
        var cancelledStreams = 0
        var calls = 0
    }

    let defaultBehavior: FakeBehavior
    /// The default behavior's reply encoded once, when it is a text reply.
    let defaultAnswer: FakeAnswer?
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool
    let state = Mutex(State())
    private let runner = FakeServerRunner(label: "fake-upstream")

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `prompt_tokens_details.cached_tokens` of every reply (capped at the prompt tokens).
    ///   - apiKey: when set, any other bearer key gets OpenAI's 401 `invalid_api_key`.
    ///   - models: when set, other models get OpenAI's 404 `model_not_found`; also what `GET /v1/models` lists.
    ///   - recordRequests: keep every request for `requests` (turn off for load tests).
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
        if case .text(let text) = defaultBehavior {
            defaultAnswer = .text(text)
        } else {
            defaultAnswer = nil
        }
        self.cachedTokens = cachedTokens
        self.apiKey = apiKey
        self.models = models
        self.recordRequests = recordRequests
    }

    // MARK: Lifecycle

    /// Binds `host:port` (0 picks a free port), serves in the background and returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await runner.start(router: makeRouter(), host: host, port: port)
    }

    /// Serves on `host:port` in the calling task until SIGTERM or SIGINT (for the executable);
    /// `onListening` gets the bound port.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await runner.run(router: makeRouter(), host: host, port: port, onListening: onListening)
    }

    /// Stops a server started with `start()`: graceful shutdown first; a stream still in flight
    /// after a second (a gate never opened) is cut.
    public func stop() async {
        await runner.stop()
    }

    // MARK: Scripting and assertions

    /// The bound port (0 before `start()`).
    public var port: Int { runner.port }

    /// `http://127.0.0.1:<port>/v1`, the base URL a client or the gateway is configured with.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Queues `behavior` for the next request naming `model` (first in, first out); requests
    /// whose model has nothing queued get the default behavior.
    public func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        state.withLock { $0.queues[model, default: []].append(behavior) }
    }

    /// Every request received so far, in arrival order (empty when `recordRequests` is off).
    public var requests: [FakeRecordedRequest] { state.withLock { $0.requests } }

    /// Streams whose client went away before the fake finished writing them.
    public var cancelledStreams: Int { state.withLock { $0.cancelledStreams } }

    /// The call's sequence number, from 1.
    func nextCall() -> Int {
        state.withLock { state in
            state.calls += 1
            return state.calls
        }
    }

    /// The next queued behavior for `model`, or `nil` for the default.
    func nextBehavior(for model: String) -> FakeBehavior? {
        state.withLock { state in
            guard var queue = state.queues[model], !queue.isEmpty else { return nil }
            let behavior = queue.removeFirst()
            state.queues[model] = queue.isEmpty ? nil : queue
            return behavior
        }
    }

    func record(_ request: FakeRecordedRequest) {
        state.withLock { $0.requests.append(request) }
    }

    func countCancelledStream() {
        state.withLock { $0.cancelledStreams += 1 }
    }
}

/// The fake could not bind its address.
public struct FakeUpstreamStartError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var underlying: (any Error)?

    public var description: String {
        "fake upstream could not listen on \(host):\(port)" + (underlying.map { ": \($0)" } ?? "")
    }
}
