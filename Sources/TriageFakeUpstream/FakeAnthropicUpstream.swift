import Hummingbird
import Synchronization
import TriageCore

/// A fake Anthropic Messages server: a real HTTP server on a loopback port that speaks the
/// documented wire format — `message` objects, the `message_start` … `message_stop` SSE event
/// sequence with `text_delta` / `input_json_delta`, `tool_use` blocks (parallel ones included),
/// usage with cache reads, and `{"type": "error", …}` bodies with `retry-after` — scripted per
/// model with the same `FakeBehavior`s as `FakeOpenAIUpstream`.
///
/// Endpoints: `POST /v1/messages` and `GET /v1/models`. Every request must carry `x-api-key`
/// (any key unless `apiKey` is set; otherwise Anthropic's 401 `authentication_error`) and
/// `anthropic-version` (otherwise Anthropic's 400 "anthropic-version: header is required"). The
/// reply's `model` is the request's; input tokens are a deterministic estimate (characters of
/// the system prompt and message texts / 4 + 1), `cache_read_input_tokens` is `cachedTokens`
/// (capped), `input_tokens` the rest; output tokens are one per streamed piece.
/// `textWithLogprob` answers as plain text (Anthropic has no log-probabilities); an `error`
/// behavior's `type` is used when it is an Anthropic error type, else the type Anthropic uses
/// for its status.
public final class FakeAnthropicUpstream: Sendable {
    struct State {
        var queues: [String: [FakeBehavior]] = [:]
        var requests: [FakeRecordedRequest] = []
        var cancelledStreams = 0
        var calls = 0
    }

    let defaultBehavior: FakeBehavior
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool
    let state = Mutex(State())
    private let runner = FakeServerRunner(label: "fake-anthropic-upstream")

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `cache_read_input_tokens` of every reply (capped at the input tokens).
    ///   - apiKey: when set, any other `x-api-key` gets Anthropic's 401 `authentication_error`.
    ///   - models: when set, other models get Anthropic's 404 `not_found_error`; also what `GET /v1/models` lists.
    ///   - recordRequests: keep every request for `requests` (turn off for load tests).
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
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

    /// Serves on `host:port` in the calling task until SIGTERM or SIGINT; `onListening` gets the bound port.
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

    /// Queues `behavior` for the next request naming `model` (first in, first out).
    public func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        state.withLock { $0.queues[model, default: []].append(behavior) }
    }

    /// Every request received so far, in arrival order (empty when `recordRequests` is off).
    public var requests: [FakeRecordedRequest] { state.withLock { $0.requests } }

    /// Streams whose client went away before the fake finished writing them.
    public var cancelledStreams: Int { state.withLock { $0.cancelledStreams } }

    func nextCall() -> Int {
        state.withLock { state in
            state.calls += 1
            return state.calls
        }
    }

    func nextBehavior(for model: String) -> FakeBehavior {
        state.withLock { state in
            guard var queue = state.queues[model], !queue.isEmpty else { return defaultBehavior }
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

extension FakeBehavior {
    /// Anthropic's 529 `overloaded_error` ("Overloaded").
    public static func anthropicOverloaded(retryAfterSeconds: Int? = nil) -> FakeBehavior {
        .error(status: 529, type: "overloaded_error", code: nil, message: "Overloaded", retryAfterSeconds: retryAfterSeconds)
    }

    /// Anthropic's 400 for a prompt beyond the context window ("prompt is too long: …").
    public static func anthropicPromptTooLong(tokens: Int = 215_000, maximum: Int = 200_000) -> FakeBehavior {
        .error(status: 400, type: "invalid_request_error", code: nil, message: "prompt is too long: \(tokens) tokens > \(maximum) maximum")
    }
}
