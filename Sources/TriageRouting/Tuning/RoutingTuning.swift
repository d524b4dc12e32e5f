import TriageCore

/// The parts of the routing policy that recalibration tunes. Stored as numbered versions; the
/// gateway applies the active one on top of its configuration.
public struct RoutingTuning: Sendable, Equatable {
    /// Complexity cuts: score < `small` → small tier; score ≥ `frontier` → frontier tier;
    /// in between → the skill's band tier.
    public var thresholds: ComplexityThresholds
    /// Lowest tier a skill may run on.
    public var skillMinimumTiers: [String: Tier]
    /// The tier a skill's middle complexity band goes to (default: the policy's default tier).
    public var skillBandTiers: [String: Tier]
    /// Expected answer quality (0…1) per model, per skill (`"default"` covers unlisted skills).
    public var quality: [String: [String: Double]]

    public init(
        thresholds: ComplexityThresholds = .init(), skillMinimumTiers: [String: Tier] = [:],
        skillBandTiers: [String: Tier] = [:], quality: [String: [String: Double]] = [:]
    ) {
        self.thresholds = thresholds
        self.skillMinimumTiers = skillMinimumTiers
        self.skillBandTiers = skillBandTiers
        self.quality = quality
    }

    /// The routing rule. A score below the small cut picks small, one at or above the frontier cut
    /// picks frontier, anything else (or no score) the skill's band tier or `defaultTier`; the
    /// result is then raised to the skill's minimum tier and to `riskFloor`. Allocation-free: the
    /// gateway's router calls it on every auto-routed request.
    public func tier(forComplexity score: Double?, skill: String?, defaultTier: Tier, riskFloor: Tier?) -> Tier {
        var tier: Tier
        if let score, score >= thresholds.frontier {
            tier = .frontier
        } else if let score, score < thresholds.small {
            tier = .small
        } else if let skill, let band = skillBandTiers[skill] {
            tier = band
        } else {
            tier = defaultTier
        }
        if let skill, let minimum = skillMinimumTiers[skill], minimum > tier { tier = minimum }
        if let riskFloor, riskFloor > tier { tier = riskFloor }
        return tier
    }
}
