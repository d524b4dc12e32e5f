import TriageCore

/// How often one tier (per skill) or one model (per skill) succeeded in the window, with the
/// Wilson score interval that recalibration compares against the quality floor.
public struct SuccessEstimate: Sendable, Hashable {
    /// What was measured.
    public enum Subject: Sendable, Hashable {
        /// Every trial at `tier` for `skill`, including a person's "the cheaper tier would have done".
        case skillOnTier(skill: String, tier: Tier)
        /// Every answered attempt of `model` for `skill`.
        case modelOnSkill(model: String, skill: String)
    }

    public var subject: Subject
    public var samples: Int
    public var successes: Int
    /// `successes / samples`.
    public var mean: Double
    /// The Wilson score interval's lower bound.
    public var lower: Double
    /// The Wilson score interval's upper bound.
    public var upper: Double

    public init(subject: Subject, samples: Int, successes: Int, mean: Double, lower: Double, upper: Double) {
        self.subject = subject
        self.samples = samples
        self.successes = successes
        self.mean = mean
        self.lower = lower
        self.upper = upper
    }

    init(subject: Subject, count: SuccessCount, z: Double) {
        let interval = count.wilsonInterval(z: z)
        self.init(subject: subject, samples: count.trials, successes: count.successes, mean: count.rate, lower: interval.lower, upper: interval.upper)
    }

    /// The estimate as a JSON object (`skill` and `tier`, or `model` and `skill`, then the numbers).
    public var json: JSONValue {
        var object = JSONObject()
        switch subject {
        case .skillOnTier(let skill, let tier):
            object["skill"] = .string(skill)
            object["tier"] = .string(tier.rawValue)
        case .modelOnSkill(let model, let skill):
            object["model"] = .string(model)
            object["skill"] = .string(skill)
        }
        object["samples"] = JSONValue(samples)
        object["successes"] = JSONValue(successes)
        object["mean"] = JSONValue(mean)
        object["lower"] = JSONValue(lower)
        object["upper"] = JSONValue(upper)
        return .object(object)
    }
}
