import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Starting and stopping a fake's Hummingbird server in the background: bind (0 picks a free
/// port), report the bound port, and stop with a graceful shutdown that cuts streams still in
/// flight after a second. Shared by fakes other than `FakeOpenAIUpstream`, which predates it.
final class FakeServerLifecycle: Sendable {
    private struct Running: Sendable {
        let group: ServiceGroup
        let task: Task<(any Error)?, Never>
    }

    private let running = Mutex<Running?>(nil)
    private let label: String

    init(label: String) {
        self.label = label
    }

    /// Serves `router` on `host:port` in the background and returns the bound port.
    func start(host: String, port: Int, router: Router<BasicRequestContext>) async throws -> Int {
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
        for await bound in ports { return bound }
        running.withLock { $0 = nil }
        throw FakeUpstreamStartError(host: host, port: port, underlying: await task.value)
    }

    /// Serves in the calling task until SIGTERM or SIGINT.
    func run(host: String, port: Int, router: Router<BasicRequestContext>, onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await makeApplication(router: router, host: host, port: port, logLevel: .warning, onListening: onListening).runService()
    }

    /// Stops a server started with `start`; a stream still in flight after a second is cut.
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
