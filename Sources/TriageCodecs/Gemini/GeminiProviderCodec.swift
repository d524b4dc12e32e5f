#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TriageCore

/// The Google Gemini API (`generateContent` / `streamGenerateContent?alt=sse`, v1beta) as a
/// provider: canonical chat requests become `GenerateContentRequest` bodies and Gemini's
/// `GenerateContentResponse` objects and SSE streams become canonical completions and chunks.
///
/// Decisions (each documented where it is made):
/// - system and developer messages, wherever they appear, are hoisted into `systemInstruction`
///   in order (Gemini has one system instruction per request);
/// - `image_url` data URLs become `inlineData`; `http(s)` URLs become `fileData` with the MIME
///   type guessed from the file extension (Gemini fetches public URLs itself), other URLs are 400;
/// - tool and response schemas are sent as JSON Schema (`parametersJsonSchema`,
///   `responseJsonSchema`), which Gemini documents as the alternative to its OpenAPI subset, so
///   `additionalProperties`, `$ref`, `anyOf` … reach the model; only `$schema` is removed;
/// - `cache_control` is a caching hint, not content: Gemini caches implicitly and has no per-part
///   control, so the hint is ignored; `strict` on tools and schemas is ignored the same way;
/// - `thinking.budget_tokens` and `reasoning_effort` become `thinkingConfig.thinkingBudget`;
///   Gemini's thought parts are reasoning, never content, and are not returned;
/// - `n` above 1, `logprobs: true`, `parallel_tool_calls: false`, message `name`s, `thinking_blocks`
///   (Anthropic signatures Gemini cannot verify) and every other field Gemini cannot express are 400s.
/// Authentication (`x-goog-api-key`) is added by the HTTP client, never put into the request.
public struct GeminiProviderCodec: ProviderCodec {
    /// Seconds since 1970 for the `created` field of canonical answers.
    let now: @Sendable () -> Int

    /// - Parameter now: the clock for `created` (tests pass a fixed one).
    public init(now: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.now = now
    }

    /// Canonical fields that are hints with no Gemini meaning, accepted and not sent.
    static let ignoredFields: Set<String> = [
        "model", "messages", "stream", "stream_options", "metadata", "user", "store", "prompt_cache_key", "safety_identifier",
    ]

    public func request(from canonical: JSONObject, upstreamModel: String, stream: Bool) throws(GatewayError) -> ProviderHTTPRequest {
        guard case .array(let messages)? = canonical["messages"] else {
            throw GatewayError(.invalidRequest, "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        let translated = try GeminiMessages.translate(messages)
        var body = JSONObject()
        body["contents"] = .array(translated.contents)
        var generation = JSONObject()
        var thinking = JSONObject()
        for (key, value) in canonical where !Self.ignoredFields.contains(key) && !value.isNull {
            switch key {
            case "tools":
                if let tools = try GeminiTools.tools(value) { body["tools"] = tools }
            case "tool_choice":
                body["toolConfig"] = try GeminiTools.toolConfig(value)
            case "parallel_tool_calls":
                guard value.boolValue != nil else { throw Self.invalidType(key, "a boolean", value) }
                if value.boolValue == false {
                    throw Self.unsupported(key, "Gemini cannot be told to make at most one function call per turn; omit 'parallel_tool_calls' or set it to true.")
                }
            case "response_format":
                try GeminiTools.responseFormat(value, into: &generation)
            case "stop":
                switch value {
                case .string: generation["stopSequences"] = [value]
                case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): generation["stopSequences"] = value
                default: throw Self.invalidType(key, "a string or an array of strings", value)
                }
            case "max_completion_tokens", "max_tokens":
                guard let tokens = value.intValue, tokens > 0 else { throw Self.invalidType(key, "a positive integer", value) }
                generation["maxOutputTokens"] = JSONValue(tokens)
            case "temperature", "top_p", "presence_penalty", "frequency_penalty":
                guard value.doubleValue != nil else { throw Self.invalidType(key, "a number", value) }
                generation[Self.generationNames[key]!] = value
            case "seed":
                guard value.intValue != nil else { throw Self.invalidType(key, "an integer", value) }
                generation["seed"] = value
            case "n":
                guard let n = value.intValue else { throw Self.invalidType(key, "an integer", value) }
                if n != 1 { throw Self.unsupported(key, "The gateway returns one choice from Gemini; 'n' must be 1.") }
            case "logprobs":
                guard let wanted = value.boolValue else { throw Self.invalidType(key, "a boolean", value) }
                if wanted { throw Self.unsupported(key, "Log-probabilities are not supported for Gemini models through the gateway.") }
            case "thinking":
                try Self.thinking(value, into: &thinking)
            case "reasoning_effort":
                guard let effort = value.stringValue, let budget = Self.reasoningBudgets[effort] else {
                    throw GatewayError(.invalidRequest, "Invalid value for 'reasoning_effort': expected one of none, minimal, low, medium, high.", param: key, code: "invalid_value")
                }
                thinking["thinkingBudget"] = JSONValue(budget)
            default:
                throw Self.unsupported(key, "'\(key)' cannot be expressed in a Gemini generateContent request.")
            }
        }
        if !translated.system.isEmpty {
            body["systemInstruction"] = ["parts": .array(translated.system.map { ["text": .string($0)] })]
        }
        if !thinking.isEmpty { generation["thinkingConfig"] = .object(thinking) }
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        let action = stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        return ProviderHTTPRequest(path: "/" + (try Self.resourceName(upstreamModel)) + action, body: JSONWriter.bytes(.object(body)))
    }

    static let generationNames = ["temperature": "temperature", "top_p": "topP", "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty"]

    /// `reasoning_effort` → `thinkingBudget`, as Google's own OpenAI compatibility layer maps it.
    static let reasoningBudgets = ["none": 0, "minimal": 1024, "low": 1024, "medium": 8192, "high": 24576]

    /// The canonical `thinking` extension (`{"type": "enabled", "budget_tokens": N}` or
    /// `{"type": "disabled"}`) as `thinkingConfig.thinkingBudget`.
    static func thinking(_ value: JSONValue, into config: inout JSONObject) throws(GatewayError) {
        switch value["type"]?.stringValue {
        case "enabled":
            guard let budget = value["budget_tokens"]?.intValue, budget >= 0 else {
                throw GatewayError(.invalidRequest, "'thinking.budget_tokens' must be a non-negative integer.", param: "thinking.budget_tokens", code: "invalid_value")
            }
            config["thinkingBudget"] = JSONValue(budget)
        case "disabled":
            config["thinkingBudget"] = 0
        default:
            throw GatewayError(.invalidRequest, "'thinking.type' must be 'enabled' or 'disabled'.", param: "thinking.type", code: "invalid_value")
        }
    }

    /// `models/<name>` for a plain model name; a name that already has a collection
    /// (`models/…`, `tunedModels/…`) is used as it is.
    static func resourceName(_ model: String) throws(GatewayError) -> String {
        // One pass over the bytes: allowed characters only, no `..`, and whether there is a `/`.
        var allowed = !model.isEmpty
        var hasSlash = false
        var previous: UInt8 = 0
        for byte in model.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"): break
            case UInt8(ascii: "."): if previous == byte { allowed = false }
            case UInt8(ascii: "/"): hasSlash = true
            default: allowed = false
            }
            previous = byte
        }
        guard allowed, model.utf8.first != UInt8(ascii: "/") else {
            throw GatewayError(.invalidRequest, "'\(model)' is not a valid Gemini model name.", param: "model", code: "invalid_value")
        }
        return hasSlash ? model : "models/" + model
    }

    static func unsupported(_ param: String, _ message: String) -> GatewayError {
        GatewayError(.invalidRequest, message, param: param, code: "unsupported_parameter")
    }

    static func invalidType(_ param: String, _ expected: String, _ value: JSONValue) -> GatewayError {
        GatewayError(.invalidRequest, "Invalid type for '\(param)': expected \(expected), but got \(value.kindName) instead.", param: param, code: "invalid_type")
    }

    public func completion(from body: JSONValue, model: String) throws(GatewayError) -> JSONObject {
        try GeminiResponse.completion(from: body, model: model, created: now())
    }

    public func streamDecoder(model: String) -> any ProviderStreamDecoder {
        GeminiStreamDecoder(model: model, created: now())
    }

    public func errorDetail(status: Int, body: JSONValue?) -> ProviderErrorDetail {
        GeminiErrors.detail(status: status, body: body)
    }
}
