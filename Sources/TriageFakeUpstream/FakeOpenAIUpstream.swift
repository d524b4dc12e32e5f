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
        var port = 0
    }

    private struct Running: Sendable {
        let group: ServiceGroup
        let task: Task<(any Error)?, Never>
    }

    let defaultBehavior: FakeBehavior
    /// The default behavior's reply encoded once, when it is a text reply.
    let defaultAnswer: FakeAnswer?
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool
    let state = Mutex(State())
    private let running = Mutex<Running?>(nil)

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
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication(host: host, port: port, logLevel: .critical) { bound in
            continuation.yield(bound)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
        let task = Task { () -> (any Error)? in
            defer { continuation.finish() }
            do {
                try await group.run()
                return nil
            } catch {
                return error
            }
        }
        running.withLock { $0 = Running(group: group, task: task) }
        for await bound in ports {
            state.withLock { $0.port = bound }
            return bound
        }
        running.withLock { $0 = nil }
        throw FakeUpstreamStartError(host: host, port: port, underlying: await task.value)
    }

    /// Serves on `host:port` in the calling task until SIGTERM or SIGINT (for the executable);
    /// `onListening` gets the bound port.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = makeApplication(host: host, port: port, logLevel: .warning) { bound in
            self.state.withLock { $0.port = bound }
            onListening(bound)
        }
        try await app.runService()
    }

    /// Stops a server started with `start()`: graceful shutdown first; a stream still in flight
    /// after a second (a gate never opened) is cut.
    public func stop() async {
        guard let running = running.withLock({ $0.take() }) else { return }
        await running.group.triggerGracefulShutdown()
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await running.task.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(1))
                return false
            }
            let first = await group.next() ?? true
            if !first { running.task.cancel() }
            group.cancelAll()
            return first
        }
        if !finished { _ = await running.task.value }
    }

    private func makeApplication(
        host: String, port: Int, logLevel: Logger.Level, onListening: @escaping @Sendable (Int) -> Void
    ) -> Application<RouterResponder<BasicRequestContext>> {
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = logLevel
        return Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: Scripting and assertions

    /// The bound port (0 before `start()`).
    public var port: Int { state.withLock { $0.port } }

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
