import TriageCore

/// Gemini `GenerateContentResponse` → canonical `chat.completion`, and the pieces the stream
/// decoder shares: part reading, finish reasons, usage and tool call ids.
enum GeminiResponse {
    static func completion(from body: JSONValue, model: String, created: Int) throws(GatewayError) -> JSONObject {
        guard case .object(let response) = body else {
            throw GatewayError(.upstream, "The upstream provider returned a response that is not a JSON object.", code: "invalid_upstream_response")
        }
        let responseID = response["responseId"]?.stringValue
        var message = JSONObject()
        message["role"] = "assistant"
        let finishReason: String
        if let candidate = response["candidates"]?.arrayValue?.first {
            let content = read(parts: candidate["content"]?["parts"]?.arrayValue ?? [], responseID: responseID, firstCallIndex: 0)
            message["content"] = content.text.isEmpty && !content.calls.isEmpty ? .null : .string(content.text)
            if !content.calls.isEmpty { message["tool_calls"] = .array(content.calls.map { .object(toolCall($0, withIndex: false)) }) }
            finishReason = self.finishReason(candidate["finishReason"]?.stringValue, hasCalls: !content.calls.isEmpty)
        } else if response["promptFeedback"]?["blockReason"]?.stringValue != nil {
            // The prompt itself was blocked: no candidates. Reported as a filtered, empty answer
            // (OpenAI's `content_filter`), not as an error, so the client sees why.
            message["content"] = .null
            finishReason = "content_filter"
        } else {
            throw GatewayError(.upstream, "The upstream provider returned no candidates.", code: "invalid_upstream_response")
        }
        message["refusal"] = .null
        var completion = JSONObject()
        completion["id"] = .string(completionID(responseID))
        completion["object"] = "chat.completion"
        completion["created"] = JSONValue(created)
        completion["model"] = .string(model)
        completion["choices"] = [["index": 0, "message": .object(message), "logprobs": nil, "finish_reason": .string(finishReason)]]
        completion["usage"] = usage(response["usageMetadata"]).map(JSONValue.object) ?? .null
        return completion
    }

    static func completionID(_ responseID: String?) -> String {
        "chatcmpl-" + (responseID ?? "gemini")
    }

    /// One function call of an answer, numbered across the whole answer.
    struct Call {
        var index: Int
        var id: String
        var name: String
        var arguments: String
    }

    /// The visible text (thought parts excluded) and function calls of a list of parts.
    static func read(parts: [JSONValue], responseID: String?, firstCallIndex: Int) -> (text: String, calls: [Call]) {
        var text = ""
        var calls: [Call] = []
        for part in parts {
            if let call = part["functionCall"] {
                let name = call["name"]?.stringValue ?? ""
                let arguments = JSONWriter.string(call["args"] ?? [:])
                let index = firstCallIndex + calls.count
                let id = call["id"]?.stringValue ?? toolCallID(responseID: responseID, index: index, name: name, arguments: arguments)
                calls.append(Call(index: index, id: id, name: name, arguments: arguments))
            } else if part["thought"]?.boolValue == true {
                continue  // reasoning summary, not content
            } else if let piece = part["text"]?.stringValue {
                text += piece
            }
        }
        return (text, calls)
    }

    static func toolCall(_ call: Call, withIndex: Bool) -> JSONObject {
        var object = JSONObject()
        if withIndex { object["index"] = JSONValue(call.index) }
        object["id"] = .string(call.id)
        object["type"] = "function"
        object["function"] = ["name": .string(call.name), "arguments": .string(call.arguments)]
        return object
    }

    /// `call_` + 24 hex digits of an FNV-1a hash of the response id, the call's position, name and
    /// arguments: the same answer always gets the same ids, streamed or not.
    static func toolCallID(responseID: String?, index: Int, name: String, arguments: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in "\(responseID ?? "")|\(index)|\(name)|\(arguments)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 1
        }
        let hex = String(hash, radix: 16) + String(second >> 32, radix: 16)
        return "call_" + String(repeating: "0", count: max(0, 24 - hex.count)) + hex.prefix(24)
    }

    /// STOP → stop (tool_calls when the answer calls functions), MAX_TOKENS → length, the safety
    /// family → content_filter; anything else (OTHER, MALFORMED_FUNCTION_CALL …) → stop.
    static func finishReason(_ reason: String?, hasCalls: Bool) -> String {
        switch reason {
        case "MAX_TOKENS": "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE": "content_filter"
        default: hasCalls ? "tool_calls" : "stop"
        }
    }

    /// `usageMetadata` → canonical usage: completion tokens count the thoughts too.
    static func usage(_ metadata: JSONValue?) -> JSONObject? {
        guard case .object(let metadata)? = metadata else { return nil }
        let prompt = metadata["promptTokenCount"]?.intValue ?? 0
        let thoughts = metadata["thoughtsTokenCount"]?.intValue ?? 0
        let completion = (metadata["candidatesTokenCount"]?.intValue ?? 0).clampedAdding(thoughts)
        var usage = JSONObject()
        usage["prompt_tokens"] = JSONValue(prompt)
        usage["completion_tokens"] = JSONValue(completion)
        usage["total_tokens"] = JSONValue(metadata["totalTokenCount"]?.intValue ?? prompt.clampedAdding(completion))
        usage["prompt_tokens_details"] = ["cached_tokens": JSONValue(metadata["cachedContentTokenCount"]?.intValue ?? 0)]
        usage["completion_tokens_details"] = ["reasoning_tokens": JSONValue(thoughts)]
        return usage
    }
}
