import TriageCore

/// Names the skill a request asks for (extraction, planning, code edit …). Pure and synchronous.
public protocol SkillClassifier: Sendable {
    func skill(for request: RouteRequest) -> String?
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
    func risks(for request: RouteRequest) -> [RiskSignal]
}

/// Picks a tier for an auto-routed request that no role rule fixes.
public protocol TierRouter: Sendable {
    /// The tier and the reason for it.
    func tier(for request: RouteRequest, skill: String?, policy: RoutingPolicy) -> (Tier, String)
}

/// The classifier used until a trained one is configured: it names no skill.
public struct NoSkillClassifier: SkillClassifier {
    public init() {}
    public func skill(for request: RouteRequest) -> String? { nil }
}

/// The risk predictor used until one is configured: it finds none.
public struct NoRiskPredictor: RiskPredictor {
    public init() {}
    public func risks(for request: RouteRequest) -> [RiskSignal] { [] }
}

/// Routes every request without a role rule to the policy's default tier.
public struct DefaultTierRouter: TierRouter {
    public init() {}
    public func tier(for request: RouteRequest, skill: String?, policy: RoutingPolicy) -> (Tier, String) {
        let role = request.role.map { "role '\($0)' has no rule" } ?? "no role given"
        return (policy.defaultTier, "\(role): default tier \(policy.defaultTier.rawValue)")
    }
}
