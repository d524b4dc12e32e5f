import TriageCore

/// How the decision was reached, recorded with every trace.
public enum RouteMode: String, Sendable, Hashable {
    case auto
    case forcedTier = "forced_tier"
    case passthrough
    case pinned
}

/// One model to try, in order, with its expected cost for this request.
public struct RouteCandidate: Sendable, Hashable {
    public var model: ModelSpec
    public var expectedCostUSD: Double

    public init(model: ModelSpec, expectedCostUSD: Double) {
        self.model = model
        self.expectedCostUSD = expectedCostUSD
    }
}

/// The outcome of the decision step: the tier and lane, the ordered candidates to try and the
/// human-readable reasons behind them.
public struct RouteDecision: Sendable {
    public var mode: RouteMode
    public var tier: Tier
    public var lane: Lane
    public var skill: String?
    public var candidates: [RouteCandidate]
    public var reasons: [String]
    /// The complexity score, when the router computed one.
    public var complexity: Double?
    /// The known-hard patterns found in the request.
    public var risks: [RiskSignal] = []

    public init(mode: RouteMode, tier: Tier, lane: Lane, skill: String? = nil, candidates: [RouteCandidate], reasons: [String]) {
        self.mode = mode
        self.tier = tier
        self.lane = lane
        self.skill = skill
        self.candidates = candidates
        self.reasons = reasons
    }
}
