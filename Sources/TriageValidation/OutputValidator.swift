import Foundation
import TriageCore

/// A deterministic check of a model's answer. Cheap answers that fail one are re-run a tier up.
public enum OutputValidator: Sendable, Hashable {
    /// The text parses as JSON.
    case jsonParses
    /// The text is JSON that satisfies the schema (e.g. the request's `response_format` schema).
    case jsonSchema(JSONValue)
    /// The text is a JSON object with these top-level fields present and non-null.
    case requiredFields([String])
    /// Every tool call names an offered tool, and its arguments are JSON that satisfy that tool's
    /// parameter schema.
    case toolArguments(schemasByTool: [String: JSONValue])
    /// The text matches this regular expression.
    case regex(String)
    /// The text's length in characters lies within bounds.
    case length(min: Int?, max: Int?)
    /// The answer is not a refusal.
    case notRefusal
    /// The mean token log-probability is at least this (skipped when the provider sent none).
    case confidence(minimumMeanLogProbability: Double)

    /// The name used in traces and headers.
    public var name: String {
        switch self {
        case .jsonParses: "json"
        case .jsonSchema: "json_schema"
        case .requiredFields: "required_fields"
        case .toolArguments: "tool_arguments"
        case .regex: "regex"
        case .length: "length"
        case .notRefusal: "refusal"
        case .confidence: "confidence"
        }
    }

    public func validate(_ answer: CandidateAnswer) -> ValidationResult {
        switch self {
        case .jsonParses:
            return parsed(answer.text) != nil ? .pass(name) : .fail(name, "the answer is not valid JSON")
        case .jsonSchema(let schema):
            guard let document = parsed(answer.text) else { return .fail(name, "the answer is not valid JSON") }
            let violations = JSONSchemaValidator(schema: schema).violations(of: document)
            return violations.isEmpty ? .pass(name) : .fail(name, violations.prefix(3).map(\.description).joined(separator: "; "))
        case .requiredFields(let fields):
            guard case .object(let object)? = parsed(answer.text) else { return .fail(name, "the answer is not a JSON object") }
            let missing = fields.filter { object[$0] == nil || object[$0] == .null }
            return missing.isEmpty ? .pass(name) : .fail(name, "missing \(missing.joined(separator: ", "))")
        case .toolArguments(let schemas):
            for call in answer.toolCalls {
                guard let schema = schemas[call.name] else { return .fail(name, "tool '\(call.name)' was not offered") }
                guard let arguments = parsed(call.arguments) else { return .fail(name, "arguments of '\(call.name)' are not valid JSON") }
                let violations = JSONSchemaValidator(schema: schema).violations(of: arguments)
                if !violations.isEmpty {
                    return .fail(name, "arguments of '\(call.name)': " + violations.prefix(3).map(\.description).joined(separator: "; "))
                }
            }
            return .pass(name)
        case .regex(let pattern):
            guard let expression = try? NSRegularExpression(pattern: pattern) else { return .fail(name, "invalid pattern") }
            let text = answer.text
            let found = expression.firstMatch(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text)) != nil
            return found ? .pass(name) : .fail(name, "the answer does not match \(pattern)")
        case .length(let minimum, let maximum):
            let count = answer.text.count
            if let minimum, count < minimum { return .fail(name, "\(count) characters, fewer than \(minimum)") }
            if let maximum, count > maximum { return .fail(name, "\(count) characters, more than \(maximum)") }
            return .pass(name)
        case .notRefusal:
            if let refusal = answer.refusal, !refusal.isEmpty { return .fail(name, "the model refused") }
            return RefusalDetector.isRefusal(answer.text) ? .fail(name, "the answer reads as a refusal") : .pass(name)
        case .confidence(let threshold):
            guard let mean = answer.meanLogProbability else { return .pass(name) }
            return mean >= threshold ? .pass(name) : .fail(name, "mean log-probability \(String(format: "%.3f", mean)) below \(threshold)")
        }
    }

    private func parsed(_ text: String) -> JSONValue? {
        var body = Substring(text).drop { $0.isWhitespace }
        // Tolerate a Markdown code fence around the JSON, as models often add one.
        if body.hasPrefix("```") {
            body = body.drop { $0 != "\n" }.dropFirst()
            if let fence = body.range(of: "```", options: .backwards) { body = body[..<fence.lowerBound] }
        }
        return try? JSONParser.parse(String(body))
    }
}

/// Recognises the stock phrasings of a model declining a task.
enum RefusalDetector {
    static let openings = [
        "i'm sorry, but i can't", "i’m sorry, but i can’t", "i am sorry, but i cannot", "i can't help with", "i cannot help with",
        "i can't assist with", "i cannot assist with", "i'm unable to", "i am unable to", "i won't be able to", "sorry, i can't",
        "as an ai language model, i cannot", "i must decline",
    ]

    static func isRefusal(_ text: String) -> Bool {
        let head = text.prefix(200).lowercased()
        return openings.contains { head.contains($0) }
    }
}
