import Testing
import TriageCalibration
import TriageCore
import TriageRouting

/// Quality priors move to the posterior mean (k·q0 + s) / (k + n), and only on enough samples.
@Suite struct QualityPriorTests {
    @Test func priorsMoveToThePosteriorMean() {
        let current = RoutingTuning(quality: ["small-a": ["default": 0.8], "mid-a": ["extraction": 0.6, "default": 0.95]])
        let history =
            History.calls(22, skill: "extraction", score: 0.3, routed: .small)
            + History.calls(3, skill: "extraction", score: 0.3, routed: .small, failuresBeforeServed: 1)
            + History.calls(17, skill: "extraction", score: 0.3, routed: .mid)
            + History.calls(19, skill: "extraction", score: 0.3, routed: .frontier)
        let result = History.recalibrate(history, current: current)
        #expect(
            result.tuning.quality == [
                "small-a": ["default": 0.8, "extraction": 30.0 / 35],  // (10 × 0.8 from default + 22) / (10 + 25)
                "mid-a": ["extraction": 26.0 / 30, "default": 0.95],  // (10 × 0.6 from the skill + 20) / (10 + 20)
                // frontier-a: 19 attempts, below the 20-sample minimum
            ])
        #expect(result.tuning.skillBandTiers.isEmpty && result.tuning.skillMinimumTiers.isEmpty)
        #expect(result.changes.contains("quality.mid-a.extraction: 0.6 → 0.867 — mid-a on extraction passed 20/20: (10 × 0.6 + 20) / (10 + 20) = 0.867"))
    }

    @Test func priorStrengthWeighsTheCurrentPrior() {
        let settings = RecalibrationSettings(priorStrength: 30)
        let history = History.calls(20, skill: "extraction", score: 0.3, routed: .small)
        let result = Recalibrator(settings: settings).recalibrate(history, current: RoutingTuning(), defaultTier: .mid, prices: History.prices)
        #expect(result.tuning.quality["small-a"]?["extraction"] == 35.0 / 50)  // (30 × 0.5 + 20) / (30 + 20)
    }
}
