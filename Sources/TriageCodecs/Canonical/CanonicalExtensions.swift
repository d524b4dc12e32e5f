import TriageCore

/// The canonical chat's extensions (see `WireCodec.swift`) as an OpenAI-compatible provider must
/// not see them.
public enum CanonicalExtensions {
    /// A canonical request body as an OpenAI-compatible provider takes it:
    /// - `cache_control` is removed: OpenAI caches prompt prefixes by itself, with no markers;
    /// - `thinking_blocks` of earlier assistant turns are removed: they are signed by the provider
    ///   that made them and no other provider accepts them (Anthropic itself ignores all but the
    ///   latest turn's); conversations that carry them stay with their provider (session affinity);
    /// - `thinking` becomes `reasoning_effort` (budget ≤ 4,096 → low, ≤ 16,384 → medium, else high)
    ///   unless the request already has one.
    public static func openAIRequest(_ canonical: JSONObject) -> JSONObject {
        var body = canonical
        if let thinking = body["thinking"] {
            body["thinking"] = nil
            if body["reasoning_effort"] == nil, thinking["type"]?.stringValue == "enabled" {
                let budget = thinking["budget_tokens"]?.intValue ?? 0
                body["reasoning_effort"] = .string(budget <= 4096 ? "low" : budget <= 16384 ? "medium" : "high")
            }
        }
        if case .array(let messages)? = body["messages"] {
            body["messages"] = .array(messages.map(strippedMessage))
        }
        if case .array(let tools)? = body["tools"] {
            body["tools"] = .array(tools.map { tool in
                guard case .object(var object) = tool else { return tool }
                object["cache_control"] = nil
                return .object(object)
            })
        }
        return body
    }

    private static func strippedMessage(_ message: JSONValue) -> JSONValue {
        guard case .object(var object) = message else { return message }
        object["thinking_blocks"] = nil
        if case .array(let parts)? = object["content"] {
            object["content"] = .array(parts.map { part in
                guard case .object(var part) = part else { return part }
                part["cache_control"] = nil
                return .object(part)
            })
        }
        return .object(object)
    }
}
