import Foundation
import Testing
import TriageCore
import TriageEval
import TriageRouting

@Suite struct TrainingTests {
    /// Hard asks (proofs, designs) labeled frontier, mechanical ones small: the fitted model
    /// must rank unseen hard asks above unseen easy ones, and survive its file round trip.
    @Test func learnsToSeparateHardFromEasyAsks() throws {
        let hard = ["prove that the algorithm terminates", "design a distributed consensus protocol", "prove the theorem about primes",
            "design the architecture for a payments ledger", "derive the closed form and prove it"]
        let easy = ["reformat this list as json", "rename the column to user_id", "convert these dates to iso format",
            "reformat the table as csv", "rename the fields in snake case"]
        var rows: [LabeledPrompt] = []
        for _ in 0..<4 {
            rows += hard.map { LabeledPrompt(messages: [.init(role: "user", text: $0)], tier: .frontier) }
            rows += easy.map { LabeledPrompt(messages: [.init(role: "user", text: $0)], tier: .small) }
        }
        let analyzer = RoutingBrain().analyzer(lexical: true)
        var trainer = ComplexityTrainer()
        trainer.epochs = 30
        let model = trainer.fit(trainer.examples(rows, strong: nil, weak: nil, analyzer: analyzer))
        #expect(model.metadata["rows"] == "40")
        let features = ComplexityFeatures(analyzer: analyzer)
        func score(_ text: String) -> Double {
            model.score(analyzer.analyze(LabeledPrompt(messages: [.init(role: "user", text: text)]).routeRequest), features: features)
        }
        #expect(score("prove this lemma about graphs") > 0.6)
        #expect(score("reformat these names as json") < 0.4)
        let reloaded = try ComplexityModel(json: model.json())
        #expect(abs(reloaded.score(analyzer.analyze(rows[0].routeRequest), features: features) - model.score(analyzer.analyze(rows[0].routeRequest), features: features)) < 1e-6)
    }

    @Test func trainingIsDeterministic() {
        let rows = (0..<20).map { LabeledPrompt(messages: [.init(role: "user", text: "task number \($0) " + String(repeating: "step ", count: $0))], tier: $0 % 3 == 0 ? .frontier : .small) }
        let analyzer = RoutingBrain().analyzer(lexical: true)
        let trainer = ComplexityTrainer()
        let examples = trainer.examples(rows, strong: nil, weak: nil, analyzer: analyzer)
        #expect(trainer.fit(examples) == trainer.fit(examples))
    }
}

/// The evaluation on the shared routing data, when it is present (it is not part of the
/// repository).
@Suite(.enabled(if: SharedRoutingData.path != nil, "the shared routing data folder is not present"))
struct SharedDataEvaluationTests {
    @Test func everyDatasetLoadsAndIsScored() throws {
        let sets = try EvaluationData.sets(at: SharedRoutingData.path!)
        #expect(sets.map(\.dataset.name) == ["arc_challenge", "mbpp", "winograde", "routerbench-pooled", "alpacaeval", "routerarena"])
        #expect(sets.map(\.dataset.items.count) == [437, 128, 380, 945, 805, 809])
        #expect(sets[4].strong == "gpt4_1106_preview" && sets[5].strong == "gemini-2.0-flash-001")
        let evaluation = RouterEvaluation(brain: RoutingBrain(), model: .builtIn)
        let pooled = evaluation.evaluate(sets[3])
        let apgr = pooled.pair.first { $0.scorer == "triage" }!.metrics.apgr
        #expect(apgr > 0 && apgr < 1)
        let random = pooled.pair.first { $0.scorer == "random" }!.metrics.apgr
        #expect(abs(random - 0.5) < 0.05)
        // Random routing's spread on ARC's test split: what a per-dataset APGR must clear.
        let arc = evaluation.evaluate(sets[0]).randomSpread
        #expect(arc.standardDeviation > 0.03 && arc.standardDeviation < 0.07, "\(arc)")
        // Knowing only the dataset (its train split's mean gain) is worth 0.569 pooled.
        let prior = try #require(pooled.pair.first { $0.scorer == "dataset-prior" }).metrics.apgr
        #expect(abs(prior - 0.569) < 0.005, "\(prior)")
        #expect(!evaluation.evaluate(sets[0]).pair.contains { $0.scorer == "dataset-prior" })  // one dataset
        let chart = try #require(pooled.costQuality)
        #expect(chart.models.count == 11)
        #expect(chart.reference == "gpt-4-1106-preview")
        #expect(chart.aiq > 0 && chart.aiq <= 1)
        #expect((chart.saving ?? 0) > 0)
        let svg = CostQualitySVG.render([pooled])
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.hasSuffix("</svg>\n"))
    }
}

enum SharedRoutingData {
    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["TRIAGE_ROUTING_DATA"], "../shared/data/routing", "/work/shared/data/routing"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("routerbench")) }
    }()
}
