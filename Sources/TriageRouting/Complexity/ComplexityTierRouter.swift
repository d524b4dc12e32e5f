import TriageCore

/// Where the complexity score moves a call: below `small` to the small tier, at or above
/// `frontier` to the frontier tier, in between to the policy's default tier.
public struct ComplexityThresholds: Sendable, Hashable {
    public var small: Double
    public var frontier: Double

    /// The defaults suit the built-in scorer, whose scores centre near 0.17 (the share of
    /// RouterBench prompts that needed the stronger model).
    public init(small: Double = 0.1, frontier: Double = 0.5) {
        self.small = small
        self.frontier = frontier
    }
}

/// Routes by the skill and the learned complexity score: a skill may carry a minimum tier, the
/// score picks small / default / frontier by the thresholds.
public struct ComplexityTierRouter: TierRouter {
    public var model: ComplexityModel
    public var features: ComplexityFeatures
    public var thresholds: ComplexityThresholds
    /// The lowest tier a skill may run on (e.g. planning → frontier).
    public var skillTiers: [String: Tier]
    /// The tier a skill's middle band goes to instead of the policy's default tier (set by
    /// recalibration when a cheaper tier proved good enough for the skill).
    public var skillBandTiers: [String: Tier]

    public init(
        model: ComplexityModel, analyzer: PromptAnalyzer, thresholds: ComplexityThresholds = .init(), skillTiers: [String: Tier] = [:],
        skillBandTiers: [String: Tier] = [:]
    ) {
        self.model = model
        self.features = ComplexityFeatures(analyzer: analyzer)
        self.thresholds = thresholds
        self.skillTiers = skillTiers
        self.skillBandTiers = skillBandTiers
    }

    public func tier(for analysis: PromptAnalysis, skill: String?, policy: RoutingPolicy) -> TierChoice {
        let score = model.score(analysis, features: features)
        var tier: Tier
        var reason: String
        let shown = (score * 1000).rounded() / 1000
        if score >= thresholds.frontier {
            tier = .frontier
            reason = "complexity \(shown) ≥ \(thresholds.frontier) → frontier"
        } else if score < thresholds.small {
            tier = .small
            reason = "complexity \(shown) < \(thresholds.small) → small"
        } else if let skill, let band = skillBandTiers[skill] {
            tier = band
            reason = "complexity \(shown) → skill \(skill) band tier \(band.rawValue)"
        } else {
            tier = policy.defaultTier
            reason = "complexity \(shown) → default tier \(tier.rawValue)"
        }
        if let skill, let floor = skillTiers[skill], floor > tier {
            tier = floor
            reason += "; skill \(skill) needs \(floor.rawValue)"
        }
        return TierChoice(tier: tier, complexity: score, reason: reason)
    }
}
