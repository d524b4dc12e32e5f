import Logging
import TriageCodecs
import TriageConfig
import TriageCore
import TriageProviders
import TriageRouting
import TriageStore

/// The long-lived parts every request uses: configuration, the decision pipeline, model health,
/// session affinity, the upstream client and the trace writer.
public final class GatewayRuntime: Sendable {
    public let config: GatewayConfig
    public let pipeline: DecisionPipeline
    public let health: HealthRegistry
    public let affinity: SessionAffinity
    public let upstream: UpstreamClient
    public let traces: TraceWriter
    public let authenticator: ClientAuthenticator
    public let logger: Logger

    public init(config: GatewayConfig, traces: TraceWriter, upstream: UpstreamClient = UpstreamClient(), logger: Logger) {
        self.config = config
        self.pipeline = config.routing.pipeline(policy: config.policy, catalog: config.catalog)
        self.health = HealthRegistry(configuration: config.circuitBreaker)
        self.affinity = SessionAffinity(configuration: config.stickiness)
        self.upstream = upstream
        self.traces = traces
        self.authenticator = ClientAuthenticator(keys: config.clientKeys)
        self.logger = logger
    }

    /// Remembers the model that served a turn of a tracked run or conversation.
    func rememberSession(_ call: ChatCall, model: ModelSpec, usage: Usage) {
        guard let key = call.sessionKey else { return }
        let prompt = usage.inputTokens > 0 ? usage.inputTokens : call.chat.estimatedInputTokens
        affinity.remember(key, model: model.name, promptTokens: prompt)
    }
}
