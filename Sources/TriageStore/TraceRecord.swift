import Foundation
import TriageCore

/// How one call ended, from the client's point of view.
public enum TraceStatus: String, Sendable, Codable, CaseIterable {
    case ok
    /// Rejected before routing (bad input) or by the upstream as invalid.
    case rejected
    /// Every candidate failed, or the stream broke after bytes reached the client.
    case failed
    /// The client went away before the answer was complete.
    case cancelled
}

/// How the served answer fared against the call's validators.
public enum ValidationStatus: String, Sendable, Codable {
    case passed
    /// No tier produced a passing answer; the last one was returned (or an error).
    case failed
}

/// The result of one output validator on one attempt's answer.
public struct ValidatorCheck: Sendable, Codable, Equatable {
    public var validator: String
    public var passed: Bool
    public var detail: String?

    public init(validator: String, passed: Bool, detail: String? = nil) {
        self.validator = validator
        self.passed = passed
        self.detail = detail
    }
}

/// One upstream attempt inside a call.
public struct AttemptRecord: Sendable, Codable, Equatable {
    public var model: String
    public var provider: String
    /// "ok", "invalid" (answered but failed validation), "retryable", "rejected", "skipped"
    /// (circuit open), "failed_mid_stream", "cancelled", "judge".
    public var outcome: String
    public var status: Int?
    /// When the attempt started, in milliseconds after the call started.
    public var startOffsetMs: Double?
    public var latencyMs: Double
    public var detail: String?
    /// Tokens the attempt used, when it got an answer (failed validations are billed too).
    public var usage: Usage?
    public var costUSD: Double?
    /// Validator results on the attempt's answer.
    public var checks: [ValidatorCheck]
    /// The model the provider said answered (it may name a dated version of the one asked
    /// for); `nil` when not read.
    public var responseModel: String?

    public init(
        model: String, provider: String, outcome: String, status: Int? = nil, startOffsetMs: Double? = nil, latencyMs: Double, detail: String? = nil,
        usage: Usage? = nil, costUSD: Double? = nil, checks: [ValidatorCheck] = [], responseModel: String? = nil
    ) {
        self.responseModel = responseModel
        self.startOffsetMs = startOffsetMs
        self.model = model
        self.provider = provider
        self.outcome = outcome
        self.status = status
        self.latencyMs = latencyMs
        self.detail = detail
        self.usage = usage
        self.costUSD = costUSD
        self.checks = checks
    }
}

extension AttemptRecord {
    /// The stored JSON form (written with the gateway's own fast JSON writer).
    var json: JSONValue {
        var object = JSONObject()
        object["model"] = .string(model)
        object["provider"] = .string(provider)
        object["outcome"] = .string(outcome)
        if let status { object["status"] = JSONValue(status) }
        if let startOffsetMs { object["start_ms"] = JSONValue((startOffsetMs * 1000).rounded() / 1000) }
        object["latency_ms"] = JSONValue(latencyMs)
        if let detail { object["detail"] = .string(detail) }
        if let usage {
            object["input_tokens"] = JSONValue(usage.inputTokens)
            object["output_tokens"] = JSONValue(usage.outputTokens)
            object["cached_input_tokens"] = JSONValue(usage.cachedInputTokens)
            if usage.cacheWriteInputTokens > 0 { object["cache_write_input_tokens"] = JSONValue(usage.cacheWriteInputTokens) }
            if usage.reasoningTokens > 0 { object["reasoning_tokens"] = JSONValue(usage.reasoningTokens) }
        }
        if let costUSD { object["cost_usd"] = JSONValue(costUSD) }
        if let responseModel { object["response_model"] = .string(responseModel) }
        if !checks.isEmpty {
            object["checks"] = .array(
                checks.map { check in
                    var entry = JSONObject()
                    entry["validator"] = .string(check.validator)
                    entry["passed"] = .bool(check.passed)
                    if let detail = check.detail { entry["detail"] = .string(detail) }
                    return .object(entry)
                })
        }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let model = json["model"]?.stringValue, let provider = json["provider"]?.stringValue, let outcome = json["outcome"]?.stringValue else {
            return nil
        }
        let usage = json["input_tokens"].map { _ in
            Usage(
                inputTokens: json["input_tokens"]?.intValue ?? 0, outputTokens: json["output_tokens"]?.intValue ?? 0,
                cachedInputTokens: json["cached_input_tokens"]?.intValue ?? 0,
                cacheWriteInputTokens: json["cache_write_input_tokens"]?.intValue ?? 0, reasoningTokens: json["reasoning_tokens"]?.intValue ?? 0)
        }
        let checks = (json["checks"]?.arrayValue ?? []).compactMap { entry -> ValidatorCheck? in
            guard let name = entry["validator"]?.stringValue, let passed = entry["passed"]?.boolValue else { return nil }
            return ValidatorCheck(validator: name, passed: passed, detail: entry["detail"]?.stringValue)
        }
        self.init(
            model: model, provider: provider, outcome: outcome, status: json["status"]?.intValue, startOffsetMs: json["start_ms"]?.doubleValue,
            latencyMs: json["latency_ms"]?.doubleValue ?? 0, detail: json["detail"]?.stringValue, usage: usage,
            costUSD: json["cost_usd"]?.doubleValue, checks: checks, responseModel: json["response_model"]?.stringValue)
    }
}

/// Everything recorded about one call: the span of DESIGN.md as a row.
public struct TraceRecord: Sendable, Equatable {
    public var requestID: String
    public var runID: String?
    public var startedAt: Date
    public var endpoint: String
    public var role: String?
    public var keyName: String?
    public var requestedModel: String
    public var mode: String
    public var tier: String?
    public var lane: String?
    public var skill: String?
    /// The model that served (or last tried to serve) the call.
    public var model: String?
    public var provider: String?
    public var stream: Bool
    public var status: TraceStatus
    public var httpStatus: Int
    public var usage: Usage
    public var costUSD: Double
    public var latencyMs: Double
    public var timeToFirstTokenMs: Double?
    public var reasons: [String]
    public var attempts: [AttemptRecord]
    public var error: String?
    /// Times the call was re-run one tier up after a failed validation.
    public var escalations: Int
    /// `nil` when no validator applied.
    public var validation: ValidationStatus?
    /// The tier the router chose before any escalation (`tier` is the one that served).
    public var routedTier: String?
    /// The routing brain's complexity score, when it computed one.
    public var complexity: Double?
    /// Names of the known-hard patterns the risk predictor found.
    public var risks: [String]
    /// The routing policy version that made the decision (`nil`: the configuration as loaded).
    public var policyVersion: Int?
    /// The caller's role has a fixed-tier rule that skips classification: the tier came from
    /// the configuration, not from the router.
    public var fixedTierRole: Bool

    /// Whether the router decided this call's tier: auto-routed (`triage/auto`) and not under a
    /// fixed-tier role. The operating metrics and recalibration count exactly these calls
    /// (`SQLiteTraceStore.routerDecision` is the same condition in SQL).
    public var isRouterDecision: Bool { mode == "auto" && !fixedTierRole }

    public init(
        requestID: String, runID: String? = nil, startedAt: Date, endpoint: String, role: String? = nil, keyName: String? = nil,
        requestedModel: String, mode: String, tier: String? = nil, lane: String? = nil, skill: String? = nil, model: String? = nil,
        provider: String? = nil, stream: Bool = false, status: TraceStatus, httpStatus: Int, usage: Usage = .zero, costUSD: Double = 0,
        latencyMs: Double, timeToFirstTokenMs: Double? = nil, reasons: [String] = [], attempts: [AttemptRecord] = [], error: String? = nil,
        escalations: Int = 0, validation: ValidationStatus? = nil, routedTier: String? = nil, complexity: Double? = nil, risks: [String] = [],
        policyVersion: Int? = nil, fixedTierRole: Bool = false
    ) {
        self.fixedTierRole = fixedTierRole
        self.routedTier = routedTier
        self.complexity = complexity
        self.risks = risks
        self.policyVersion = policyVersion
        self.escalations = escalations
        self.validation = validation
        self.requestID = requestID
        self.runID = runID
        self.startedAt = startedAt
        self.endpoint = endpoint
        self.role = role
        self.keyName = keyName
        self.requestedModel = requestedModel
        self.mode = mode
        self.tier = tier
        self.lane = lane
        self.skill = skill
        self.model = model
        self.provider = provider
        self.stream = stream
        self.status = status
        self.httpStatus = httpStatus
        self.usage = usage
        self.costUSD = costUSD
        self.latencyMs = latencyMs
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.reasons = reasons
        self.attempts = attempts
        self.error = error
    }
}
