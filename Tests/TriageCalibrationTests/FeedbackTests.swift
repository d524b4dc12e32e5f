import Testing
import TriageCalibration
import TriageCore
import TriageRouting

/// People's feedback as evidence: a named tier above or below the served one, and a bad score.
@Suite struct FeedbackTests {
    @Test func aPersonNamingAHigherTierFailsTheServedOne() throws {
        let history = History.calls(40, skill: "translation", score: 0.3, routed: .small, correctTier: .mid)
        let result = History.recalibrate(history)
        let small = try #require(result.estimate(skill: "translation", tier: .small))
        #expect(small.samples == 40 && small.successes == 0)
        #expect(result.estimate(skill: "translation", tier: .mid) == nil)
        #expect(result.tuning.skillMinimumTiers == ["translation": .mid])
        #expect(result.tuning.quality["small-a"]?["translation"] == 0.1)  // (10·0.5 + 0) / 50
    }

    @Test func aPersonNamingALowerTierAddsASuccessThere() throws {
        let history = History.calls(40, skill: "tagging", score: 0.3, routed: .mid, correctTier: .small)
        let result = History.recalibrate(history)
        #expect(result.estimate(skill: "tagging", tier: .small)?.successes == 40)
        #expect(result.estimate(skill: "tagging", tier: .mid)?.successes == 40)
        // Nobody answered on small: the counterfactual success belongs to no model.
        #expect(result.estimate(model: "small-a", skill: "tagging") == nil)
        #expect(result.tuning.skillBandTiers == ["tagging": .small])
        #expect(result.changes.first == "skills.tagging.band_tier: (default) → small — tagging on small passed 40/40, lower bound 0.912 ≥ floor 0.9")
    }

    @Test func aBadFeedbackScoreFailsAPassedAnswer() throws {
        let disliked = History.calls(40, skill: "chat", score: 0.3, routed: .small, feedback: 0.2)
        let result = History.recalibrate(disliked)
        #expect(result.estimate(skill: "chat", tier: .small)?.successes == 0)
        #expect(result.tuning.skillMinimumTiers == ["chat": .mid])

        let lukewarm = History.calls(40, skill: "chat", score: 0.3, routed: .small, feedback: 0.5)
        #expect(History.recalibrate(lukewarm).estimate(skill: "chat", tier: .small)?.successes == 40)
    }

    @Test func escalatedAndFailedAttemptsAreFailures() throws {
        // small fails, mid fails, frontier is served and fails validation too.
        let history = History.calls(1, skill: "proof", score: 0.3, routed: .small, failuresBeforeServed: 2, servedPasses: false)
        let result = History.recalibrate(history)
        for tier in Tier.allCases {
            let estimate = try #require(result.estimate(skill: "proof", tier: tier))
            #expect(estimate.samples == 1 && estimate.successes == 0)
        }
    }
}
