import TriageCore

/// One answered upstream attempt of an auto-routed call.
public struct AnsweredAttempt: Sendable, Hashable {
    public var model: String
    public var tier: Tier
    /// Whether the answer passed validation.
    public var passed: Bool

    public init(model: String, tier: Tier, passed: Bool) {
        self.model = model
        self.tier = tier
        self.passed = passed
    }
}

/// What happened to one auto-routed call, as the recalibrator sees it.
///
/// Each answered attempt is a trial for its skill on its tier and for its model on the skill.
/// Attempts escalated away are failures. The served (last) attempt succeeds when it passed, the
/// feedback score (if any) is at least 0.5 and the tier a person named (if any) is not above the
/// served one; a named tier below the served one also counts one success for the skill on that
/// tier (no model answered it, so no model is credited).
public struct CallOutcome: Sendable, Hashable {
    /// The name unclassified calls are counted under.
    public static let unclassified = "(none)"

    /// The classified skill; `nil` (unclassified) is counted under `"(none)"`.
    public var skill: String?
    /// The tier the router chose, before any escalation.
    public var routedTier: Tier
    /// The router's complexity score, when it computed one.
    public var complexity: Double?
    /// The highest tier a detected risk demanded.
    public var riskFloor: Tier?
    /// Answered attempts in order; the last one was served, the earlier ones were escalated away.
    public var attempts: [AnsweredAttempt]
    /// Mean of the feedback given, 0…1; `nil` when there was none.
    public var feedbackScore: Double?
    /// The tier a person said was right.
    public var correctTier: Tier?
    public var inputTokens: Int
    public var outputTokens: Int

    public init(
        skill: String?, routedTier: Tier, complexity: Double? = nil, riskFloor: Tier? = nil, attempts: [AnsweredAttempt],
        feedbackScore: Double? = nil, correctTier: Tier? = nil, inputTokens: Int = 0, outputTokens: Int = 0
    ) {
        self.skill = skill
        self.routedTier = routedTier
        self.complexity = complexity
        self.riskFloor = riskFloor
        self.attempts = attempts
        self.feedbackScore = feedbackScore
        self.correctTier = correctTier
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// The skill name evidence is counted under.
    public var skillKey: String { skill ?? Self.unclassified }
}
