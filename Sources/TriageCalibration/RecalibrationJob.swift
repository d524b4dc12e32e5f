import Foundation
import TriageConfig
import TriageCore
import TriageRouting
import TriageStore

/// The nightly recalibration as one job over the trace database: read a window of auto-routed
/// calls with their feedback, recalibrate from the active policy version (or the
/// configuration), and store the result as a new version unless it is a dry run.
public struct RecalibrationJob: Sendable {
    public let config: GatewayConfig
    public let store: SQLiteTraceStore
    public let settings: RecalibrationSettings

    public init(config: GatewayConfig, store: SQLiteTraceStore, settings: RecalibrationSettings) {
        self.config = config
        self.store = store
        self.settings = settings
    }

    /// What one run found and did.
    public struct Outcome: Sendable {
        public var calls: Int
        /// The version the run started from; `nil` for the configuration as loaded.
        public var current: PolicyVersionRecord?
        public var recalibration: Recalibration
        /// The version written; `nil` for a dry run or when nothing changed.
        public var written: PolicyVersionRecord?
        public var changed: Bool
    }

    public func run(window: TimeInterval, now: Date = Date(), write: Bool) async throws -> Outcome {
        let active = try await store.latestPolicyVersion()
        let current = try active.map { try RoutingTuning(json: JSONParser.parse($0.tuning)) } ?? config.baseTuning
        let judged = try await store.judgedTraces(from: now.addingTimeInterval(-window), to: now.addingTimeInterval(1))
        let outcomes = self.outcomes(judged)
        let result = Recalibrator(settings: settings).recalibrate(
            outcomes, current: current, defaultTier: config.policy.defaultTier, prices: TierPrices(cheapestIn: config.catalog))
        let changed = result.tuning != current
        var written: PolicyVersionRecord?
        if changed, write {
            var basedOn = active?.version
            if active == nil {
                // Version 1 is the configuration as it was, so returning to it is one rollback.
                basedOn = try await store.savePolicyVersion(
                    basedOn: nil, summary: "baseline: the configuration as loaded", changes: [], tuning: JSONWriter.string(current.json), at: now
                ).version
            }
            written = try await store.savePolicyVersion(
                basedOn: basedOn, summary: Self.summary(result, calls: outcomes.count), changes: result.changes,
                tuning: JSONWriter.string(result.tuning.json), at: now)
        }
        return Outcome(calls: outcomes.count, current: active, recalibration: result, written: written, changed: changed)
    }

    /// Calls the routing brain decided (`TraceRecord.isRouterDecision`, the calls the operating
    /// metrics count too), as the recalibrator reads them: the answered attempts with the tier
    /// of their model and whether they passed, the risk floor, the feedback.
    public func outcomes(_ judged: [JudgedTrace]) -> [CallOutcome] {
        judged.compactMap { item in
            let trace = item.trace
            guard trace.isRouterDecision else { return nil }
            guard let routed = (trace.routedTier ?? trace.tier).flatMap(Tier.init(rawValue:)) else { return nil }
            let answered = trace.attempts.filter { $0.usage != nil && ($0.outcome == "ok" || $0.outcome == "invalid") }
            var attempts = answered.compactMap { attempt -> AnsweredAttempt? in
                guard let tier = config.catalog.model(named: attempt.model)?.tier else { return nil }
                return AnsweredAttempt(model: attempt.model, tier: tier, passed: attempt.outcome == "ok")
            }
            // A served answer that failed its validators (and could not be escalated) failed.
            if trace.validation == .failed, !attempts.isEmpty { attempts[attempts.count - 1].passed = false }
            guard !attempts.isEmpty else { return nil }
            let riskFloor = trace.risks.compactMap { PatternRiskPredictor.Signal(rawValue: $0).flatMap { config.routing.riskTiers[$0] } }.max()
            return CallOutcome(
                skill: trace.skill, routedTier: routed, complexity: trace.complexity, riskFloor: riskFloor, attempts: attempts,
                feedbackScore: item.feedbackScore, correctTier: item.correctTier.flatMap(Tier.init(rawValue:)),
                inputTokens: trace.usage.inputTokens, outputTokens: trace.usage.outputTokens)
        }
    }

    static func summary(_ result: Recalibration, calls: Int) -> String {
        var text = "recalibrated on \(calls) calls: \(result.changes.count) change(s)"
        if let cost = result.projection.costChange { text += String(format: "; projected cost %+.1f%%", cost * 100) }
        text += String(format: "; expected success %.3f → %.3f", result.projection.expectedSuccessBefore, result.projection.expectedSuccessAfter)
        return text
    }
}
