import TriageCore

/// Anthropic `message` objects and error bodies → canonical ones.
extension AnthropicProviderCodec {
    public func completion(from body: JSONValue, model: String) throws(GatewayError) -> JSONObject {
        guard case .object(let message) = body, message["type"]?.stringValue == "message", case .array(let blocks)? = message["content"] else {
            if body["type"]?.stringValue == "error" {
                throw AnthropicWire.gatewayError(type: body["error"]?["type"]?.stringValue, message: body["error"]?["message"]?.stringValue)
            }
            throw GatewayError(.upstream, "The provider's answer is not an Anthropic message.", code: "invalid_upstream_response")
        }
        var text = ""
        var calls: [JSONValue] = []
        var thinking: [JSONValue] = []
        var structured = false
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "thinking", "redacted_thinking":
                thinking.append(block)
            case "tool_use":
                let name = block["name"]?.stringValue ?? ""
                let input = block["input"] ?? .object(JSONObject())
                if name.hasPrefix(AnthropicWire.structuredOutputToolPrefix) {
                    text += AnthropicWire.jsonText(input)
                    structured = true
                } else {
                    calls.append([
                        "id": block["id"] ?? "", "type": "function",
                        "function": ["name": .string(name), "arguments": .string(AnthropicWire.jsonText(input))],
                    ])
                }
            case let type:
                throw GatewayError(
                    .upstream, "The provider answered with a '\(type ?? "untyped")' content block the gateway cannot express.",
                    code: "invalid_upstream_response")
            }
        }
        var canonicalMessage = AnthropicWire.object(["role": "assistant"])
        canonicalMessage["content"] = text.isEmpty && !calls.isEmpty ? .null : .string(text)
        if !calls.isEmpty { canonicalMessage["tool_calls"] = .array(calls) }
        if !thinking.isEmpty { canonicalMessage["thinking_blocks"] = .array(thinking) }
        canonicalMessage["refusal"] = .null

        let stopReason = message["stop_reason"]?.stringValue
        let finish = structured && stopReason == "tool_use" ? "stop" : AnthropicWire.finishReason(stopReason: stopReason)
        var choice = AnthropicWire.object(["index": 0, "message": .object(canonicalMessage), "logprobs": nil, "finish_reason": .string(finish)])
        if case .string(let sequence)? = message["stop_sequence"] { choice["stop_sequence"] = .string(sequence) }
        var usage = AnthropicWire.Usage()
        usage.update(anthropic: message["usage"])
        return AnthropicWire.object([
            "id": message["id"] ?? "", "object": "chat.completion", "created": JSONValue(now()), "model": .string(model),
            "choices": [.object(choice)], "usage": usage.canonical,
        ])
    }

    /// Reads `{"type": "error", "error": {"type", "message"}}`. "prompt is too long" (and the
    /// context-limit message for `max_tokens`) mean the context window; `overloaded_error` or
    /// status 529 mean overload.
    public func errorDetail(status: Int, body: JSONValue?) -> ProviderErrorDetail {
        let type = body?["error"]?["type"]?.stringValue
        let message = body?["error"]?["message"]?.stringValue
        let lower = message?.lowercased() ?? ""
        let contextLength = lower.contains("prompt is too long") || lower.contains("exceed context limit") || lower.contains("context window")
        return ProviderErrorDetail(message: message, type: type, isContextLength: contextLength, isOverloaded: type == "overloaded_error" || status == 529)
    }
}

extension AnthropicProviderCodec {
    /// The usage of an Anthropic `message` object, for a Messages client that takes it unchanged.
    public func usage(inAnswer body: JSONValue) -> Usage? {
        guard body["type"]?.stringValue == "message", case .array? = body["content"], case .object? = body["usage"] else { return nil }
        var counts = AnthropicWire.Usage()
        counts.update(anthropic: body["usage"])
        return counts.usage
    }
}
