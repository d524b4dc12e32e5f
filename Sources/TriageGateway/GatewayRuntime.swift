import Logging
import TriageConfig
import TriageCore
import TriageProviders
import TriageRouting
import TriageStore

/// The long-lived parts every request uses: configuration, the decision pipeline, model health,
/// the upstream client and the trace writer.
public final class GatewayRuntime: Sendable {
    public let config: GatewayConfig
    public let pipeline: DecisionPipeline
    public let health: HealthRegistry
    public let upstream: UpstreamClient
    public let traces: TraceWriter
    public let authenticator: ClientAuthenticator
    public let logger: Logger

    public init(config: GatewayConfig, traces: TraceWriter, upstream: UpstreamClient = UpstreamClient(), logger: Logger) {
        self.config = config
        self.pipeline = DecisionPipeline(
            policy: config.policy, catalog: config.catalog, classifier: KeywordSkillClassifier(), riskPredictor: PatternRiskPredictor())
        self.health = HealthRegistry(configuration: config.circuitBreaker)
        self.upstream = upstream
        self.traces = traces
        self.authenticator = ClientAuthenticator(keys: config.clientKeys)
        self.logger = logger
    }
}
