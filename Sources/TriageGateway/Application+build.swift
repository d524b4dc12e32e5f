import Hummingbird
import Logging
import ServiceLifecycle
import TriageConfig
import TriageProviders
import TriageStore

/// Builds the gateway application: storage, trace writer, upstream client and routes, with
/// every long-running part registered as a service so SIGTERM drains them in order (the HTTP
/// server first, then the trace writer, then the upstream client).
public func buildGateway(
    config: GatewayConfig, host: String? = nil, port: Int? = nil, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let store = try SQLiteTraceStore(path: config.storage.sqlitePath)
    let traces = TraceWriter(
        store: store, batchSize: config.storage.traceBatchSize, capacity: config.storage.traceBufferCapacity,
        flushInterval: .milliseconds(config.storage.traceFlushMilliseconds), logger: logger)
    let upstream = UpstreamClient()
    let runtime = GatewayRuntime(config: config, traces: traces, upstream: upstream, logger: logger)
    for warning in config.warnings { logger.warning("\(warning)") }

    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(OpenAIErrorMiddleware())
    ChatCompletionsController(runtime: runtime).addRoutes(to: router)
    ModelsController(runtime: runtime).addRoutes(to: router)
    HealthController(runtime: runtime).addRoutes(to: router)

    return Application(
        router: router,
        configuration: .init(address: .hostname(host ?? config.server.host, port: port ?? config.server.port), serverName: nil),
        services: [UpstreamClientService(client: upstream), traces],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Keeps the shared upstream client alive while the gateway runs and shuts it down last.
struct UpstreamClientService: Service {
    let client: UpstreamClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
