import TriageCore

/// Decodes a Gemini `streamGenerateContent?alt=sse` stream: every `data:` event is a whole
/// `GenerateContentResponse`. Emits a role chunk first, then a content chunk per text piece and
/// one `tool_calls` delta per function call (Gemini sends calls whole: id, name and complete
/// arguments in one delta), a chunk with `finish_reason` once Gemini sends a `finishReason`, and
/// then the usage-only chunk from the last `usageMetadata` (Gemini repeats cumulative usage on
/// every event; the final one is complete).
public struct GeminiStreamDecoder: ProviderStreamDecoder {
    let model: String
    let created: Int
    private var id = GeminiResponse.completionID(nil)
    private var sentRole = false
    private var callCount = 0
    private var sawFinish = false
    private var usage: JSONObject?

    public init(model: String, created: Int) {
        self.model = model
        self.created = created
    }

    public var isComplete: Bool { sawFinish }

    public mutating func decode(_ event: SSEEvent) throws(GatewayError) -> [JSONObject] {
        guard !sawFinish else { return [] }
        let data = event.data
        if data.isEmpty || data == "[DONE]" { return [] }
        guard case .object(let response)? = try? JSONParser.parse(data) else {
            throw GatewayError(.upstream, "The upstream provider sent a stream event that is not a JSON object.", code: "invalid_upstream_response")
        }
        if case .object(let error)? = response["error"] {
            throw GeminiErrors.streamError(error)
        }
        if let responseID = response["responseId"]?.stringValue { id = GeminiResponse.completionID(responseID) }
        if let metadata = GeminiResponse.usage(response["usageMetadata"]) { usage = metadata }

        var chunks: [JSONObject] = []
        if !sentRole {
            sentRole = true
            chunks.append(chunk(delta: ["role": "assistant", "content": ""]))
        }
        let finishReason: String?
        if let candidate = response["candidates"]?.arrayValue?.first {
            let parts = candidate["content"]?["parts"]?.arrayValue ?? []
            let content = GeminiResponse.read(parts: parts, responseID: response["responseId"]?.stringValue, firstCallIndex: callCount)
            if !content.text.isEmpty { chunks.append(chunk(delta: ["content": .string(content.text)])) }
            for call in content.calls {
                chunks.append(chunk(delta: ["tool_calls": [.object(GeminiResponse.toolCall(call, withIndex: true))]]))
            }
            callCount += content.calls.count
            finishReason = candidate["finishReason"]?.stringValue.map { GeminiResponse.finishReason($0, hasCalls: callCount > 0) }
        } else if response["promptFeedback"]?["blockReason"]?.stringValue != nil {
            finishReason = "content_filter"
        } else {
            finishReason = nil
        }
        if let finishReason {
            sawFinish = true
            chunks.append(chunk(delta: [:], finishReason: finishReason))
            var last = head()
            last["choices"] = []
            last["usage"] = .object(usage ?? GeminiResponse.usage([:])!)
            chunks.append(last)
        }
        return chunks
    }

    private func head() -> JSONObject {
        var object = JSONObject()
        object["id"] = .string(id)
        object["object"] = "chat.completion.chunk"
        object["created"] = JSONValue(created)
        object["model"] = .string(model)
        return object
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONObject {
        var object = head()
        object["choices"] = [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? .null]]
        return object
    }
}
