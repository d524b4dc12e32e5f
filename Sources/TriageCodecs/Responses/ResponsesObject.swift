import TriageCore

/// Builders for the Responses API's `response` object and its output items, with every field
/// the official SDKs require present (nullable ones as `null`).
enum ResponsesObject {
    /// `length` → `max_output_tokens`, `content_filter` → `content_filter`; otherwise complete.
    static func incompleteReason(_ finishReason: String?) -> String? {
        switch finishReason {
        case "length": "max_output_tokens"
        case "content_filter": "content_filter"
        default: nil
        }
    }

    static func outputText(_ text: String) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": []]
    }

    static func messageItem(id: String, status: String, text: String? = nil, refusal: String? = nil, parts: [JSONValue]? = nil) -> JSONValue {
        let content: [JSONValue] =
            parts ?? (refusal.map { [["type": "refusal", "refusal": .string($0)]] } ?? [outputText(text ?? "")])
        return ["type": "message", "id": .string(id), "status": .string(status), "role": "assistant", "content": .array(content)]
    }

    static func functionCallItem(id: String, callID: String, name: String, arguments: String, status: String) -> JSONValue {
        ["type": "function_call", "id": .string(id), "call_id": .string(callID), "name": .string(name), "arguments": .string(arguments), "status": .string(status)]
    }

    /// Canonical usage → `{input_tokens, input_tokens_details, output_tokens, output_tokens_details, total_tokens}`.
    static func usage(_ usage: JSONValue?) -> JSONValue {
        guard case .object(let usage)? = usage else { return .null }
        let input = usage["prompt_tokens"]?.intValue ?? 0
        let output = usage["completion_tokens"]?.intValue ?? 0
        return [
            "input_tokens": JSONValue(input),
            "input_tokens_details": ["cached_tokens": JSONValue(usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)],
            "output_tokens": JSONValue(output),
            "output_tokens_details": ["reasoning_tokens": JSONValue(usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0)],
            "total_tokens": JSONValue(usage["total_tokens"]?.intValue ?? input.clampedAdding(output)),
        ]
    }

    /// The `response` object. Request parameters are not known here; they carry the API's defaults.
    static func response(
        id: String, createdAt: Int, model: String, status: String, incompleteReason: String? = nil, error: JSONValue = .null,
        output: [JSONValue], usage: JSONValue?
    ) -> JSONObject {
        JSONObject([
            ("id", .string(id)),
            ("object", "response"),
            ("created_at", JSONValue(createdAt)),
            ("status", .string(status)),
            ("background", false),
            ("error", error),
            ("incomplete_details", incompleteReason.map { ["reason": .string($0)] } ?? .null),
            ("instructions", .null),
            ("max_output_tokens", .null),
            ("model", .string(model)),
            ("output", .array(output)),
            ("parallel_tool_calls", true),
            ("previous_response_id", .null),
            ("reasoning", ["effort": nil, "summary": nil]),
            ("store", false),
            ("temperature", .null),
            ("text", ["format": ["type": "text"]]),
            ("tool_choice", "auto"),
            ("tools", []),
            ("top_p", .null),
            ("truncation", "disabled"),
            ("usage", self.usage(usage)),
            ("metadata", [:]),
        ])
    }
}
