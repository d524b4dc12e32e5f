import Testing
import TriageCalibration
import TriageCore
import TriageRouting

/// A history whose right answer is known: the proposed tuning, its change lines, the estimates,
/// the projection and independence from input order.
@Suite struct RecalibratorTests {
    @Test func aSkillThatAlwaysPassesOnSmallMovesDownAndOneThatFailsThereMovesUp() {
        let result = History.recalibrate(History.known)
        #expect(result.tuning.skillBandTiers == ["extraction": .small])
        #expect(result.tuning.skillMinimumTiers == ["planning": .mid])
        #expect(result.tuning.thresholds == ComplexityThresholds(small: 0.1, frontier: 0.5))
        #expect(
            result.tuning.quality == [
                "small-a": ["extraction": 0.9, "planning": 0.3],  // (10·0.5 + 40) / 50, (10·0.5 + 10) / 50
                "mid-a": ["planning": 0.875],  // (10·0.5 + 30) / 40
            ])
        #expect(
            result.changes == [
                "skills.extraction.band_tier: (default) → small — extraction on small passed 40/40, lower bound 0.912 ≥ floor 0.9",
                "skills.planning.min_tier: (none) → mid — planning on small passed 10/40, upper bound 0.402 < floor 0.9",
                "quality.mid-a.planning: (none) → 0.875 — mid-a on planning passed 30/30: (10 × 0.5 + 30) / (10 + 30) = 0.875",
                "quality.small-a.extraction: (none) → 0.9 — small-a on extraction passed 40/40: (10 × 0.5 + 40) / (10 + 40) = 0.9",
                "quality.small-a.planning: (none) → 0.3 — small-a on planning passed 10/40: (10 × 0.5 + 10) / (10 + 40) = 0.3",
            ])
    }

    @Test func wilsonBoundsOfTheEstimatesAreExact() throws {
        let result = History.recalibrate(History.known)
        let extraction = try #require(result.estimate(skill: "extraction", tier: .small))
        #expect(extraction.samples == 40 && extraction.successes == 40 && extraction.mean == 1)
        // All successes: lower = 1 / (1 + z²/n), upper = 1.
        #expect(isClose(extraction.lower, 1 / (1 + 1.96 * 1.96 / 40)))
        #expect(extraction.upper == 1)
        let planning = try #require(result.estimate(skill: "planning", tier: .small))
        #expect(planning.samples == 40 && planning.successes == 10 && planning.mean == 0.25)
        // Wilson 10/40 at z = 1.96: 0.14187…0.40194.
        #expect(isClose(planning.lower, 0.14187, within: 1e-5))
        #expect(isClose(planning.upper, 0.40194, within: 1e-5))
        #expect(result.estimate(skill: "planning", tier: .mid)?.successes == 30)
        #expect(result.estimate(model: "mid-a", skill: "summarizing")?.samples == 5)
    }

    @Test func aSkillWithFiveSamplesChangesNothing() throws {
        let history = History.calls(5, skill: "summarizing", score: 0.3, routed: .small, failuresBeforeServed: 1)
        let result = History.recalibrate(history)
        #expect(result.tuning == RoutingTuning())
        #expect(result.changes == [])
        let estimate = try #require(result.estimate(skill: "summarizing", tier: .small))
        #expect(estimate.samples == 5 && estimate.successes == 0)
        #expect(result.projection.callsMoved == 0)
        #expect(result.projection.costBeforeUSD == result.projection.costAfterUSD)
    }

    @Test func movingExtractionToSmallCutsTheProjectedCost() throws {
        let projection = History.recalibrate(History.extraction).projection
        #expect(projection.calls == 40 && projection.callsMoved == 40)
        // Before: mid, 40 × (2000 × $1 + 500 × $4) / 1M; after: small, 40 × (2000 × $0.1 + 500 × $0.4) / 1M.
        #expect(isClose(projection.costBeforeUSD, 0.16))
        #expect(isClose(projection.costAfterUSD, 0.016))
        #expect(isClose(try #require(projection.costChange), -0.9))
        // Nothing ran on mid, so the floor stands in before; small passed 40/40 after.
        #expect(projection.expectedSuccessBefore == 0.9)
        #expect(projection.expectedSuccessAfter == 1)
    }

    @Test func movingPlanningUpRaisesTheExpectedSuccess() throws {
        let projection = History.recalibrate(History.planning).projection
        #expect(projection.callsMoved == 40)
        #expect(projection.expectedSuccessBefore == 0.25)  // planning on small: 10/40
        #expect(projection.expectedSuccessAfter == 1)  // planning on mid: 30/30
        #expect(isClose(try #require(projection.successChange), 3))
        #expect(projection.costAfterUSD > projection.costBeforeUSD)
    }

    @Test func theOrderOfTheOutcomesDoesNotMatter() {
        let history = History.known + History.calls(30, skill: nil, score: 0.05, routed: .small, inputTokens: 777, outputTokens: 33)
        let reference = JSONWriter.string(History.recalibrate(history).json)
        var generator = SeededGenerator(state: 42)
        for _ in 0..<5 {
            let shuffled = history.shuffled(using: &generator)
            #expect(JSONWriter.string(History.recalibrate(shuffled).json) == reference)
        }
    }

    @Test func theJSONReportCarriesEverything() throws {
        let json = History.recalibrate(History.known).json
        #expect(json["tuning"]?["skill_band_tiers"]?["extraction"] == "small")
        #expect(json["changes"]?.arrayValue?.count == 5)
        let first = try #require(json["estimates"]?.arrayValue?.first)
        #expect(JSONWriter.string(first).hasPrefix(#"{"skill":"extraction","tier":"small","samples":40,"successes":40,"mean":1,"lower":0.912"#))
        #expect(json["projection"]?["calls"]?.intValue == 85)
        #expect(json["projection"]?["calls_moved"]?.intValue == 80)
    }

    @Test func cheapestModelsPriceTheTiers() {
        let catalog = ModelCatalog(
            models: [
                ModelSpec(name: "s-dear", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.5, outputPerMillion: 2)),
                ModelSpec(name: "s-cheap", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4)),
                ModelSpec(name: "m", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 4)),
            ], providers: [])
        let prices = TierPrices(cheapestIn: catalog)
        #expect(prices.input == [.small: 0.1 / 1_000_000, .mid: 1 / 1_000_000])
        #expect(prices.output == [.small: 0.4 / 1_000_000, .mid: 4 / 1_000_000])
        #expect(prices.cost(inputTokens: 1_000_000, outputTokens: 1_000_000, on: .frontier) == 0)
    }
}
