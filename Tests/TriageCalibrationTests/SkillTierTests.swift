import Testing
import TriageCalibration
import TriageCore
import TriageRouting

/// The per-skill moves on mid evidence, and a move down that lifts a minimum tier.
@Suite struct SkillTierTests {
    @Test func aSkillThatFailsOnMidNeedsFrontier() {
        let history = History.calls(40, skill: "proof", score: 0.3, routed: .mid, failuresBeforeServed: 1)
        let result = History.recalibrate(history)
        #expect(result.tuning.skillMinimumTiers == ["proof": .frontier])
        // proof now runs on frontier whatever its score, so its mid failures say nothing about the frontier cut.
        #expect(result.tuning.thresholds == ComplexityThresholds())
        #expect(result.changes.first == "skills.proof.min_tier: (none) → frontier — proof on mid passed 0/40, upper bound 0.088 < floor 0.9")
    }

    @Test func aFrontierSkillThatMidWouldHaveDoneComesDownToMid() {
        let current = RoutingTuning(skillMinimumTiers: ["proof": .frontier])
        let history = History.calls(40, skill: "proof", score: nil, routed: .frontier, correctTier: .mid)
        let result = History.recalibrate(history, current: current)
        #expect(result.tuning.skillMinimumTiers == ["proof": .mid])
        #expect(result.projection.callsMoved == 40)
        #expect(result.projection.costAfterUSD < result.projection.costBeforeUSD)
    }

    @Test func movingDownDropsAMinimumTierAboveSmall() {
        let current = RoutingTuning(skillMinimumTiers: ["extraction": .mid])
        let result = History.recalibrate(History.extraction, current: current)
        #expect(result.tuning.skillMinimumTiers.isEmpty)
        #expect(result.tuning.skillBandTiers == ["extraction": .small])
        let evidence = "extraction on small passed 40/40, lower bound 0.912 ≥ floor 0.9"
        #expect(
            Array(result.changes.prefix(2)) == [
                "skills.extraction.band_tier: (default) → small — \(evidence)",
                "skills.extraction.min_tier: mid → (none) — \(evidence)",
            ])
    }
}
