import Foundation
import Synchronization
import Tracing
import TriageCore
import TriageRouting
import TriageStore

/// Collects what happens during one call and turns it into a `TraceRecord` at the end.
struct CallRecorder: Sendable {
    let requestID: String
    let startedAt: Date
    let started: ContinuousClock.Instant
    let endpoint: String
    var requestedModel = ""
    var role: String?
    var runID: String?
    var keyName: String?
    /// The role's rule fixes the tier and skips classification: not a router decision.
    var fixedTierRole = false
    var stream = false
    var decision: RouteDecision? {
        didSet { if routed == nil { routed = decision } }
    }
    /// The first decision, before any escalation.
    private(set) var routed: RouteDecision?
    var policyVersion: Int?
    /// The caller's trace context, read only when spans are exported.
    var spanParent: ServiceContext?
    var attempts: [AttemptRecord] = []
    var servedBy: ModelSpec?
    var firstByte: ContinuousClock.Instant?
    var escalations = 0
    var validation: ValidationStatus?
    /// Tokens and cost of answers that were paid for but not served (failed validations,
    /// judge calls): the trace's totals include them.
    var spentUsage = Usage.zero
    var spentCostUSD = 0.0

    init(endpoint: String) {
        self.requestID = Self.newRequestID()
        self.startedAt = Date()
        self.started = .now
        self.endpoint = endpoint
    }

    /// Request ids sort by time (milliseconds, then a per-process counter) and end in a
    /// per-process random part, so they are unique across replicas and the trace index grows at
    /// its end instead of at random pages.
    static func newRequestID() -> String {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let sequence = requestSequence.add(1, ordering: .relaxed).newValue & 0xFFFF_FFFF
        return "req_" + hex(milliseconds, width: 12) + hex(sequence, width: 8) + processSuffix
    }

    private static let requestSequence = Atomic<UInt64>(0)
    private static let processSuffix: String = {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next() as UInt64, width: 16)
    }()

    private static func hex(_ value: UInt64, width: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }


    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    mutating func addAttempt(
        _ model: ModelSpec, outcome: String, status: Int? = nil, since start: ContinuousClock.Instant, detail: String? = nil, usage: Usage? = nil,
        checks: [ValidatorCheck] = [], responseModel: String? = nil
    ) {
        attempts.append(
            AttemptRecord(
                model: model.name, provider: model.provider, outcome: outcome, status: status, startOffsetMs: Self.milliseconds(start - started),
                latencyMs: Self.milliseconds(.now - start), detail: detail, usage: usage, costUSD: usage.map { model.price.cost(of: $0) },
                checks: checks, responseModel: responseModel))
    }

    /// Records an answer that was paid for but not served: its cost counts in the trace.
    mutating func addUnservedAttempt(
        _ model: ModelSpec, outcome: String, since start: ContinuousClock.Instant, usage: Usage, checks: [ValidatorCheck], detail: String? = nil,
        responseModel: String? = nil
    ) {
        addAttempt(model, outcome: outcome, status: 200, since: start, detail: detail, usage: usage, checks: checks, responseModel: responseModel)
        spentUsage = spentUsage + usage
        spentCostUSD += model.price.cost(of: usage)
    }

    func trace(status: TraceStatus, httpStatus: Int, usage served: Usage = .zero, error: String? = nil) -> TraceRecord {
        let model = servedBy ?? attempts.last.flatMap { attempt in decision?.candidates.first { $0.model.name == attempt.model }?.model }
        let cost = spentCostUSD + (servedBy.map { $0.price.cost(of: served) } ?? 0)
        let usage = served + spentUsage
        return TraceRecord(
            requestID: requestID, runID: runID, startedAt: startedAt, endpoint: endpoint, role: role, keyName: keyName,
            requestedModel: requestedModel, mode: decision?.mode.rawValue ?? "none", tier: decision?.tier.rawValue,
            lane: decision?.lane.rawValue, skill: decision?.skill, model: model?.name, provider: model?.provider, stream: stream,
            status: status, httpStatus: httpStatus, usage: usage, costUSD: cost, latencyMs: Self.milliseconds(.now - started),
            timeToFirstTokenMs: firstByte.map { Self.milliseconds($0 - started) }, reasons: decision?.reasons ?? [],
            attempts: attempts, error: error, escalations: escalations, validation: validation, routedTier: routed?.tier.rawValue,
            complexity: routed?.complexity, risks: routed?.risks.map(\.name) ?? [], policyVersion: policyVersion,
            fixedTierRole: fixedTierRole)
    }
}
