import Prometheus
import Synchronization
import TriageProviders
import TriageStore

/// The gateway's Prometheus metrics, fed from each finished call's trace and rendered for
/// `GET /metrics`. Label values are bounded: roles are the configured ones (else `other`),
/// tiers and models come from the configuration, so clients cannot blow up the series count.
public final class GatewayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let knownRoles: Set<String>
    private let series = Mutex<[SeriesKey: CallSeries]>([:])
    private let attemptSeries = Mutex<[String: AttemptSeries]>([:])

    private static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    private struct SeriesKey: Hashable {
        var role: String
        var tier: String
        var model: String
        var status: String
    }

    /// The instruments of one (role, tier, model, status) combination, made once.
    private struct CallSeries: Sendable {
        let requests: Counter
        let inputTokens: Counter
        let outputTokens: Counter
        let cachedTokens: Counter
        let cacheWriteTokens: Counter
        let cost: Counter
        let escalations: Counter
        let latency: DurationHistogram
        let timeToFirstToken: DurationHistogram
    }

    private struct AttemptSeries: Sendable {
        let failovers: Counter
    }

    /// The metric names and help texts, `triage_` prefixed.
    private enum Name {
        static func make(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "triage", metricName: metric, unitName: unit, helpText: help)
        }
        static var requests: MetricNameDescriptor { make("requests", "total", "Calls, by how they ended.") }
        static var tokens: MetricNameDescriptor { make("tokens", "total", "Tokens billed, by kind (input, output, cached_input, cache_write_input).") }
        static var cost: MetricNameDescriptor { make("cost_usd", "total", "Spend in US dollars at the configured prices.") }
        static var escalations: MetricNameDescriptor { make("escalations", "total", "Re-runs one tier up after a failed validation (by the tier that finally served).") }
        static var latency: MetricNameDescriptor { make("request_duration", "seconds", "Time from request to the last byte of the answer.") }
        static var timeToFirstToken: MetricNameDescriptor { make(
            "time_to_first_token", "seconds", "Time from request to the first byte sent to the client (a non-streamed answer's is when it was complete).") }
        static var failovers: MetricNameDescriptor { make(
            "failovers", "total", "Attempts that failed (error, timeout, rate limit, open circuit) and moved the call to the next candidate.") }
        static var circuit: MetricNameDescriptor { make("circuit", "state", "Circuit breaker per model: 0 closed, 1 half-open, 2 open.") }
        static var queueDepth: MetricNameDescriptor { make("trace_queue", "depth", "Traces recorded and not yet written to the database.") }
        static var policyVersion: MetricNameDescriptor { make("policy", "version", "The tuned routing policy version in force (0: the configuration as loaded).") }
        static var costPerTask: MetricNameDescriptor { make("cost_per_task", "usd", "Spend per automated task (run id) over the operating window.") }
        static var routingAccuracy: MetricNameDescriptor { make("routing", "accuracy", "Share of auto-routed decisions neither escalated nor corrected by feedback.") }
        static var overrideRate: MetricNameDescriptor { make("escalation_override", "rate", "Share of auto-routed decisions whose tier a person corrected.") }
        static var tasks: MetricNameDescriptor { make("tasks", "count", "Automated tasks (run ids) in the operating window.") }
        static var autoDecisions: MetricNameDescriptor { make("auto_decisions", "count", "Auto-routed decisions in the operating window.") }
        static var alert: MetricNameDescriptor { make("alert", "firing", "1 while the alert fires.") }
        static var feedback: MetricNameDescriptor { make("feedback", "total", "Feedback received (score ≥ 0.5 is good).") }
    }

    public init(knownRoles: some Sequence<String>) {
        self.knownRoles = Set(knownRoles)
    }

    /// Counts one finished call.
    public func observe(_ trace: TraceRecord) {
        let key = SeriesKey(
            role: trace.role.map { knownRoles.contains($0) ? $0 : "other" } ?? "none", tier: trace.tier ?? "none", model: trace.model ?? "none",
            status: trace.status.rawValue)
        let instruments = series.withLock { series in
            if let existing = series[key] { return existing }
            let made = makeSeries(key)
            series[key] = made
            return made
        }
        instruments.requests.increment()
        instruments.inputTokens.increment(by: Int64(trace.usage.inputTokens))
        instruments.outputTokens.increment(by: Int64(trace.usage.outputTokens))
        instruments.cachedTokens.increment(by: Int64(trace.usage.cachedInputTokens))
        if trace.usage.cacheWriteInputTokens > 0 { instruments.cacheWriteTokens.increment(by: Int64(trace.usage.cacheWriteInputTokens)) }
        instruments.cost.increment(by: trace.costUSD)
        if trace.escalations > 0 { instruments.escalations.increment(by: Int64(trace.escalations)) }
        instruments.latency.record(.nanoseconds(Int64(trace.latencyMs * 1_000_000)))
        if let ttft = trace.timeToFirstTokenMs { instruments.timeToFirstToken.record(.nanoseconds(Int64(ttft * 1_000_000))) }
        // Every attempt before the served one that failed for an upstream reason moved the call on.
        for attempt in trace.attempts.dropLast() where Self.failoverOutcomes.contains(attempt.outcome) {
            failovers(attempt.model).increment()
        }
    }

    private static let failoverOutcomes: Set<String> = ["retryable", "skipped", "timeout"]

    private func failovers(_ model: String) -> Counter {
        attemptSeries.withLock { series in
            if let existing = series[model] { return existing.failovers }
            let made = AttemptSeries(
                failovers: registry.makeCounter(descriptor: Name.failovers, labels: [("model", model)]))
            series[model] = made
            return made.failovers
        }
    }

    private func makeSeries(_ key: SeriesKey) -> CallSeries {
        let call = [("role", key.role), ("tier", key.tier), ("model", key.model)]
        let served = [("tier", key.tier), ("model", key.model)]
        return CallSeries(
            requests: registry.makeCounter(descriptor: Name.requests, labels: call + [("status", key.status)]),
            inputTokens: registry.makeCounter(descriptor: Name.tokens, labels: call + [("kind", "input")]),
            outputTokens: registry.makeCounter(descriptor: Name.tokens, labels: call + [("kind", "output")]),
            cachedTokens: registry.makeCounter(descriptor: Name.tokens, labels: call + [("kind", "cached_input")]),
            cacheWriteTokens: registry.makeCounter(descriptor: Name.tokens, labels: call + [("kind", "cache_write_input")]),
            cost: registry.makeCounter(descriptor: Name.cost, labels: call),
            escalations: registry.makeCounter(descriptor: Name.escalations, labels: call),
            latency: registry.makeDurationHistogram(descriptor: Name.latency, labels: served, buckets: Self.latencyBuckets),
            timeToFirstToken: registry.makeDurationHistogram(descriptor: Name.timeToFirstToken, labels: served, buckets: Self.latencyBuckets))
    }

    /// Sets the gauges that describe state rather than events, just before a scrape.
    public func refreshState(health: HealthRegistry, models: [String], traceQueueDepth: Int, policyVersion: Int?) {
        let states = health.snapshot()
        for model in models {
            let value: Double
            switch states[model] {
            case .open?: value = 2
            case .halfOpen?: value = 1
            case .closed?, nil: value = 0
            }
            registry.makeGauge(descriptor: Name.circuit, labels: [("model", model)]).set(value)
        }
        registry.makeGauge(descriptor: Name.queueDepth).set(Double(traceQueueDepth))
        registry.makeGauge(descriptor: Name.policyVersion).set(Double(policyVersion ?? 0))
    }

    /// Sets the three operating metrics of the configured window.
    public func setOperating(_ metrics: OperatingMetrics) {
        registry.makeGauge(descriptor: Name.costPerTask).set(metrics.costPerTaskUSD ?? .nan)
        registry.makeGauge(descriptor: Name.routingAccuracy).set(metrics.routingAccuracy ?? .nan)
        registry.makeGauge(descriptor: Name.overrideRate).set(metrics.escalationOverrideRate ?? .nan)
        registry.makeGauge(descriptor: Name.tasks).set(Double(metrics.tasks))
        registry.makeGauge(descriptor: Name.autoDecisions).set(Double(metrics.autoDecisions))
    }

    /// Marks an alert as firing (1) or not (0).
    public func setAlert(_ name: String, firing: Bool) {
        registry.makeGauge(descriptor: Name.alert, labels: [("alert", name)]).set(firing ? 1.0 : 0.0)
    }

    /// Counts stored feedback.
    public func countFeedback(good: Bool) {
        registry.makeCounter(descriptor: Name.feedback, labels: [("verdict", good ? "good" : "bad")]).increment()
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        registry.emit(into: &buffer)
        return buffer
    }
}
