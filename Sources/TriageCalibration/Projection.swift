import TriageCore
import TriageRouting

/// What the window's calls would have cost and how often they would have succeeded under the
/// current tuning and under the proposed one.
public struct Projection: Sendable, Hashable {
    /// Calls replayed.
    public var calls: Int
    /// Calls whose tier differs between the two tunings.
    public var callsMoved: Int
    /// What the calls cost on the tiers the current tuning picks.
    public var costBeforeUSD: Double
    /// What the calls cost on the tiers the proposed tuning picks.
    public var costAfterUSD: Double
    /// Expected share of calls that succeed on the tier the current tuning picks, 0…1.
    public var expectedSuccessBefore: Double
    /// The same under the proposed tuning.
    public var expectedSuccessAfter: Double

    public init(
        calls: Int, callsMoved: Int, costBeforeUSD: Double, costAfterUSD: Double, expectedSuccessBefore: Double, expectedSuccessAfter: Double
    ) {
        self.calls = calls
        self.callsMoved = callsMoved
        self.costBeforeUSD = costBeforeUSD
        self.costAfterUSD = costAfterUSD
        self.expectedSuccessBefore = expectedSuccessBefore
        self.expectedSuccessAfter = expectedSuccessAfter
    }

    /// `after / before − 1` (−0.2 is 20 % cheaper); `nil` when the calls cost nothing before.
    public var costChange: Double? { Self.relative(costBeforeUSD, costAfterUSD) }
    /// `after / before − 1` of the expected success; `nil` when it was 0 before.
    public var successChange: Double? { Self.relative(expectedSuccessBefore, expectedSuccessAfter) }

    /// The projection as a JSON object with snake_case members; relative changes are `null`
    /// when undefined.
    public var json: JSONValue {
        [
            "calls": JSONValue(calls),
            "calls_moved": JSONValue(callsMoved),
            "cost_before_usd": JSONValue(costBeforeUSD),
            "cost_after_usd": JSONValue(costAfterUSD),
            "cost_change": costChange.map(JSONValue.init) ?? .null,
            "expected_success_before": JSONValue(expectedSuccessBefore),
            "expected_success_after": JSONValue(expectedSuccessAfter),
            "success_change": successChange.map(JSONValue.init) ?? .null,
        ]
    }

    private static func relative(_ before: Double, _ after: Double) -> Double? {
        before > 0 ? after / before - 1 : nil
    }
}

extension Projection {
    /// Replays every outcome through `RoutingTuning.tier(forComplexity:skill:defaultTier:riskFloor:)`
    /// under both tunings. Cost is input tokens × the tier's input price plus output tokens × its
    /// output price; expected success is `Evidence.expectedSuccess` for the call's skill on that
    /// tier. Tokens and calls are summed as integers per tier and per skill × tier first, so the
    /// result does not depend on the outcomes' order.
    init(
        replaying outcomes: [CallOutcome], from old: RoutingTuning, to new: RoutingTuning, defaultTier: Tier, prices: TierPrices,
        evidence: Evidence, settings: RecalibrationSettings
    ) {
        var before = Tally()
        var after = Tally()
        var moved = 0
        for outcome in outcomes {
            let oldTier = old.tier(forComplexity: outcome.complexity, skill: outcome.skill, defaultTier: defaultTier, riskFloor: outcome.riskFloor)
            let newTier = new.tier(forComplexity: outcome.complexity, skill: outcome.skill, defaultTier: defaultTier, riskFloor: outcome.riskFloor)
            before.add(outcome, on: oldTier)
            after.add(outcome, on: newTier)
            if oldTier != newTier { moved += 1 }
        }
        let rate = { (key: SkillTier) in evidence.expectedSuccess(skill: key.skill, tier: key.tier, settings: settings) }
        self.init(
            calls: outcomes.count, callsMoved: moved,
            costBeforeUSD: before.cost(prices), costAfterUSD: after.cost(prices),
            expectedSuccessBefore: before.meanSuccess(rate), expectedSuccessAfter: after.meanSuccess(rate))
    }

    /// Calls and tokens per tier under one tuning.
    private struct Tally {
        var inputTokens: [Tier: Int] = [:]
        var outputTokens: [Tier: Int] = [:]
        var calls: [SkillTier: Int] = [:]

        mutating func add(_ outcome: CallOutcome, on tier: Tier) {
            inputTokens[tier, default: 0] += outcome.inputTokens
            outputTokens[tier, default: 0] += outcome.outputTokens
            calls[SkillTier(skill: outcome.skillKey, tier: tier), default: 0] += 1
        }

        func cost(_ prices: TierPrices) -> Double {
            Tier.allCases.reduce(0) { $0 + prices.cost(inputTokens: inputTokens[$1] ?? 0, outputTokens: outputTokens[$1] ?? 0, on: $1) }
        }

        func meanSuccess(_ rate: (SkillTier) -> Double) -> Double {
            let total = calls.values.reduce(0, +)
            guard total > 0 else { return 0 }
            return calls.keys.sorted().reduce(0) { $0 + Double(calls[$1]!) * rate($1) } / Double(total)
        }
    }
}
