import TriageCore

/// How a role is routed: to a fixed tier, optionally to one pinned model.
public struct RoleRule: Sendable, Hashable {
    public var tier: Tier
    /// Fixed-tier roles skip the skill classifier and risk predictor entirely.
    public var skipClassification: Bool

    public init(tier: Tier, skipClassification: Bool = true) {
        self.tier = tier
        self.skipClassification = skipClassification
    }
}

/// A compliance pin: calls matching it go to one model, whatever the router would say.
public struct Pin: Sendable, Hashable {
    public enum Match: Sendable, Hashable {
        case role(String)
        /// The name of an authenticated client key.
        case key(String)
    }

    public var match: Match
    public var model: String

    public init(match: Match, model: String) {
        self.match = match
        self.model = model
    }
}

/// The routing rules of one configuration version.
public struct RoutingPolicy: Sendable {
    public var roles: [String: RoleRule]
    /// Tier for auto-routed calls with no role or an unknown one.
    public var defaultTier: Tier
    public var pins: [Pin]
    /// When every model of the chosen tier fails before the first byte, try the tiers above.
    public var failoverToHigherTiers: Bool
    /// The confidence threshold: the selector prefers models whose quality prior for the skill
    /// reaches it (`nil`: price alone decides).
    public var minimumQuality: Double?

    public init(
        roles: [String: RoleRule] = [:], defaultTier: Tier = .mid, pins: [Pin] = [], failoverToHigherTiers: Bool = true, minimumQuality: Double? = nil
    ) {
        self.minimumQuality = minimumQuality
        self.roles = roles
        self.defaultTier = defaultTier
        self.pins = pins
        self.failoverToHigherTiers = failoverToHigherTiers
    }
}
