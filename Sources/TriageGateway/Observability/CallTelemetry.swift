import Foundation
import HTTPTypes
import Tracing
import TriageCore
import TriageStore

/// Emits every finished call as OpenTelemetry spans: one server span for the request and a
/// client span per upstream attempt, with the GenAI semantic-convention attributes plus
/// `triage.*` (role, skill, tier, lane, cost, reasons, escalation, cache hit). `gen_ai.provider.name`
/// is the semantic-convention name of the provider's wire format (`openai`, `anthropic`,
/// `gcp.gemini`); the configured provider key is `triage.provider`.
///
/// Spans are built from the call's trace record when the call ends, with the start and end
/// times the record measured, so the trace row and the spans can never disagree and a gateway
/// without a tracer does no span work at all.
public struct CallTelemetry: Sendable {
    public let tracer: any Tracer
    /// The semantic-convention provider name of each configured provider key.
    private let providerNames: [String: String]
    /// The name each configured model has at its provider.
    private let upstreamNames: [String: String]

    /// - Parameter catalog: the configured providers and models; without it the provider key
    ///   and the configured model name stand in for the provider and response model names.
    public init(tracer: any Tracer, catalog: ModelCatalog? = nil) {
        self.tracer = tracer
        self.providerNames = catalog?.providers.mapValues { Self.semanticName(of: $0.format) } ?? [:]
        self.upstreamNames = Dictionary(catalog?.models.map { ($0.name, $0.upstreamName) } ?? [], uniquingKeysWith: { first, _ in first })
    }

    /// The well-known `gen_ai.provider.name` value of a wire format.
    static func semanticName(of format: ProviderFormat) -> String {
        switch format {
        case .openai: "openai"
        case .anthropic: "anthropic"
        case .gemini: "gcp.gemini"
        }
    }

    /// `gen_ai.provider.name` for a configured provider key.
    func providerName(_ key: String) -> String { providerNames[key] ?? key }

    /// `gen_ai.response.model` of an answered attempt: the model the provider reported, else the
    /// name the model has at the provider.
    func responseModel(of attempt: AttemptRecord) -> String {
        attempt.responseModel ?? upstreamNames[attempt.model] ?? attempt.model
    }

    /// The caller's trace context (W3C `traceparent`, or whatever the tracer propagates).
    public func parentContext(of headers: HTTPFields) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(headers, into: &context, using: HTTPFieldsExtractor())
        return context
    }

    /// Emits the spans of one finished call.
    public func emit(_ trace: TraceRecord, parent: ServiceContext?) {
        let start = WallClockInstant(trace.startedAt)
        let operation = Self.operation(for: trace.endpoint)
        let span = tracer.startSpan(
            "\(operation) \(trace.requestedModel)", context: parent ?? .topLevel, ofKind: .server, at: start)
        span.updateAttributes { attributes in
            attributes["gen_ai.operation.name"] = operation
            attributes["gen_ai.request.model"] = trace.requestedModel
            if let provider = trace.provider {
                attributes["gen_ai.provider.name"] = providerName(provider)
                attributes["triage.provider"] = provider
            }
            if let model = trace.model { attributes["triage.model"] = model }
            // The answer served is the last one its model gave.
            if let served = trace.attempts.last(where: { $0.model == trace.model && $0.usage != nil }) {
                attributes["gen_ai.response.model"] = responseModel(of: served)
            }
            attributes["gen_ai.usage.input_tokens"] = trace.usage.inputTokens
            attributes["gen_ai.usage.output_tokens"] = trace.usage.outputTokens
            attributes["http.request.method"] = "POST"
            attributes["http.route"] = trace.endpoint
            attributes["http.response.status_code"] = trace.httpStatus
            attributes["triage.request_id"] = trace.requestID
            if let run = trace.runID { attributes["triage.run_id"] = run }
            if let role = trace.role { attributes["triage.role"] = role }
            if let skill = trace.skill { attributes["triage.skill"] = skill }
            if let tier = trace.tier { attributes["triage.tier"] = tier }
            if let routed = trace.routedTier { attributes["triage.routed_tier"] = routed }
            if let lane = trace.lane { attributes["triage.lane"] = lane }
            attributes["triage.mode"] = trace.mode
            attributes["triage.cost_usd"] = trace.costUSD
            attributes["triage.reasons"] = trace.reasons
            attributes["triage.escalations"] = trace.escalations
            attributes["triage.escalated"] = trace.escalations > 0
            attributes["triage.cache_hit"] = trace.usage.cachedInputTokens > 0
            attributes["triage.usage.cached_input_tokens"] = trace.usage.cachedInputTokens
            if trace.usage.cacheWriteInputTokens > 0 { attributes["triage.usage.cache_write_input_tokens"] = trace.usage.cacheWriteInputTokens }
            if trace.usage.reasoningTokens > 0 { attributes["gen_ai.usage.reasoning.output_tokens"] = trace.usage.reasoningTokens }
            if let complexity = trace.complexity { attributes["triage.complexity"] = complexity }
            if !trace.risks.isEmpty { attributes["triage.risks"] = trace.risks }
            if let validation = trace.validation { attributes["triage.validation"] = validation.rawValue }
            if let version = trace.policyVersion { attributes["triage.policy_version"] = version }
            attributes["triage.stream"] = trace.stream
            attributes["triage.status"] = trace.status.rawValue
            if trace.status != .ok { attributes["error.type"] = trace.status == .cancelled ? "cancelled" : String(trace.httpStatus) }
        }
        for attempt in trace.attempts {
            let attemptStart = start.advanced(byMilliseconds: attempt.startOffsetMs ?? 0)
            let child = tracer.startSpan("\(operation) \(attempt.model)", context: span.context, ofKind: .client, at: attemptStart)
            child.updateAttributes { attributes in
                attributes["gen_ai.operation.name"] = attempt.outcome == "judge" ? "judge" : operation
                attributes["gen_ai.provider.name"] = providerName(attempt.provider)
                attributes["triage.provider"] = attempt.provider
                attributes["gen_ai.request.model"] = attempt.model
                if let usage = attempt.usage {
                    attributes["gen_ai.response.model"] = responseModel(of: attempt)
                    attributes["gen_ai.usage.input_tokens"] = usage.inputTokens
                    attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
                    attributes["triage.cache_hit"] = usage.cachedInputTokens > 0
                }
                if let status = attempt.status { attributes["http.response.status_code"] = status }
                if let cost = attempt.costUSD { attributes["triage.cost_usd"] = cost }
                attributes["triage.attempt.outcome"] = attempt.outcome
                let failed = attempt.checks.filter { !$0.passed }.map(\.validator)
                if !failed.isEmpty { attributes["triage.validation.failed"] = failed }
                if !["ok", "judge"].contains(attempt.outcome) { attributes["error.type"] = attempt.outcome }
            }
            if !["ok", "judge"].contains(attempt.outcome) {
                child.setStatus(SpanStatus(code: .error, message: attempt.detail ?? attempt.outcome))
            }
            child.end(at: attemptStart.advanced(byMilliseconds: attempt.latencyMs))
        }
        if trace.status == .failed {
            span.setStatus(SpanStatus(code: .error, message: trace.error ?? "failed"))
        }
        span.end(at: start.advanced(byMilliseconds: trace.latencyMs))
    }

    /// The GenAI operation name of a gateway endpoint.
    static func operation(for endpoint: String) -> String {
        switch endpoint {
        case "/v1/embeddings": "embeddings"
        case "/v1/completions": "text_completion"
        default: "chat"
        }
    }
}

/// A wall-clock instant for spans whose times were measured earlier.
struct WallClockInstant: TracerInstant {
    var nanosecondsSinceEpoch: UInt64

    init(_ date: Date) {
        nanosecondsSinceEpoch = UInt64(max(0, date.timeIntervalSince1970) * 1_000_000_000)
    }

    init(nanosecondsSinceEpoch: UInt64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    func advanced(byMilliseconds milliseconds: Double) -> WallClockInstant {
        WallClockInstant(nanosecondsSinceEpoch: nanosecondsSinceEpoch &+ UInt64(max(0, milliseconds) * 1_000_000))
    }

    static func < (lhs: WallClockInstant, rhs: WallClockInstant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

/// Reads propagation headers (`traceparent`, `tracestate`, …) from a request.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
