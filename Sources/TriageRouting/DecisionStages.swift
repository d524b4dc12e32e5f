import TriageCore

/// Names the skill a request asks for (extraction, planning, code edit …). Pure and synchronous.
public protocol SkillClassifier: Sendable {
    func skill(for analysis: PromptAnalysis) -> String?
}

/// A known-hard pattern found in a request, with the tier it requires.
public struct RiskSignal: Sendable, Hashable {
    public var name: String
    public var score: Double
    public var minimumTier: Tier
    public var reason: String

    public init(name: String, score: Double, minimumTier: Tier, reason: String) {
        self.name = name
        self.score = score
        self.minimumTier = minimumTier
        self.reason = reason
    }
}

/// Finds known-hard patterns that should raise the tier. Pure and synchronous.
public protocol RiskPredictor: Sendable {
    func risks(for analysis: PromptAnalysis) -> [RiskSignal]
}

/// A router's answer: the tier, the complexity score behind it when there is one, and why.
public struct TierChoice: Sendable, Hashable {
    public var tier: Tier
    public var complexity: Double?
    public var reason: String

    public init(tier: Tier, complexity: Double? = nil, reason: String) {
        self.tier = tier
        self.complexity = complexity
        self.reason = reason
    }
}

/// The routing layers' verdict on an auto-routed request (`DecisionPipeline.assess`).
public struct Assessment: Sendable {
    public var skill: String?
    public var tier: Tier
    /// The complexity score, when the router computed one.
    public var complexity: Double?
    public var risks: [RiskSignal]
    public var reasons: [String]

    public init(skill: String? = nil, tier: Tier, complexity: Double? = nil, risks: [RiskSignal] = [], reasons: [String]) {
        self.skill = skill
        self.tier = tier
        self.complexity = complexity
        self.risks = risks
        self.reasons = reasons
    }
}

/// Picks a tier for an auto-routed request that no role rule fixes.
public protocol TierRouter: Sendable {
    func tier(for analysis: PromptAnalysis, skill: String?, policy: RoutingPolicy) -> TierChoice
}

/// The classifier used when none is configured: it names no skill.
public struct NoSkillClassifier: SkillClassifier {
    public init() {}
    public func skill(for analysis: PromptAnalysis) -> String? { nil }
}

/// The risk predictor used when none is configured: it finds none.
public struct NoRiskPredictor: RiskPredictor {
    public init() {}
    public func risks(for analysis: PromptAnalysis) -> [RiskSignal] { [] }
}

/// Routes every request without a role rule to the policy's default tier.
public struct DefaultTierRouter: TierRouter {
    public init() {}
    public func tier(for analysis: PromptAnalysis, skill: String?, policy: RoutingPolicy) -> TierChoice {
        let role = analysis.role.map { "role '\($0)' has no rule" } ?? "no role given"
        return TierChoice(tier: policy.defaultTier, reason: "\(role): default tier \(policy.defaultTier.rawValue)")
    }
}
