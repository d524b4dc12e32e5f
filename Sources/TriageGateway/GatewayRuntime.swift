import Logging
import Synchronization
import Tracing
import TriageCodecs
import TriageConfig
import TriageCore
import TriageProviders
import TriageRouting
import TriageStore

/// The routing policy a request is decided under: the configured policy with the active tuned
/// version applied. A request keeps the snapshot it started with (escalations included), so a
/// policy swap never changes a call half-way.
public struct RoutingSnapshot: Sendable {
    public let pipeline: DecisionPipeline
    /// The tuned policy version in force; `nil` for the configuration as loaded.
    public let version: Int?

    public init(pipeline: DecisionPipeline, version: Int?) {
        self.pipeline = pipeline
        self.version = version
    }
}

/// The long-lived parts every request uses: configuration, the routing snapshot, model health,
/// session affinity, the upstream client and the trace writer.
public final class GatewayRuntime: Sendable {
    public let config: GatewayConfig
    private let routingState: Mutex<RoutingSnapshot>
    public let health: HealthRegistry
    public let affinity: SessionAffinity
    public let upstream: UpstreamClient
    public let traces: TraceWriter
    /// Where traces, feedback and policy versions are read back from.
    public let store: SQLiteTraceStore
    public let authenticator: ClientAuthenticator
    public let metrics: GatewayMetrics
    /// Span export; `nil` when tracing is off.
    public let telemetry: CallTelemetry?
    /// The cost and quality alerts; `nil` when not configured.
    public let alerts: AlertMonitor?
    public let logger: Logger

    public init(
        config: GatewayConfig, store: SQLiteTraceStore, traces: TraceWriter, upstream: UpstreamClient = UpstreamClient(), telemetry: CallTelemetry? = nil,
        logger: Logger
    ) {
        let metrics = GatewayMetrics(knownRoles: config.policy.roles.keys)
        self.metrics = metrics
        self.telemetry = telemetry
        self.alerts = config.alerts.map { AlertMonitor(settings: $0, store: store, metrics: metrics, http: upstream, logger: logger) }
        self.config = config
        self.store = store
        self.routingState = Mutex(RoutingSnapshot(pipeline: config.pipeline(), version: nil))
        self.health = HealthRegistry(configuration: config.circuitBreaker)
        self.affinity = SessionAffinity(configuration: config.stickiness)
        self.upstream = upstream
        self.traces = traces
        self.authenticator = ClientAuthenticator(keys: config.clientKeys)
        self.logger = logger
    }

    /// Hands a finished call's trace to the metrics, the span exporter (when on) and the
    /// trace writer.
    func finish(_ trace: TraceRecord, spanParent: ServiceContext?) async {
        metrics.observe(trace)
        telemetry?.emit(trace, parent: spanParent)
        await traces.record(trace)
    }

    /// The routing policy new requests are decided under.
    public var routing: RoutingSnapshot { routingState.withLock { $0 } }

    /// Puts a new routing policy in force for requests that start from now on.
    public func install(_ snapshot: RoutingSnapshot) {
        routingState.withLock { $0 = snapshot }
    }

    /// Remembers the model that served a turn of a tracked run or conversation.
    func rememberSession(_ call: ChatCall, model: ModelSpec, usage: Usage) {
        guard let key = call.sessionKey else { return }
        let prompt = usage.inputTokens > 0 ? usage.inputTokens : call.chat.estimatedInputTokens
        affinity.remember(key, model: model.name, promptTokens: prompt)
    }
}
