import TriageCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Pieces of the Anthropic Messages wire format shared by the client codec (ingress
/// `POST /v1/messages`) and the provider codec (egress to Anthropic): stop reasons, usage,
/// error types and the reserved name of the forced tool that carries structured output.
public enum AnthropicWire {
    /// The `anthropic-version` header the provider codec sends.
    public static let apiVersion = "2023-06-01"

    /// Tools whose name starts with this carry a `response_format` answer: the provider codec
    /// forces such a tool to get JSON out of Claude and turns its `input` back into message content.
    public static let structuredOutputToolPrefix = "triage_json_"

    /// `max_tokens` sent to Anthropic when the canonical request sets no output limit.
    public static let defaultMaxTokens = 4096

    /// A 400 in Anthropic's words.
    static func invalid(_ message: String, param: String? = nil) -> GatewayError {
        GatewayError(.invalidRequest, message, param: param, code: "invalid_request_error")
    }

    /// A `JSONObject` from a literal, members in the order written.
    static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONObject {
        JSONObject(members.map { (key: $0.key, value: $0.value) })
    }

    /// Seconds since 1970, for `created`.
    public static func now() -> Int { Int(Date().timeIntervalSince1970) }

    // MARK: Stop reasons

    /// Canonical `finish_reason` → Anthropic `stop_reason`.
    static func stopReason(finishReason: String?, stopSequence: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: stopSequence == nil ? "end_turn" : "stop_sequence"
        }
    }

    /// Anthropic `stop_reason` → canonical `finish_reason`. `pause_turn` (a server tool paused a
    /// long turn) reads as `stop`: the turn is over for this request.
    static func finishReason(stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    // MARK: Usage

    /// Anthropic usage counts. `input` excludes cache reads and writes, as Anthropic reports it.
    struct Usage: Sendable, Equatable {
        var input = 0
        var output = 0
        var cacheWrite = 0
        var cacheRead = 0

        /// From a canonical `usage` object: prompt tokens minus cache reads and writes.
        init(canonical value: JSONValue?) {
            let prompt = value?["prompt_tokens"]?.intValue ?? 0
            cacheRead = value?["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
            cacheWrite = value?["prompt_tokens_details"]?["cache_write_tokens"]?.intValue ?? 0
            input = max(0, prompt.clampedSubtracting(cacheRead).clampedSubtracting(cacheWrite))
            output = value?["completion_tokens"]?.intValue ?? 0
        }

        init() {}

        /// Reads the members an Anthropic `usage` object carries, keeping the others.
        mutating func update(anthropic value: JSONValue?) {
            guard case .object(let usage)? = value else { return }
            if let n = usage["input_tokens"]?.intValue { input = n }
            if let n = usage["output_tokens"]?.intValue { output = n }
            if let n = usage["cache_creation_input_tokens"]?.intValue { cacheWrite = n }
            if let n = usage["cache_read_input_tokens"]?.intValue { cacheRead = n }
        }

        /// Anthropic's `usage` object.
        var anthropic: JSONValue {
            [
                "input_tokens": JSONValue(input), "output_tokens": JSONValue(output),
                "cache_creation_input_tokens": JSONValue(cacheWrite), "cache_read_input_tokens": JSONValue(cacheRead),
            ]
        }

        /// The canonical `usage` object: `prompt_tokens` counts every input token.
        var canonical: JSONValue {
            let prompt = input.clampedAdding(cacheWrite).clampedAdding(cacheRead)
            return [
                "prompt_tokens": JSONValue(prompt), "completion_tokens": JSONValue(output), "total_tokens": JSONValue(prompt.clampedAdding(output)),
                "prompt_tokens_details": ["cached_tokens": JSONValue(cacheRead), "cache_write_tokens": JSONValue(cacheWrite)],
            ]
        }
    }

    // MARK: Errors

    /// The Anthropic error type and HTTP status for a gateway error. Upstream failures keep the
    /// gateway's 502 / 504 status with type `api_error`; `.unavailable` is Anthropic's 529.
    static func errorType(for error: GatewayError) -> (type: String, status: Int) {
        switch error.kind {
        case .invalidRequest: ("invalid_request_error", 400)
        case .authentication: ("authentication_error", 401)
        case .permission: ("permission_error", 403)
        case .notFound: ("not_found_error", 404)
        case .payloadTooLarge: ("request_too_large", 413)
        case .unsupportedMediaType: ("invalid_request_error", 415)
        case .rateLimited: ("rate_limit_error", 429)
        case .upstream: ("api_error", 502)
        case .upstreamTimeout: ("api_error", 504)
        case .unavailable: ("overloaded_error", 529)
        case .internalError: ("api_error", 500)
        }
    }

    /// `{"type": "error", "error": {"type": …, "message": …}}`
    static func errorBody(type: String, message: String) -> JSONValue {
        ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
    }

    /// The gateway error an Anthropic error type means (for in-stream `error` events).
    static func gatewayError(type: String?, message: String?) -> GatewayError {
        let text = message ?? "Anthropic reported an error."
        switch type {
        case "overloaded_error": return GatewayError(.unavailable, "The provider is overloaded: \(text)", code: "overloaded_error")
        case "rate_limit_error": return GatewayError(.rateLimited, "The provider is rate limiting this gateway: \(text)", code: "rate_limit_error")
        case "request_too_large": return GatewayError(.payloadTooLarge, text, code: "request_too_large")
        case "invalid_request_error": return GatewayError(.invalidRequest, text, code: "invalid_request_error")
        case "timeout_error": return GatewayError(.upstreamTimeout, "The provider timed out: \(text)", code: "timeout_error")
        default: return GatewayError(.upstream, "The provider failed: \(text)", code: type ?? "api_error")
        }
    }

    // MARK: JSON helpers

    /// The JSON text of a value (tool `input` → canonical `arguments`).
    static func jsonText(_ value: JSONValue) -> String {
        JSONWriter.string(value)
    }

    /// Parses canonical tool-call `arguments` (empty means `{}`); `nil` when not a JSON object.
    static func parseArguments(_ text: String) -> JSONValue? {
        if text.allSatisfy(\.isWhitespace) { return .object(JSONObject()) }
        guard let value = try? JSONParser.parse(text), case .object = value else { return nil }
        return value
    }
}
