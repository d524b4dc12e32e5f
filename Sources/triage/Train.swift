import ArgumentParser
import Foundation
import TriageConfig
import TriageEval
import TriageRouting

/// `triage train`: fits a complexity model from labeled prompts.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a complexity model from labeled prompts.",
        discussion: """
            --data takes JSONL (one object per line: "prompt" or OpenAI "messages", plus "tier" \
            or per-model "scores"), a RouterBench CSV, or a RouterBench folder (its *_train.csv \
            splits). With scores, the label is whether --strong beat --weak on that prompt.
            """)

    @Option(name: .long, help: "Labeled data: JSONL, RouterBench CSV or folder. Repeatable.")
    var data: [String]

    @Option(name: .long, help: "Where to write the model (JSON).")
    var out: String

    @Option(name: .long, help: "Strong model for score-labeled rows (default: the best on average).")
    var strong: String?

    @Option(name: .long, help: "Weak model for score-labeled rows (default: mixtral for RouterBench, else the cheapest or weakest).")
    var weak: String?

    @Option(name: .long, help: "Passes over the data.")
    var epochs = 40

    @Option(name: .long, help: "L2 regularisation strength.")
    var l2 = 1e-4

    @Option(name: .long, help: "Gateway config whose routing section (skill labels) to use.")
    var config: String?

    @Flag(name: .long, help: "Fit only the dense request facts, no word n-grams (a small, general model).")
    var denseOnly = false

    @Flag(name: .long, help: "Label score-labeled rows (strong − weak + 1) / 2 instead of strong > weak.")
    var softLabels = false

    @Flag(name: .long, help: "Choose the L2 strength (1e-5 … 1e-2) by 5-fold cross-validation on the training rows; overrides --l2.")
    var cvL2 = false

    func run() throws {
        var rows: [LabeledPrompt] = []
        for path in data { rows += try TrainingData.read(path) }
        guard !rows.isEmpty else { throw ValidationError("no labeled rows in \(data.joined(separator: ", "))") }
        let (strong, weak) = TrainingData.pair(rows, strong: strong, weak: weak)
        let brain = try config.map { try ConfigLoader.load(path: $0).routing } ?? RoutingBrain()
        var trainer = ComplexityTrainer()
        trainer.epochs = epochs
        trainer.l2 = l2
        trainer.softLabels = softLabels
        let examples = trainer.examples(rows, strong: strong, weak: weak, analyzer: brain.analyzer(lexical: !denseOnly))
        guard !examples.isEmpty else { throw ValidationError("no row has a label (tier, or scores for \(strong ?? "?") and \(weak ?? "?"))") }
        if cvL2 {
            trainer.l2 = trainer.crossValidatedL2(examples)
            print("cross-validated L2: \(trainer.l2)")
        }
        let positives = examples.filter { $0.label >= 0.5 }.count
        let bar = ProgressBar(label: "training", total: epochs)
        var metadata = ["data": data.joined(separator: ", "), "trained_at": ISO8601DateFormatter().string(from: Date())]
        if let strong, let weak { metadata["strong"] = strong; metadata["weak"] = weak }
        let model = trainer.fit(examples, metadata: metadata) { share in bar.update(Int(share * Double(epochs))) }
        bar.finish()
        try model.json().write(toFile: out, atomically: true, encoding: .utf8)
        let pair = strong.map { " (\($0) vs \(weak ?? "?"))" } ?? ""
        print("trained on \(examples.count) rows\(pair), \(positives) labeled frontier-needed; wrote \(out)")
    }
}

/// Reads training rows from the formats `triage train` accepts.
enum TrainingData {
    static func read(_ path: String) throws -> [LabeledPrompt] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ValidationError("no such file or folder: \(path)") }
        if isDirectory.boolValue {
            return try RoutingDataset.routerBench(directory: path, split: "train").flatMap(\.items).map(LabeledPrompt.init)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
        if path.hasSuffix(".csv") {
            return try RoutingDataset.routerBench(csv: text, name: path).items.map(LabeledPrompt.init)
        }
        var rows: [LabeledPrompt] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.allSatisfy(\.isWhitespace) {
            do {
                rows.append(try LabeledPrompt(jsonLine: String(line)))
            } catch {
                throw ValidationError("\(path):\(number + 1): \(error)")
            }
        }
        return rows
    }

    /// The strong / weak pair for score-labeled rows.
    static func pair(_ rows: [LabeledPrompt], strong: String?, weak: String?) -> (String?, String?) {
        var quality: [String: Double] = [:]
        var cost: [String: Double] = [:]
        for row in rows {
            for (model, score) in row.scores { quality[model, default: 0] += score }
            for (model, value) in row.costs { cost[model, default: 0] += value }
        }
        guard !quality.isEmpty else { return (strong, weak) }
        let strong = strong ?? quality.max { $0.value < $1.value }?.key
        if let weak { return (strong, weak) }
        if quality[EvaluationData.routerBenchWeak] != nil, strong == EvaluationData.routerBenchStrong { return (strong, EvaluationData.routerBenchWeak) }
        let pool = cost.isEmpty ? quality : cost
        return (strong, pool.filter { $0.key != strong }.min { $0.value < $1.value }?.key)
    }
}
