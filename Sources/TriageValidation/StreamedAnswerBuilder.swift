import TriageCore

/// Rebuilds the answer of an OpenAI chat completion stream from its chunks — the content, the
/// tool calls with their argument pieces joined in order, the log-probabilities, the refusal and
/// the finish reason — so validators can check a streamed answer like a JSON one. Only the
/// first choice (`index` 0) is read.
public struct StreamedAnswerBuilder: Sendable {
    private var text = ""
    private var refusal = ""
    private var calls: [Int: (name: String, arguments: String)] = [:]
    private var logProbabilitySum = 0.0
    private var logProbabilityCount = 0
    private var finishReason: String?

    public init() {}

    /// Adds one `data:` payload; `[DONE]`, usage-only and unparsable events are ignored.
    public mutating func add(eventData data: String) {
        guard data.utf8.first == UInt8(ascii: "{"), let chunk = try? JSONParser.parse(data) else { return }
        add(chunk: chunk)
    }

    public mutating func add(chunk: JSONValue) {
        guard let choices = chunk["choices"]?.arrayValue else { return }
        for choice in choices where (choice["index"]?.intValue ?? 0) == 0 {
            if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
            for entry in choice["logprobs"]?["content"]?.arrayValue ?? [] {
                if let value = entry["logprob"]?.doubleValue {
                    logProbabilitySum += value
                    logProbabilityCount += 1
                }
            }
            guard let delta = choice["delta"] else { continue }
            if let piece = delta["content"]?.stringValue { text += piece }
            if let piece = delta["refusal"]?.stringValue { refusal += piece }
            for call in delta["tool_calls"]?.arrayValue ?? [] {
                let index = call["index"]?.intValue ?? 0
                if calls[index] == nil { calls[index] = (name: "", arguments: "") }
                // Appended in place: a copy taken out of the dictionary shares its buffer, and
                // appending to it copies the whole string, which makes long arguments quadratic.
                if let name = call["function"]?["name"]?.stringValue { calls[index, default: (name: "", arguments: "")].name += name }
                if let arguments = call["function"]?["arguments"]?.stringValue { calls[index, default: (name: "", arguments: "")].arguments += arguments }
            }
        }
    }

    /// The answer so far.
    public var answer: CandidateAnswer {
        CandidateAnswer(
            text: text,
            toolCalls: calls.keys.sorted().compactMap { calls[$0] }.map { CandidateAnswer.ToolCall(name: $0.name, arguments: $0.arguments) },
            meanLogProbability: logProbabilityCount > 0 ? logProbabilitySum / Double(logProbabilityCount) : nil,
            finishReason: finishReason, refusal: refusal.isEmpty ? nil : refusal)
    }
}
