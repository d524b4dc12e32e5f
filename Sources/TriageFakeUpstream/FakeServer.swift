import Hummingbird
import Synchronization

/// What every fake provider keeps between requests: the behaviors queued per model, the requests
/// received and a few counters.
public final class FakeScript: Sendable {
    struct State {
        var queues: [String: [FakeBehavior]] = [:]
        var requests: [FakeRecordedRequest] = []
        var cancelledStreams = 0
        var calls = 0
    }

    let state = Mutex(State())

    public init() {}

    func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        state.withLock { $0.queues[model, default: []].append(behavior) }
    }

    /// The next queued behavior for `model` (first in, first out), or `nil` when none is queued.
    func next(for model: String) -> FakeBehavior? {
        state.withLock { state in
            guard var queue = state.queues[model], !queue.isEmpty else { return nil }
            let behavior = queue.removeFirst()
            state.queues[model] = queue.isEmpty ? nil : queue
            return behavior
        }
    }

    /// The call's sequence number, from 1.
    func nextCall() -> Int {
        state.withLock { state in
            state.calls += 1
            return state.calls
        }
    }

    func record(_ request: FakeRecordedRequest) {
        state.withLock { $0.requests.append(request) }
    }

    func countCancelledStream() {
        state.withLock { $0.cancelledStreams += 1 }
    }
}

/// A fake provider: a real HTTP server on a loopback port, scripted per model with
/// `FakeBehavior`s. The fakes differ only in their wire format (`makeRouter()`); starting,
/// stopping, scripting and assertions are the same for all of them.
public protocol FakeServer: Sendable {
    /// The path below which the provider's API lives, e.g. `/v1` or `/v1beta`.
    static var basePath: String { get }
    var script: FakeScript { get }
    var runner: FakeServerRunner { get }
    func makeRouter() -> Router<BasicRequestContext>
}

extension FakeServer {
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

    /// The bound port (0 before `start()`).
    public var port: Int { runner.port }

    /// `http://127.0.0.1:<port><basePath>`, the base URL a client or the gateway is configured with.
    public var baseURL: String { "http://127.0.0.1:\(port)\(Self.basePath)" }

    /// Queues `behavior` for the next request naming `model` (first in, first out); requests
    /// whose model has nothing queued get the fake's default behavior.
    public func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        script.enqueue(behavior, forModel: model)
    }

    /// Every request received so far, in arrival order (empty when recording is off).
    public var requests: [FakeRecordedRequest] { script.state.withLock { $0.requests } }

    /// Streams whose client went away before the fake finished writing them.
    public var cancelledStreams: Int { script.state.withLock { $0.cancelledStreams } }

    func nextCall() -> Int { script.nextCall() }
    func record(_ request: FakeRecordedRequest) { script.record(request) }
    func countCancelledStream() { script.countCancelledStream() }
}
