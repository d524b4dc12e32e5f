import TriageCore

/// What a model answered, in the terms validators check: the text, the tool calls with their
/// raw arguments, the mean token log-probability when the provider returned log-probabilities,
/// and the finish reason.
public struct CandidateAnswer: Sendable, Hashable {
    public struct ToolCall: Sendable, Hashable {
        public var name: String
        /// The arguments exactly as the model produced them (a JSON text, if the model behaved).
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    public var text: String
    public var toolCalls: [ToolCall]
    public var meanLogProbability: Double?
    public var finishReason: String?
    /// The provider's own refusal field (OpenAI `message.refusal`), when set.
    public var refusal: String?

    public init(text: String, toolCalls: [ToolCall] = [], meanLogProbability: Double? = nil, finishReason: String? = nil, refusal: String? = nil) {
        self.text = text
        self.toolCalls = toolCalls
        self.meanLogProbability = meanLogProbability
        self.finishReason = finishReason
        self.refusal = refusal
    }

    /// Reads the first choice of an OpenAI `chat.completion` object.
    public init?(openAICompletion completion: JSONValue) {
        guard let choice = completion["choices"]?.arrayValue?.first, let message = choice["message"] else { return nil }
        let calls = (message["tool_calls"]?.arrayValue ?? []).compactMap { call -> ToolCall? in
            guard let name = call["function"]?["name"]?.stringValue else { return nil }
            return ToolCall(name: name, arguments: call["function"]?["arguments"]?.stringValue ?? "")
        }
        let logprobs = (choice["logprobs"]?["content"]?.arrayValue ?? []).compactMap { $0["logprob"]?.doubleValue }
        self.init(
            text: message["content"]?.stringValue ?? "", toolCalls: calls,
            meanLogProbability: logprobs.isEmpty ? nil : logprobs.reduce(0, +) / Double(logprobs.count),
            finishReason: choice["finish_reason"]?.stringValue, refusal: message["refusal"]?.stringValue)
    }
}

/// The result of one validator on one answer.
public struct ValidationResult: Sendable, Hashable {
    public var validator: String
    public var passed: Bool
    /// Why it failed (empty when it passed).
    public var detail: String

    public init(validator: String, passed: Bool, detail: String) {
        self.validator = validator
        self.passed = passed
        self.detail = detail
    }

    public static func pass(_ validator: String) -> ValidationResult { ValidationResult(validator: validator, passed: true, detail: "") }
    public static func fail(_ validator: String, _ detail: String) -> ValidationResult {
        ValidationResult(validator: validator, passed: false, detail: detail)
    }
}
