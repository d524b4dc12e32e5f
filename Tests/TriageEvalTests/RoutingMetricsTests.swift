import Testing
@testable import TriageEval

/// The research metrics against values worked out by hand.
@Suite struct RoutingMetricsTests {
    // Four prompts; only the last needs the strong model (weak quality 0 there).
    let strong = [1.0, 1, 1, 1]
    let weak = [1.0, 1, 1, 0]

    @Test func aPerfectRouter() {
        // Thresholds at the 0 %…100 % quantiles of [.1 .2 .3 .4] send 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 0
        // prompts to the strong model; the needy prompt is always among them until the last.
        let curve = RoutingMetrics.pgrCurve(scores: [0.1, 0.2, 0.3, 0.4], strong: strong, weak: weak)
        #expect(curve.count == 11)
        #expect(curve.first == RoutingMetrics.CurvePoint(strongShare: 0, pgr: 0))
        #expect(curve.last == RoutingMetrics.CurvePoint(strongShare: 1, pgr: 1))
        #expect(curve.map(\.strongShare) == [0, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75, 1])
        // Area: 0.25 × (0 + 1) / 2 + 0.75 × 1 = 0.875.
        #expect(abs(RoutingMetrics.apgr(curve) - 0.875) < 1e-12)
        // PGR 0.5 is reached halfway between share 0 (PGR 0) and 0.25 (PGR 1).
        #expect(abs(RoutingMetrics.cpt(curve, target: 0.5)! - 0.125) < 1e-12)
        #expect(abs(RoutingMetrics.cpt(curve, target: 0.8)! - 0.2) < 1e-12)
    }

    @Test func aBackwardsRouter() {
        let curve = RoutingMetrics.pgrCurve(scores: [0.4, 0.3, 0.2, 0.1], strong: strong, weak: weak)
        // Only sending everything recovers the gap: area 0.25 × (0 + 1) / 2.
        #expect(abs(RoutingMetrics.apgr(curve) - 0.125) < 1e-12)
        #expect(abs(RoutingMetrics.cpt(curve, target: 0.5)! - 0.875) < 1e-12)
    }

    @Test func tiesAreBrokenSoTheCurveStillSpansTheShares() {
        let curve = RoutingMetrics.pgrCurve(scores: [0.5, 0.5, 0.5, 0.5], strong: strong, weak: weak)
        #expect(Set(curve.map(\.strongShare)).count > 2)
        #expect(curve.first?.strongShare == 0 && curve.last?.strongShare == 1)
    }

    @Test func quantilesInterpolateLikeNumpy() {
        #expect(RoutingMetrics.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(RoutingMetrics.quantile([1, 2, 3, 4], 0.1) - 1.3) < 1e-12)
        #expect(RoutingMetrics.quantile([7], 0.9) == 7)
    }

    @Test func hullAIQAndSaving() {
        typealias P = RoutingMetrics.CostQuality
        let points = [P(cost: 1, quality: 0.5), P(cost: 3, quality: 0.7), P(cost: 2, quality: 0.8), P(cost: 4, quality: 0.9)]
        // (3, 0.7) is dominated by (2, 0.8): the hull keeps the other three.
        #expect(RoutingMetrics.hull(points) == [P(cost: 1, quality: 0.5), P(cost: 2, quality: 0.8), P(cost: 4, quality: 0.9)])
        // Area (1→2: 0.65, 2→4: 1.7) over the cost range 3.
        #expect(abs(RoutingMetrics.aiq(points) - 2.35 / 3) < 1e-12)
        // A point under the chord of its neighbours is not on the convex hull.
        #expect(RoutingMetrics.hull([P(cost: 1, quality: 0.5), P(cost: 2, quality: 0.6), P(cost: 3, quality: 0.9)]) == [P(cost: 1, quality: 0.5), P(cost: 3, quality: 0.9)])
        // 95 % of quality 0.9 needs 0.855: the cheapest such point costs 4 against 5.
        let saving = RoutingMetrics.saving(points, reference: P(cost: 5, quality: 0.9), floor: 0.95)
        #expect(saving?.point == P(cost: 4, quality: 0.9))
        #expect(abs((saving?.saving ?? 0) - 0.2) < 1e-12)
        #expect(RoutingMetrics.saving(points, reference: P(cost: 5, quality: 1), floor: 0.95) == nil)
    }
}

@Suite struct DatasetReadingTests {
    @Test func csvFieldsMayHoldCommasQuotesAndLineBreaks() {
        let rows = CSVReader.rows("a,b\r\n\"x, y\",\"he said \"\"hi\"\"\nnext\"\n1,\n")
        #expect(rows == [["a", "b"], ["x, y", "he said \"hi\"\nnext"], ["1", ""]])
    }

    @Test func routerBenchPromptsAreUnwrapped() {
        #expect(unwrapPromptList(#"['Line one\nIt\'s \"two\"']"#) == "Line one\nIt's \"two\"")
        #expect(unwrapPromptList("plain text") == "plain text")
    }

    @Test func routerBenchCSV() throws {
        let csv = """
            ,sample_id,prompt,eval_name,strong,weak,strong|model_response,weak|model_response,strong|total_cost,weak|total_cost,oracle_model_to_route_to
            0,a.1,"['Q1, with a comma']",mbpp,1.0,0.0,x,y,0.002,0.0001,strong
            1,a.2,"['Q2']",mbpp,,1.0,x,y,0.002,0.0001,weak
            """
        let dataset = try RoutingDataset.routerBench(csv: csv, name: "t")
        #expect(dataset.models == ["strong", "weak"])
        #expect(dataset.items.count == 2)
        #expect(dataset.items[0].prompt == "Q1, with a comma")
        #expect(dataset.items[0].source == "mbpp")
        #expect(dataset.items[0].costs == ["strong": 0.002, "weak": 0.0001])
        // A missing score stays missing, and `complete` drops the row.
        #expect(dataset.items[1].scores["strong"] == nil)
        #expect(dataset.complete(for: dataset.models).items.count == 1)
    }

    @Test func labeledRows() throws {
        let tier = try LabeledPrompt(jsonLine: #"{"prompt": "hi", "tier": "frontier"}"#)
        #expect(tier.tier == .frontier)
        #expect(tier.messages.map(\.text) == ["hi"])
        let scored = try LabeledPrompt(
            jsonLine: #"{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": [{"type": "text", "text": "sum 2+2"}]}], "scores": {"a": 1, "b": 0}, "costs": {"a": 0.01}}"#)
        #expect(scored.messages.map(\.role) == ["system", "user"])
        #expect(scored.messages[1].text == "sum 2+2")
        #expect(scored.scores == ["a": 1, "b": 0])
        #expect(scored.costs == ["a": 0.01])
        #expect(ComplexityTrainer.label(of: scored, strong: "a", weak: "b") == 1)
        #expect(ComplexityTrainer.label(of: tier, strong: nil, weak: nil) == 1)
        #expect(try LabeledPrompt(jsonLine: #"{"prompt": "x"}"#, needsLabel: false).tier == nil)
        for bad in [#"{"prompt": 3, "tier": "mid"}"#, #"{"tier": "mid"}"#, #"{"prompt": "x", "tier": "huge"}"#, #"{"prompt": "x"}"#, "[1]", "{"] {
            #expect(throws: LabeledDataError.self) { try LabeledPrompt(jsonLine: bad) }
        }
    }
}
