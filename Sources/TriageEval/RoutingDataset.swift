import Foundation

/// Labeled routing data: for each prompt, the quality (0–1) and cost (USD) of each model's
/// answer. Rows with a missing score for a model keep `nil` there.
public struct RoutingDataset: Sendable {
    public struct Item: Sendable {
        public var prompt: String
        /// Which benchmark or split the prompt comes from (e.g. `mbpp`).
        public var source: String
        public var scores: [String: Double]
        public var costs: [String: Double]

        public init(prompt: String, source: String, scores: [String: Double], costs: [String: Double] = [:]) {
            self.prompt = prompt
            self.source = source
            self.scores = scores
            self.costs = costs
        }
    }

    public var name: String
    public var models: [String]
    public var items: [Item]

    public init(name: String, models: [String], items: [Item]) {
        self.name = name
        self.models = models
        self.items = items
    }

    /// Items where every one of `models` has a score.
    public func complete(for models: [String]) -> RoutingDataset {
        RoutingDataset(name: name, models: models, items: items.filter { item in models.allSatisfy { item.scores[$0] != nil } })
    }

    /// Several datasets as one (RouterBench "pooled").
    public static func pooled(_ datasets: [RoutingDataset], name: String = "pooled") -> RoutingDataset {
        let models = datasets.first?.models ?? []
        return RoutingDataset(name: name, models: models, items: datasets.flatMap(\.items))
    }
}

extension RoutingDataset {
    /// Reads a RouterBench CSV (`sample_id, prompt, eval_name`, a score column per model,
    /// `<model>|model_response`, `<model>|total_cost`, `oracle_model_to_route_to`).
    public static func routerBench(csv text: String, name: String) throws -> RoutingDataset {
        let rows = CSVReader.rows(text)
        guard let header = rows.first, let promptColumn = header.firstIndex(of: "prompt") else {
            throw DatasetError("\(name): not a RouterBench CSV (no prompt column)")
        }
        let sourceColumn = header.firstIndex(of: "eval_name")
        let costColumns = Dictionary(
            header.enumerated().compactMap { index, title in title.hasSuffix("|total_cost") ? (String(title.dropLast("|total_cost".count)), index) : nil },
            uniquingKeysWith: { first, _ in first })
        let models = costColumns.keys.sorted()
        let scoreColumns = Dictionary(models.compactMap { model in header.firstIndex(of: model).map { (model, $0) } }, uniquingKeysWith: { a, _ in a })
        var items: [Item] = []
        for row in rows.dropFirst() where row.count == header.count {
            var scores: [String: Double] = [:]
            var costs: [String: Double] = [:]
            for model in models {
                if let column = scoreColumns[model], let score = Double(row[column]) { scores[model] = score }
                if let column = costColumns[model], let cost = Double(row[column]) { costs[model] = cost }
            }
            items.append(Item(prompt: unwrapPromptList(row[promptColumn]), source: sourceColumn.map { row[$0] } ?? name, scores: scores, costs: costs))
        }
        return RoutingDataset(name: name, models: models, items: items)
    }

    /// Loads `<directory>/<name>_<split>.csv` for the three RouterBench datasets shipped in the
    /// routing data folder.
    public static func routerBench(directory: String, split: String) throws -> [RoutingDataset] {
        try ["arc_challenge", "mbpp", "winograde"].map { name in
            let path = (directory as NSString).appendingPathComponent("\(name)_\(split).csv")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DatasetError("cannot read \(path)") }
            return try routerBench(csv: text, name: name)
        }
    }
}

/// RouterBench stores each prompt as a Python list literal of one string (`['…\\n…']`), with
/// its line breaks and quotes escaped; this returns the string itself. Other text is returned
/// unchanged.
func unwrapPromptList(_ text: String) -> String {
    guard text.count >= 4, text.hasPrefix("['") || text.hasPrefix("[\""), text.hasSuffix("']") || text.hasSuffix("\"]") else { return text }
    let inner = text.dropFirst(2).dropLast(2)
    var out = ""
    out.reserveCapacity(inner.utf8.count)
    var escaped = false
    for character in inner {
        if escaped {
            switch character {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": break
            default: out.append(character)
            }
            escaped = false
        } else if character == "\\" {
            escaped = true
        } else {
            out.append(character)
        }
    }
    return out
}

/// A dataset that cannot be read.
public struct DatasetError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
