import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one fake server's Hummingbird application in the background: binds, reports the bound
/// port, and stops with a graceful shutdown that cuts streams still in flight after a second.
/// The same lifecycle as `FakeOpenAIUpstream`'s, as a piece other fakes can share.
public final class FakeServerRunner: Sendable {
    private struct Running: Sendable {
        let group: ServiceGroup
        let task: Task<(any Error)?, Never>
    }

    private let running = Mutex<Running?>(nil)
    private let boundPort = Mutex(0)
    let label: String

    init(label: String) {
        self.label = label
    }

    /// The bound port (0 before the server listens).
    var port: Int { boundPort.withLock { $0 } }

    /// Binds `host:port` (0 picks a free port), serves `router` in the background and returns the bound port.
    func start(router: Router<BasicRequestContext>, host: String, port: Int) async throws -> Int {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication(router: router, host: host, port: port, logLevel: .critical) { bound in
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
            boundPort.withLock { $0 = bound }
            return bound
        }
        running.withLock { $0 = nil }
        throw FakeUpstreamStartError(host: host, port: port, underlying: await task.value)
    }

    /// Serves in the calling task until SIGTERM or SIGINT.
    func run(router: Router<BasicRequestContext>, host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let app = makeApplication(router: router, host: host, port: port, logLevel: .warning) { bound in
            self.boundPort.withLock { $0 = bound }
            onListening(bound)
        }
        try await app.runService()
    }

    /// Graceful shutdown first; a stream still in flight after a second (a gate never opened) is cut.
    func stop() async {
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
        router: Router<BasicRequestContext>, host: String, port: Int, logLevel: Logger.Level, onListening: @escaping @Sendable (Int) -> Void
    ) -> Application<RouterResponder<BasicRequestContext>> {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
