import Foundation
import TriageCore

/// A dataset to evaluate a router on, with the strong / weak pair its metrics use.
public struct EvaluationSet: Sendable {
    public var dataset: RoutingDataset
    public var strong: String
    public var weak: String
    /// The matching train split, when the data has one (RouterBench): quality priors are fitted
    /// on it, never on the evaluated items.
    public var train: RoutingDataset?
}

/// Finds and reads the routing datasets of the shared data folder: RouterBench CSV splits,
/// AlpacaEval judge preferences and RouterArena cached results.
public enum EvaluationData {
    public static let routerBenchStrong = "gpt-4-1106-preview"
    public static let routerBenchWeak = "mistralai/mixtral-8x7b-chat"
    public static let alpacaStrong = "gpt4_1106_preview"
    public static let alpacaWeak = "gpt-3.5-turbo-1106"

    /// Every evaluation set under `path` (a folder holding `routerbench/`, `alpacaeval/`,
    /// `routerarena/`, or one of those folders, or a RouterBench CSV). RouterBench sets come
    /// one per benchmark plus `routerbench-pooled`.
    public static func sets(at path: String, strong: String? = nil, weak: String? = nil) throws -> [EvaluationSet] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DatasetError("no such file or folder: \(path)") }
        if !isDirectory.boolValue {
            let text = try read(path)
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let dataset = try RoutingDataset.routerBench(csv: text, name: name)
            return [pair(dataset, strong: strong ?? routerBenchStrong, weak: weak ?? routerBenchWeak, train: nil)]
        }
        let children = Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
        if children.contains(where: { $0.hasSuffix("_test.csv") }) { return try routerBench(path, strong: strong, weak: weak) }
        if children.contains("alpacaeval_winrate_vs_gpt4turbo.csv") { return [try alpacaEval(path, weak: weak)] }
        if children.contains("cached_results") { return [try routerArena(path)] }
        var sets: [EvaluationSet] = []
        for child in ["routerbench", "alpacaeval", "routerarena"] where children.contains(child) {
            sets += try Self.sets(at: (path as NSString).appendingPathComponent(child), strong: strong, weak: weak)
        }
        guard !sets.isEmpty else { throw DatasetError("\(path) holds no routing dataset (routerbench/, alpacaeval/, routerarena/)") }
        return sets
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DatasetError("cannot read \(path)") }
        return text
    }

    static func pair(_ dataset: RoutingDataset, strong: String, weak: String, train: RoutingDataset?) -> EvaluationSet {
        EvaluationSet(dataset: dataset.complete(for: dataset.models), strong: strong, weak: weak, train: train?.complete(for: train?.models ?? []))
    }

    static func routerBench(_ folder: String, strong: String?, weak: String?) throws -> [EvaluationSet] {
        let tests = try RoutingDataset.routerBench(directory: folder, split: "test")
        let trains = try? RoutingDataset.routerBench(directory: folder, split: "train")
        let strong = strong ?? routerBenchStrong
        let weak = weak ?? routerBenchWeak
        var sets = zip(tests.indices, tests).map { index, test in pair(test, strong: strong, weak: weak, train: trains?[index]) }
        sets.append(
            pair(
                RoutingDataset.pooled(tests, name: "routerbench-pooled"), strong: strong, weak: weak,
                train: trains.map { RoutingDataset.pooled($0, name: "routerbench-pooled-train") }))
        return sets
    }

    /// AlpacaEval: the strong model is GPT-4-turbo (quality 0.5 by construction), the weak one's
    /// quality is the judge's preference for its answer.
    static func alpacaEval(_ folder: String, weak: String?) throws -> EvaluationSet {
        let rows = CSVReader.rows(try read((folder as NSString).appendingPathComponent("alpacaeval_winrate_vs_gpt4turbo.csv")))
        let weak = weak ?? alpacaWeak
        guard let header = rows.first, let instruction = header.firstIndex(of: "instruction"), let weakColumn = header.firstIndex(of: weak) else {
            throw DatasetError("alpacaeval: no instruction or \(weak) column")
        }
        let items = rows.dropFirst().compactMap { row -> RoutingDataset.Item? in
            guard row.count == header.count, let score = Double(row[weakColumn]) else { return nil }
            return RoutingDataset.Item(prompt: row[instruction], source: "alpacaeval", scores: [alpacaStrong: 0.5, weak: score])
        }
        return EvaluationSet(dataset: RoutingDataset(name: "alpacaeval", models: [alpacaStrong, weak], items: items), strong: alpacaStrong, weak: weak)
    }

    /// RouterArena: two models' cached results; the better one on average is the strong model.
    static func routerArena(_ folder: String) throws -> EvaluationSet {
        let results = (folder as NSString).appendingPathComponent("cached_results")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: results)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        guard files.count >= 2 else { throw DatasetError("routerarena: expected two cached result files in \(results)") }
        var prompts: [String: String] = [:]
        var order: [String] = []
        var scores: [String: [String: Double]] = [:]
        var costs: [String: [String: Double]] = [:]
        var models: [String] = []
        for file in files {
            let model = (file as NSString).deletingPathExtension
            models.append(model)
            for line in try read((results as NSString).appendingPathComponent(file)).split(separator: "\n") where !line.isEmpty {
                guard let row = try? JSONParser.parse(String(line)), let id = row["global_index"]?.stringValue,
                    let question = row["question"]?.stringValue, let score = row["evaluation_result"]?["score"]?.doubleValue
                else { continue }
                if prompts[id] == nil { order.append(id) }
                prompts[id] = question
                scores[id, default: [:]][model] = score
                costs[id, default: [:]][model] = row["evaluation_result"]?["inference_cost"]?.doubleValue
            }
        }
        let items = order.map { RoutingDataset.Item(prompt: prompts[$0]!, source: "routerarena", scores: scores[$0]!, costs: costs[$0] ?? [:]) }
        let dataset = RoutingDataset(name: "routerarena", models: models, items: items).complete(for: models)
        let means = models.map { model in dataset.items.reduce(0) { $0 + ($1.scores[model] ?? 0) } }
        let strongIndex = means.indices.max { means[$0] < means[$1] }!
        let weakIndex = means.indices.min { means[$0] < means[$1] }!
        return EvaluationSet(dataset: dataset, strong: models[strongIndex], weak: models[weakIndex])
    }
}
