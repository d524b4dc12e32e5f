import Hummingbird
import Logging
import OTel
import ServiceLifecycle
import TriageConfig
import TriageProviders
import TriageStore
import Tracing

/// Builds the gateway application: storage, trace writer, upstream client and routes, with
/// every long-running part registered as a service so SIGTERM drains them in order (the HTTP
/// server first, then the trace writer, then the upstream client).
///
/// `tracer` replaces the OTLP exporter of the configuration (tests pass an in-memory tracer).
public func buildGateway(
    config: GatewayConfig, host: String? = nil, port: Int? = nil, logger: Logger, tracer: (any Tracer)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let store = try SQLiteTraceStore(path: config.storage.sqlitePath)
    let traces = TraceWriter(
        store: store, batchSize: config.storage.traceBatchSize, capacity: config.storage.traceBufferCapacity,
        flushInterval: .milliseconds(config.storage.traceFlushMilliseconds), logger: logger)
    let upstream = UpstreamClient()
    var services: [any Service] = []
    var telemetry = tracer.map { CallTelemetry(tracer: $0, catalog: config.catalog) }
    if telemetry == nil, let otlp = config.observability.otlp {
        let (tracer, exporter) = try OTel.makeTracingBackend(configuration: .triage(otlp, logger: logger))
        telemetry = CallTelemetry(tracer: tracer, catalog: config.catalog)
        services.append(exporter)
    }
    let runtime = GatewayRuntime(config: config, store: store, traces: traces, upstream: upstream, telemetry: telemetry, logger: logger)
    for warning in config.warnings { logger.warning("\(warning)") }
    services += [UpstreamClientService(client: upstream), traces]
    if let alerts = runtime.alerts { services.append(alerts) }
    let reloader = PolicyReloader(runtime: runtime, intervalSeconds: config.policyReload.reloadSeconds)
    do {
        // The newest tuned version is in force from the first request on.
        if let record = try store.latestPolicyVersionNow() { try reloader.install(record, runtime: runtime) }
    } catch {
        logger.error("the stored routing policy could not be loaded; using the configuration as is", metadata: ["error": "\(error)"])
    }
    if config.policyReload.reloadSeconds > 0 { services.append(reloader) }

    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(OpenAIErrorMiddleware())
    ChatCompletionsController(runtime: runtime).addRoutes(to: router)
    EmbeddingsController(runtime: runtime).addRoutes(to: router)
    ModelsController(runtime: runtime).addRoutes(to: router)
    HealthController(runtime: runtime).addRoutes(to: router)
    FeedbackController(runtime: runtime).addRoutes(to: router)
    if config.observability.metrics { MetricsController(runtime: runtime).addRoutes(to: router) }
    if config.observability.dashboard { DashboardController(runtime: runtime).addRoutes(to: router) }

    return Application(
        router: router,
        configuration: .init(address: .hostname(host ?? config.server.host, port: port ?? config.server.port), serverName: nil),
        // Shut down in reverse: the server first, then the trace writer, the upstream client,
        // and the span exporter last so it flushes the spans of the final calls.
        services: services,
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

extension OTel.Configuration {
    /// Traces only (metrics are served by `/metrics`, logs stay with swift-log), exported over
    /// OTLP/HTTP as configured; the standard `OTEL_*` environment variables still override.
    static func triage(_ settings: OTLPSettings, logger: Logger) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(settings.exportDelayMilliseconds)
        configuration.traces.otlpExporter.endpoint = settings.endpoint
        configuration.traces.otlpExporter.protocol = settings.wireProtocol == .json ? .httpJSON : .httpProtobuf
        configuration.traces.otlpExporter.headers = settings.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return configuration
    }
}
