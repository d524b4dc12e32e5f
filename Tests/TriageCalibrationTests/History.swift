import TriageCalibration
import TriageCore
import TriageRouting

/// Builders for synthetic call histories whose right recalibration is known.
enum History {
    static let small = "small-a"
    static let mid = "mid-a"
    static let frontier = "frontier-a"

    /// $0.1 / $0.4 per million tokens on small, $1 / $4 on mid, $5 / $20 on frontier.
    static let prices = TierPrices(
        input: [.small: 0.1e-6, .mid: 1e-6, .frontier: 5e-6],
        output: [.small: 0.4e-6, .mid: 4e-6, .frontier: 20e-6])

    static func model(of tier: Tier) -> String {
        switch tier {
        case .small: small
        case .mid: mid
        case .frontier: frontier
        }
    }

    /// `count` calls that start on `routed`: each failing attempt escalates one tier up, the
    /// last attempt passes unless `servedPasses` is false.
    static func calls(
        _ count: Int, skill: String?, score: Double?, routed: Tier, failuresBeforeServed: Int = 0, servedPasses: Bool = true,
        riskFloor: Tier? = nil, feedback: Double? = nil, correctTier: Tier? = nil, inputTokens: Int = 1000, outputTokens: Int = 200
    ) -> [CallOutcome] {
        var attempts: [AnsweredAttempt] = []
        var tier = routed
        for _ in 0..<failuresBeforeServed {
            attempts.append(AnsweredAttempt(model: model(of: tier), tier: tier, passed: false))
            tier = tier.next ?? tier
        }
        attempts.append(AnsweredAttempt(model: model(of: tier), tier: tier, passed: servedPasses))
        let outcome = CallOutcome(
            skill: skill, routedTier: routed, complexity: score, riskFloor: riskFloor, attempts: attempts, feedbackScore: feedback,
            correctTier: correctTier, inputTokens: inputTokens, outputTokens: outputTokens)
        return Array(repeating: outcome, count: count)
    }

    /// extraction always passes on small (40 calls in the middle band, 2000 in / 500 out tokens);
    /// planning fails on small 30 of 40 times (scored small) and then passes on mid; summarizing has
    /// only 5 calls, all failing on small.
    static var known: [CallOutcome] {
        extraction + planning + calls(5, skill: "summarizing", score: 0.3, routed: .small, failuresBeforeServed: 1)
    }

    static var extraction: [CallOutcome] {
        calls(40, skill: "extraction", score: 0.3, routed: .small, inputTokens: 2000, outputTokens: 500)
    }

    static var planning: [CallOutcome] {
        calls(30, skill: "planning", score: 0.05, routed: .small, failuresBeforeServed: 1, inputTokens: 500, outputTokens: 100)
            + calls(10, skill: "planning", score: 0.05, routed: .small, inputTokens: 500, outputTokens: 100)
    }

    static func recalibrate(_ outcomes: [CallOutcome], current: RoutingTuning = RoutingTuning()) -> Recalibration {
        Recalibrator().recalibrate(outcomes, current: current, defaultTier: .mid, prices: prices)
    }
}

/// A small deterministic generator (SplitMix64), so shuffled inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Recalibration {
    func estimate(skill: String, tier: Tier) -> SuccessEstimate? {
        estimates.first { $0.subject == .skillOnTier(skill: skill, tier: tier) }
    }

    func estimate(model: String, skill: String) -> SuccessEstimate? {
        estimates.first { $0.subject == .modelOnSkill(model: model, skill: skill) }
    }
}

func isClose(_ a: Double, _ b: Double, within tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance }
