import TriageCore

/// The Anthropic Messages API as a client-facing format (`POST /v1/messages`): decodes Messages
/// requests into the canonical chat and encodes canonical answers, streams and errors as
/// Anthropic's `message` objects, SSE events and `{"type": "error", …}` bodies.
///
/// Translation choices:
/// - `top_k` becomes the canonical extension `top_k` (a provider that cannot honour it rejects it);
/// - a `tool_result` with `is_error: true` becomes a tool message whose text starts with
///   `"Error: "` (the canonical tool message has no error flag);
/// - `thinking: {"type": "disabled"}` is the default and is omitted; `enabled` passes verbatim;
/// - `service_tier: "auto"` is the default and is omitted; other tiers are a 400;
/// - document, file-sourced image, search-result and server-tool blocks, server tools, MCP
///   servers, containers and any unknown field are a 400 naming the field.
public struct AnthropicClientCodec: ClientCodec {
    public init() {}

    public var sameFormatProvider: ProviderFormat? { .anthropic }

    static let knownFields: Set<String> = [
        "model", "max_tokens", "messages", "system", "stop_sequences", "temperature", "top_p", "top_k",
        "tools", "tool_choice", "stream", "metadata", "thinking", "service_tier",
    ]

    public func canonicalRequest(from body: JSONObject) throws(GatewayError) -> JSONObject {
        for key in body.keys where !Self.knownFields.contains(key) {
            throw AnthropicWire.invalid("\(key): Extra inputs are not permitted (the gateway cannot express this field).", param: key)
        }
        guard case .string(let model)? = body["model"], !model.isEmpty else {
            throw AnthropicWire.invalid("model: Field required", param: "model")
        }
        guard let maxTokensValue = body["max_tokens"], !maxTokensValue.isNull else {
            throw AnthropicWire.invalid("max_tokens: Field required", param: "max_tokens")
        }
        guard let maxTokens = maxTokensValue.intValue, maxTokens >= 1 else {
            throw AnthropicWire.invalid("max_tokens: Input should be a valid integer greater than or equal to 1", param: "max_tokens")
        }
        guard case .array(let messages)? = body["messages"] else {
            throw AnthropicWire.invalid("messages: Field required (an array of messages)", param: "messages")
        }

        var out = JSONObject()
        out["model"] = .string(model)
        var canonicalMessages: [JSONValue] = []
        if let system = body["system"], !system.isNull {
            canonicalMessages.append(try Self.systemMessage(system))
        }
        for (index, message) in messages.enumerated() {
            canonicalMessages += try Self.canonicalMessages(message, at: index)
        }
        out["messages"] = .array(canonicalMessages)
        out["max_completion_tokens"] = JSONValue(maxTokens)

        if let stop = body["stop_sequences"], !stop.isNull {
            guard case .array(let sequences) = stop, sequences.allSatisfy({ $0.stringValue != nil }) else {
                throw AnthropicWire.invalid("stop_sequences: Input should be a valid list of strings", param: "stop_sequences")
            }
            if !sequences.isEmpty { out["stop"] = stop }
        }
        for key in ["temperature", "top_p", "top_k"] {
            guard let value = body[key], !value.isNull else { continue }
            guard value.doubleValue != nil else { throw AnthropicWire.invalid("\(key): Input should be a valid number", param: key) }
            out[key] = value
        }
        if let tools = body["tools"], !tools.isNull {
            out["tools"] = try Self.canonicalTools(tools)
        }
        if let choice = body["tool_choice"], !choice.isNull {
            let (canonicalChoice, parallel) = try Self.canonicalToolChoice(choice)
            out["tool_choice"] = canonicalChoice
            if let parallel { out["parallel_tool_calls"] = .bool(parallel) }
        }
        if let metadata = body["metadata"], !metadata.isNull {
            guard case .object(let fields) = metadata else { throw AnthropicWire.invalid("metadata: Input should be an object", param: "metadata") }
            for (key, value) in fields {
                guard key == "user_id" else { throw AnthropicWire.invalid("metadata.\(key): Extra inputs are not permitted", param: "metadata.\(key)") }
                switch value {
                case .null: break
                case .string(let user): out["user"] = .string(user)
                default: throw AnthropicWire.invalid("metadata.user_id: Input should be a valid string", param: "metadata.user_id")
                }
            }
        }
        if let thinking = body["thinking"], !thinking.isNull {
            switch thinking["type"]?.stringValue {
            case "enabled":
                guard thinking["budget_tokens"]?.intValue != nil else {
                    throw AnthropicWire.invalid("thinking.enabled.budget_tokens: Field required", param: "thinking.budget_tokens")
                }
                out["thinking"] = thinking
            case "disabled": break
            default: throw AnthropicWire.invalid("thinking.type: Input should be 'enabled' or 'disabled'", param: "thinking.type")
            }
        }
        if let tier = body["service_tier"], !tier.isNull, tier.stringValue != "auto" {
            throw AnthropicWire.invalid("service_tier: only 'auto' can be expressed by the gateway", param: "service_tier")
        }
        switch body["stream"] {
        case nil, .null?: out["stream"] = false
        case .bool(let flag)?:
            out["stream"] = .bool(flag)
            if flag { out["stream_options"] = ["include_usage": true] }
        default: throw AnthropicWire.invalid("stream: Input should be a valid boolean", param: "stream")
        }
        return out
    }

    public func response(from completion: JSONObject) throws(GatewayError) -> JSONValue {
        guard case .object(let choice)? = completion["choices"]?.arrayValue?.first, case .object(let message)? = choice["message"] else {
            throw GatewayError(.upstream, "The provider's answer has no message.", code: "invalid_upstream_response")
        }
        var content: [JSONValue] = message["thinking_blocks"]?.arrayValue ?? []
        switch message["content"] {
        case .string(let text)? where !text.isEmpty:
            content.append(["type": "text", "text": .string(text)])
        case .array(let parts)?:
            for part in parts {
                if case .string(let text)? = part["text"], !text.isEmpty { content.append(["type": "text", "text": .string(text)]) }
            }
        default: break
        }
        if case .string(let refusal)? = message["refusal"], !refusal.isEmpty {
            content.append(["type": "text", "text": .string(refusal)])
        }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            let arguments = call["function"]?["arguments"]?.stringValue ?? ""
            guard let input = AnthropicWire.parseArguments(arguments) else {
                throw GatewayError(.upstream, "The provider returned tool call arguments that are not a JSON object.", code: "invalid_upstream_response")
            }
            content.append([
                "type": "tool_use", "id": call["id"] ?? .string(""),
                "name": call["function"]?["name"] ?? .string(""), "input": input,
            ])
        }
        let stopSequence = choice["stop_sequence"]?.stringValue
        return [
            "id": .string(Self.messageID(completion["id"]?.stringValue)),
            "type": "message", "role": "assistant",
            "content": .array(content),
            "model": completion["model"] ?? .string(""),
            "stop_reason": .string(AnthropicWire.stopReason(finishReason: choice["finish_reason"]?.stringValue, stopSequence: stopSequence)),
            "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
            "usage": AnthropicWire.Usage(canonical: completion["usage"]).anthropic,
        ]
    }

    public func streamEncoder() -> any ClientStreamEncoder {
        AnthropicStreamEncoder()
    }

    public func errorBody(for error: GatewayError) -> JSONValue {
        AnthropicWire.errorBody(type: AnthropicWire.errorType(for: error).type, message: error.message)
    }

    public func httpStatus(for error: GatewayError) -> Int {
        AnthropicWire.errorType(for: error).status
    }

    /// `msg_…` from a canonical id: `chatcmpl-abc` → `msg_abc`; an id that already is a
    /// message id is kept.
    static func messageID(_ canonical: String?) -> String {
        guard let canonical, !canonical.isEmpty else { return "msg_triage" }
        if canonical.hasPrefix("msg_") { return canonical }
        if canonical.hasPrefix("chatcmpl-") { return "msg_" + canonical.dropFirst("chatcmpl-".count) }
        return "msg_" + canonical
    }
}
