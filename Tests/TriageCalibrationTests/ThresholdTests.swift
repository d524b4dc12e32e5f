import Testing
import TriageCalibration
import TriageCore
import TriageRouting

/// The complexity cuts move one step at most, in the direction the evidence points, and stay ordered.
@Suite struct ThresholdTests {
    @Test func smallCallsThatPassRaiseTheSmallCut() {
        let result = History.recalibrate(History.calls(40, skill: nil, score: 0.05, routed: .small))
        #expect(result.tuning.thresholds == ComplexityThresholds(small: 0.15, frontier: 0.5))
        #expect(result.changes.first == "thresholds.small_below: 0.1 → 0.15 — calls scored below 0.1 on small passed 40/40, lower bound 0.912 ≥ floor 0.9")
        // Unclassified calls update the model's default prior: (10·0.5 + 40) / 50.
        #expect(result.tuning.quality == ["small-a": ["default": 0.9]])
    }

    @Test func smallCallsThatFailLowerTheSmallCut() {
        let result = History.recalibrate(History.calls(40, skill: nil, score: 0.05, routed: .small, failuresBeforeServed: 1))
        #expect(result.tuning.thresholds == ComplexityThresholds(small: 0.05, frontier: 0.5))
    }

    @Test func skillsTheCutNoLongerDecidesAreLeftOut() {
        // Banded small, held at mid by a risk, or routed above small: none of them speaks for the cut.
        let current = RoutingTuning(skillBandTiers: ["extraction": .small])
        let history =
            History.calls(40, skill: "extraction", score: 0.05, routed: .small, failuresBeforeServed: 1)
            + History.calls(40, skill: nil, score: 0.05, routed: .small, failuresBeforeServed: 1, riskFloor: .mid)
            + History.calls(40, skill: nil, score: 0.05, routed: .mid, failuresBeforeServed: 1)
        #expect(History.recalibrate(history, current: current).tuning.thresholds == current.thresholds)
    }

    @Test func middleBandCallsFailingOnMidLowerTheFrontierCut() {
        let result = History.recalibrate(History.calls(40, skill: nil, score: 0.3, routed: .mid, failuresBeforeServed: 1))
        #expect(result.tuning.thresholds == ComplexityThresholds(small: 0.1, frontier: 0.45))
        #expect(result.changes.first == "thresholds.frontier_from: 0.5 → 0.45 — calls scored 0.1–0.5 on mid passed 0/40, upper bound 0.088 < floor 0.9")
    }

    @Test func frontierCallsThatMidWouldHaveDoneRaiseTheFrontierCut() {
        let history =
            History.calls(38, skill: nil, score: 0.7, routed: .frontier, correctTier: .mid)
            + History.calls(2, skill: nil, score: 0.7, routed: .frontier, correctTier: .small)
            + History.calls(60, skill: nil, score: 0.7, routed: .frontier)  // no feedback: no say
        let result = History.recalibrate(history)
        #expect(result.tuning.thresholds == ComplexityThresholds(small: 0.1, frontier: 0.55))

        let doubted = History.calls(35, skill: nil, score: 0.7, routed: .frontier, correctTier: .mid)
            + History.calls(5, skill: nil, score: 0.7, routed: .frontier, correctTier: .frontier)
        #expect(History.recalibrate(doubted).tuning.thresholds.frontier == 0.5)
    }

    @Test func theCutsStayOrderedAndInRange() {
        let crossing = RoutingTuning(thresholds: ComplexityThresholds(small: 0.48, frontier: 0.5))
        let history =
            History.calls(40, skill: nil, score: 0.05, routed: .small)
            + History.calls(40, skill: nil, score: 0.49, routed: .mid, failuresBeforeServed: 1)
        let moved = History.recalibrate(history, current: crossing).tuning.thresholds
        #expect(moved == ComplexityThresholds(small: 0.45, frontier: 0.45))

        let floor = RoutingTuning(thresholds: ComplexityThresholds(small: 0.02, frontier: 0.5))
        let failing = History.calls(40, skill: nil, score: 0.01, routed: .small, failuresBeforeServed: 1)
        #expect(History.recalibrate(failing, current: floor).tuning.thresholds.small == 0)
    }
}
