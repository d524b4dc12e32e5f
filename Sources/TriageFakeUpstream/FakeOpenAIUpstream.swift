import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TriageCore

/// A request the fake received, for assertions.
public struct FakeRecordedRequest: Sendable {
    public var path: String
    /// Header values by lowercased name.
    public var headers: [String: String]
    public var body: [UInt8]
    public var json: JSONValue?
    public var model: String?
}

/// A fake OpenAI chat completions server on a loopback port. It speaks the documented wire format
/// (objects, SSE framing, usage, error bodies and headers) and can be scripted per model with
/// failures: errors with `retry-after`, slow first bytes, streams cut mid-way, gated and slow
/// streams.
public final class FakeOpenAIUpstream: Sendable {
    struct State {
        var queues: [String: [FakeBehavior]] = [:]
        var requests: [FakeRecordedRequest] = []
        var cancelledStreams = 0
        var counter = 0
        var port = 0
    }

    let defaultBehavior: FakeBehavior
    let cachedTokens: Int
    let recordRequests: Bool
    let state = Mutex(State())
    private let serviceGroup = Mutex<ServiceGroup?>(nil)

    public init(defaultBehavior: FakeBehavior = .text("Hello from the fake upstream."), cachedTokens: Int = 0, recordRequests: Bool = true) {
        self.defaultBehavior = defaultBehavior
        self.cachedTokens = cachedTokens
        self.recordRequests = recordRequests
    }

    /// Starts listening on `host:port` (0 picks a free port) and returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        serviceGroup.withLock { $0 = group }
        Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let bound = await iterator.next() ?? 0
        state.withLock { $0.port = bound }
        return bound
    }

    /// Runs until the task is cancelled or the process gets SIGTERM / SIGINT (for the executable).
    public func runForever(host: String, port: Int) async throws {
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = .warning
        let app = Application(router: makeRouter(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await app.runService()
    }

    public func stop() async {
        let group = serviceGroup.withLock { $0 }
        await group?.triggerGracefulShutdown()
    }

    public var port: Int { state.withLock { $0.port } }
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Queues `behavior` for the next request naming `model` (first in, first out); requests
    /// with an empty queue get the default behavior.
    public func enqueue(_ behavior: FakeBehavior, forModel model: String) {
        state.withLock { $0.queues[model, default: []].append(behavior) }
    }

    public var requests: [FakeRecordedRequest] { state.withLock { $0.requests } }

    /// Streams whose client went away before the fake finished writing them.
    public var cancelledStreams: Int { state.withLock { $0.cancelledStreams } }

    func nextBehavior(for model: String) -> (FakeBehavior, Int) {
        state.withLock { state in
            state.counter += 1
            if var queue = state.queues[model], !queue.isEmpty {
                let behavior = queue.removeFirst()
                state.queues[model] = queue
                return (behavior, state.counter)
            }
            return (defaultBehavior, state.counter)
        }
    }

    func record(_ request: FakeRecordedRequest) {
        guard recordRequests else { return }
        state.withLock { $0.requests.append(request) }
    }

    func countCancelledStream() {
        state.withLock { $0.cancelledStreams += 1 }
    }
}
