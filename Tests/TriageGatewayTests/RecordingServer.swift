import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A loopback HTTP server that answers every POST with `{}` (or a fixed JSON answer) and keeps
/// what it was sent: a stand-in for an OpenTelemetry collector, an alert webhook or a provider
/// whose answer a test writes out.
final class RecordingServer: Sendable {
    private let answer: String
    private let received = Mutex<[(path: String, body: String)]>([])
    private let group = Mutex<ServiceGroup?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(answer: String = "{}") {
        self.answer = answer
    }

    /// Bodies POSTed to `path`, in arrival order.
    func bodies(at path: String) -> [String] {
        received.withLock { $0.filter { $0.path == path }.map(\.body) }
    }

    /// Waits (up to `seconds`) until at least `count` bodies arrived at `path`.
    func waitForBodies(at path: String, count: Int = 1, seconds: Double = 5) async throws -> [String] {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while bodies(at: path).count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return bodies(at: path)
    }

    func start() async throws -> Int {
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            self.received.withLock { $0.append((request.uri.path, String(buffer: body))) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: self.answer)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "recording-server")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: logger))
        group.withLock { $0 = serviceGroup }
        task.withLock { $0 = Task { try await serviceGroup.run() } }
        var iterator = ports.makeAsyncIterator()
        return await iterator.next() ?? 0
    }

    func stop() async throws {
        await group.withLock { $0 }?.triggerGracefulShutdown()
        try await task.withLock { $0 }?.value
    }
}
