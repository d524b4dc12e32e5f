import Foundation
import TriageCore
import TriageRouting

/// One labeled row for training: the prompt (plain text or OpenAI-format messages) and either
/// the tier that was needed or per-model scores and costs (RouterBench style).
public struct LabeledPrompt: Sendable {
    public var messages: [PromptDigest.Message]
    public var tier: Tier?
    public var scores: [String: Double]
    public var costs: [String: Double]

    public init(messages: [PromptDigest.Message], tier: Tier? = nil, scores: [String: Double] = [:], costs: [String: Double] = [:]) {
        self.messages = messages
        self.tier = tier
        self.scores = scores
        self.costs = costs
    }

    /// The routing request the gateway would build for this prompt (auto-routed, no role).
    public var routeRequest: RouteRequest {
        let bytes = messages.reduce(0) { $0 + $1.text.utf8.count }
        return RouteRequest(
            target: .auto, features: RequestFeatures(estimatedInputTokens: max(1, bytes / 4), messageCount: messages.count),
            prompt: PromptDigest(messages: messages))
    }
}

/// Why a row of labeled data cannot be used.
public struct LabeledDataError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension LabeledPrompt {
    /// Reads one JSONL row: `{"prompt": "…"}` or `{"messages": [...]}` plus `tier`, or
    /// `scores` (and optionally `costs`) keyed by model. `needsLabel: false` accepts unlabeled
    /// rows (for scoring).
    public init(jsonLine line: String, needsLabel: Bool = true) throws(LabeledDataError) {
        let row: JSONValue
        do { row = try JSONParser.parse(line) } catch { throw LabeledDataError("not JSON: \(error)") }
        guard case .object = row else { throw LabeledDataError("expected a JSON object") }
        let messages: [PromptDigest.Message]
        if let prompt = row["prompt"] {
            guard let text = prompt.stringValue else { throw LabeledDataError("\"prompt\" must be a string") }
            messages = [PromptDigest.Message(role: "user", text: text)]
        } else if let list = row["messages"]?.arrayValue {
            messages = list.map(PromptDigest.Message.init(openAI:))
            guard !messages.isEmpty else { throw LabeledDataError("\"messages\" is empty") }
        } else {
            throw LabeledDataError("each line needs \"prompt\" (a string) or \"messages\" (OpenAI chat messages)")
        }
        self.init(messages: messages)
        if let tier = row["tier"] {
            guard let name = tier.stringValue, let value = Tier(rawValue: name) else { throw LabeledDataError("\"tier\" must be small, mid or frontier") }
            self.tier = value
        }
        for (field, target) in [("scores", \LabeledPrompt.scores), ("costs", \LabeledPrompt.costs)] {
            guard let object = row[field] else { continue }
            guard let members = object.objectValue else { throw LabeledDataError("\"\(field)\" must map model names to numbers") }
            for (model, value) in members {
                guard let number = value.doubleValue, number.isFinite else { throw LabeledDataError("\"\(field)\".\(model) is not a number") }
                self[keyPath: target][model] = number
            }
        }
        if needsLabel, tier == nil, scores.count < 2 {
            throw LabeledDataError("each line needs \"tier\" or \"scores\" for at least two models")
        }
    }

    /// A RouterBench item as a labeled prompt.
    public init(_ item: RoutingDataset.Item) {
        self.init(messages: [PromptDigest.Message(role: "user", text: item.prompt)], scores: item.scores, costs: item.costs)
    }
}
