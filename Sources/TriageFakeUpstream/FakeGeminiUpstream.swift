import Hummingbird
import Synchronization
import TriageCore

/// A fake Google Gemini API server (v1beta): a real HTTP server on a loopback port that speaks
/// Gemini's documented wire format — `GenerateContentResponse` objects, `alt=sse` streams framed
/// `data: {…}\r\n\r\n` as Google sends them (a JSON array without `alt=sse`), function calls sent
/// whole, `usageMetadata` on every event (with `cachedContentTokenCount` when `cachedTokens` is
/// set), and `google.rpc.Status` error bodies — scripted per model with the same `FakeBehavior`s
/// as `FakeOpenAIUpstream`.
///
/// Endpoints: `POST /v1beta/models/{model}:generateContent`, `POST /v1beta/models/{model}:streamGenerateContent`
/// and `GET /v1beta/models`. The model comes from the path. Every request needs an API key in the
/// `x-goog-api-key` header (or the `key` query parameter, which Google also accepts): none is
/// Google's 403 PERMISSION_DENIED, a wrong one (when `apiKey` is set) its 400 INVALID_ARGUMENT
/// "API key not valid". `promptTokenCount` is characters of the text parts / 4 + 1,
/// `candidatesTokenCount` the number of streamed pieces. `FakeBehavior.error` answers with a
/// Gemini error body: `code` is the HTTP status, `status` the behavior's `type` when it is a
/// Google status name (`RESOURCE_EXHAUSTED` …) or else the one the HTTP status implies, and
/// `retryAfterSeconds` becomes a `google.rpc.RetryInfo` detail (Google sends no `retry-after`
/// header). `textWithLogprob` answers as plain text.
public final class FakeGeminiUpstream: Sendable {
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
    private let runner = FakeServerRunner(label: "fake-gemini-upstream")

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `cachedContentTokenCount` of every reply (capped at the prompt tokens).
    ///   - apiKey: when set, any other key gets Google's 400 "API key not valid".
    ///   - models: when set, other models get Google's 404 NOT_FOUND; also what `GET /v1beta/models` lists.
    ///   - recordRequests: keep every request for `requests`.
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake Gemini upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
        self.cachedTokens = cachedTokens
        self.apiKey = apiKey
        self.models = models
        self.recordRequests = recordRequests
    }

    /// Binds `host:port` (0 picks a free port), serves in the background and returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await runner.start(router: makeRouter(), host: host, port: port)
    }

    /// Serves on `host:port` in the calling task until SIGTERM or SIGINT; `onListening` gets the port.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await runner.run(router: makeRouter(), host: host, port: port, onListening: onListening)
    }

    /// Stops a server started with `start()`.
    public func stop() async {
        await runner.stop()
    }

    /// The bound port (0 before `start()`).
    public var port: Int { runner.port }

    /// `http://127.0.0.1:<port>/v1beta`, the base URL the gateway is configured with.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1beta" }

    /// Queues `behavior` for the next request for `model` (the name in the path, without `models/`).
    public func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        state.withLock { $0.queues[model, default: []].append(behavior) }
    }

    /// Every request received so far, in arrival order; `model` is the model named in the path.
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
