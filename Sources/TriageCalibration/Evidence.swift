import TriageCore

/// One success or failure of a tier on a call; `model` is `nil` for a person's "the cheaper tier
/// would have done", which no model answered.
struct Trial: Sendable, Hashable {
    var tier: Tier
    var model: String?
    var succeeded: Bool
}

extension CallOutcome {
    /// The call's trials. Every attempt escalated away failed. The served (last) attempt succeeded
    /// when it passed, the feedback score (if any) is at least 0.5 and the tier a person named (if
    /// any) is not above it. A named tier below the served one adds a success for that tier.
    var trials: [Trial] {
        guard let served = attempts.last else { return [] }
        var trials = attempts.dropLast().map { Trial(tier: $0.tier, model: $0.model, succeeded: false) }
        let liked = feedbackScore.map { $0 >= 0.5 } ?? true
        let tierWasEnough = correctTier.map { $0 <= served.tier } ?? true
        trials.append(Trial(tier: served.tier, model: served.model, succeeded: served.passed && liked && tierWasEnough))
        if let correctTier, correctTier < served.tier {
            trials.append(Trial(tier: correctTier, model: nil, succeeded: true))
        }
        return trials
    }
}

/// A skill on a tier, ordered by skill name, then tier.
struct SkillTier: Sendable, Hashable, Comparable {
    var skill: String
    var tier: Tier

    static func < (lhs: SkillTier, rhs: SkillTier) -> Bool {
        lhs.skill != rhs.skill ? lhs.skill < rhs.skill : lhs.tier < rhs.tier
    }
}

/// A model on a skill, ordered by model name, then skill.
struct ModelSkill: Sendable, Hashable, Comparable {
    var model: String
    var skill: String

    static func < (lhs: ModelSkill, rhs: ModelSkill) -> Bool {
        lhs.model != rhs.model ? lhs.model < rhs.model : lhs.skill < rhs.skill
    }
}

/// The window's trials counted per skill × tier and per model × skill. Counting makes every
/// later step independent of the order the outcomes came in.
struct Evidence: Sendable {
    private(set) var skillTiers: [SkillTier: SuccessCount] = [:]
    private(set) var modelSkills: [ModelSkill: SuccessCount] = [:]
    private(set) var tiers: [Tier: SuccessCount] = [:]

    init(_ outcomes: [CallOutcome]) {
        for outcome in outcomes {
            let skill = outcome.skillKey
            for trial in outcome.trials {
                skillTiers[SkillTier(skill: skill, tier: trial.tier), default: SuccessCount()].record(trial.succeeded)
                tiers[trial.tier, default: SuccessCount()].record(trial.succeeded)
                if let model = trial.model {
                    modelSkills[ModelSkill(model: model, skill: skill), default: SuccessCount()].record(trial.succeeded)
                }
            }
        }
    }

    func count(skill: String, tier: Tier) -> SuccessCount {
        skillTiers[SkillTier(skill: skill, tier: tier)] ?? SuccessCount()
    }

    /// The classified skills with any trial, sorted.
    var skills: [String] {
        Set(skillTiers.keys.map(\.skill)).subtracting([CallOutcome.unclassified]).sorted()
    }

    /// Skill × tier estimates sorted by skill and tier, then model × skill ones by model and skill.
    func estimates(z: Double) -> [SuccessEstimate] {
        skillTiers.keys.sorted().map { SuccessEstimate(subject: .skillOnTier(skill: $0.skill, tier: $0.tier), count: skillTiers[$0]!, z: z) }
            + modelSkills.keys.sorted().map { SuccessEstimate(subject: .modelOnSkill(model: $0.model, skill: $0.skill), count: modelSkills[$0]!, z: z) }
    }

    /// The success rate the projection expects of `skill` on `tier`: the skill's own rate when it
    /// has enough trials, else the tier's rate over all skills when that has, else the floor.
    func expectedSuccess(skill: String, tier: Tier, settings: RecalibrationSettings) -> Double {
        let own = count(skill: skill, tier: tier)
        if own.trials >= settings.minimumSamples { return own.rate }
        let pooled = tiers[tier] ?? SuccessCount()
        if pooled.trials >= settings.minimumSamples { return pooled.rate }
        return settings.qualityFloor
    }
}
