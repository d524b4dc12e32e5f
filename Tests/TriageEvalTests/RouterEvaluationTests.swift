import Testing
import TriageRouting

@testable import TriageEval

@Suite struct RouterEvaluationTests {
    static func item(_ source: String, strong: Double, weak: Double, prompt: String = "a question") -> RoutingDataset.Item {
        RoutingDataset.Item(prompt: prompt, source: source, scores: ["s": strong, "w": weak])
    }

    /// A pooled set whose datasets differ in gain: the dataset-only router ranks exactly as the
    /// per-item gains do here, so its APGR is the oracle's; a single-dataset set gets no such row.
    @Test func datasetPriorScoresWhatKnowingTheDatasetIsWorth() throws {
        // Train: the strong model helps on "hard" (+1 each) and never on "easy".
        let train = RoutingDataset(
            name: "train", models: ["s", "w"],
            items: (0..<4).map { _ in Self.item("hard", strong: 1, weak: 0) } + (0..<4).map { _ in Self.item("easy", strong: 1, weak: 1) })
        let testItems = [
            Self.item("easy", strong: 1, weak: 1), Self.item("hard", strong: 1, weak: 0), Self.item("easy", strong: 1, weak: 1),
            Self.item("hard", strong: 1, weak: 0), Self.item("easy", strong: 0, weak: 0),
        ]
        let pooled = EvaluationSet(dataset: RoutingDataset(name: "pooled", models: ["s", "w"], items: testItems), strong: "s", weak: "w", train: train)
        #expect(RouterEvaluation.sourceGains(pooled) == ["hard": 1, "easy": 0])

        let report = RouterEvaluation(brain: RoutingBrain(), model: .builtIn).evaluate(pooled)
        let prior = try #require(report.pair.first { $0.scorer == "dataset-prior" })
        let gains = testItems.map { ($0.scores["s"] ?? 0) - ($0.scores["w"] ?? 0) }
        let oracle = RoutingMetrics.apgr(RoutingMetrics.pgrCurve(scores: gains, strong: testItems.map { $0.scores["s"]! }, weak: testItems.map { $0.scores["w"]! }))
        #expect(prior.metrics.apgr == oracle)
        #expect(oracle > 0.7)

        let single = EvaluationSet(
            dataset: RoutingDataset(name: "one", models: ["s", "w"], items: testItems.filter { $0.source == "hard" } + [Self.item("hard", strong: 1, weak: 1)]),
            strong: "s", weak: "w", train: train)
        #expect(RouterEvaluation.sourceGains(single) == nil)
        #expect(!RouterEvaluation(brain: RoutingBrain(), model: .builtIn).evaluate(single).pair.contains { $0.scorer == "dataset-prior" })
    }

    /// When every item gains the same, any ranking recovers the gap in proportion to the calls
    /// sent to the strong model, so random routing cannot stray from 0.5; when gains differ, it does.
    @Test func randomSpreadIsZeroOnlyWhenEveryItemGainsAlike() {
        let evaluation = RouterEvaluation(brain: RoutingBrain(), model: .builtIn)
        let even = EvaluationSet(
            dataset: RoutingDataset(name: "even", models: ["s", "w"], items: (0..<50).map { _ in Self.item("x", strong: 1, weak: 0) }),
            strong: "s", weak: "w")
        let evenSpread = evaluation.evaluate(even).randomSpread
        #expect(evenSpread.seeds == 1_000)
        #expect(evenSpread.standardDeviation < 1e-9)
        #expect(abs(evenSpread.percentile95 - 0.5) < 1e-9)

        let uneven = EvaluationSet(
            dataset: RoutingDataset(
                name: "uneven", models: ["s", "w"], items: (0..<50).map { Self.item("x", strong: 1, weak: $0 % 5 == 0 ? 0 : 1) }),
            strong: "s", weak: "w")
        let spread = evaluation.evaluate(uneven).randomSpread
        #expect(spread.standardDeviation > 0.02)
        #expect(spread.percentile95 > 0.5 + spread.standardDeviation)
    }
}
