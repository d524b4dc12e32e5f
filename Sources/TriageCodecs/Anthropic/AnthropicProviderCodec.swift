import TriageCore

/// Anthropic's Messages API as a provider format: canonical chat requests → `POST /messages`
/// (with `anthropic-version: 2023-06-01`), and Anthropic `message` objects, SSE streams and
/// error bodies → canonical ones.
///
/// Translation choices:
/// - system and developer messages, wherever they appear, are hoisted into `system`, in order;
/// - consecutive tool messages and a user message after them form one user turn (Anthropic
///   combines consecutive user turns anyway), tool results first;
/// - without `max_completion_tokens` / `max_tokens`, `max_tokens` is 4096
///   (`AnthropicWire.defaultMaxTokens`), plus the thinking budget when thinking is enabled;
/// - `response_format` `json_schema` / `json_object` become one forced tool named
///   `triage_json_<schema name>` (`triage_json_object`) whose `input_schema` is the schema; its
///   `input` comes back as the message's JSON `content` with `finish_reason: "stop"`. It cannot be
///   combined with tools, a tool choice or thinking (Anthropic forbids forced tools with
///   thinking), and user tools may not use the reserved prefix;
/// - `n` > 1, `logprobs`, `top_logprobs`, `seed`, non-zero penalties, `logit_bias`, `store`,
///   strict function tools, temperatures above 1, audio and file parts are a 400; an image part's
///   `detail` hint is not expressible and is ignored;
/// - `stream_options` is accepted and ignored: Anthropic always reports usage.
public struct AnthropicProviderCodec: ProviderCodec {
    let now: @Sendable () -> Int

    /// - Parameter now: the `created` timestamp of canonical answers (seconds since 1970).
    public init(now: @escaping @Sendable () -> Int = { AnthropicWire.now() }) {
        self.now = now
    }

    static let knownFields: Set<String> = [
        "model", "messages", "max_tokens", "max_completion_tokens", "stop", "temperature", "top_p", "top_k", "tools",
        "tool_choice", "parallel_tool_calls", "stream", "stream_options", "user", "thinking", "response_format", "metadata",
        "n", "logprobs", "top_logprobs", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "store",
    ]

    public func request(from canonical: JSONObject, upstreamModel: String, stream: Bool) throws(GatewayError) -> ProviderHTTPRequest {
        try Self.rejectInexpressible(canonical)
        guard case .array(let messages)? = canonical["messages"] else {
            throw AnthropicWire.invalid("Missing required parameter: 'messages'.", param: "messages")
        }
        let (system, turns) = try Self.anthropicMessages(messages)

        var body = JSONObject()
        body["model"] = .string(upstreamModel)
        let budget = canonical["thinking"]?["budget_tokens"]?.intValue ?? 0
        let maxTokens: Int = canonical["max_completion_tokens"]?.intValue ?? canonical["max_tokens"]?.intValue ?? AnthropicWire.defaultMaxTokens.clampedAdding(budget)
        body["max_tokens"] = JSONValue(maxTokens)
        if let system { body["system"] = system }
        body["messages"] = .array(turns)
        switch canonical["stop"] {
        case .string(let sequence)?: body["stop_sequences"] = [.string(sequence)]
        case .array(let sequences)? where !sequences.isEmpty: body["stop_sequences"] = .array(sequences)
        default: break
        }
        for key in ["temperature", "top_p", "top_k"] {
            if let value = canonical[key], !value.isNull { body[key] = value }
        }
        var tools = try Self.anthropicTools(canonical["tools"])
        var toolChoice = try Self.anthropicToolChoice(canonical["tool_choice"], parallel: canonical["parallel_tool_calls"]?.boolValue, hasTools: !tools.isEmpty)
        if let (tool, choice) = try Self.structuredOutputTool(canonical) {
            tools = [tool]
            toolChoice = choice
        }
        if !tools.isEmpty { body["tools"] = .array(tools) }
        if let toolChoice { body["tool_choice"] = toolChoice }
        if case .string(let user)? = canonical["user"] { body["metadata"] = ["user_id": .string(user)] }
        if let thinking = canonical["thinking"], !thinking.isNull { body["thinking"] = thinking }
        if stream { body["stream"] = true }
        return ProviderHTTPRequest(path: "/messages", body: JSONWriter.bytes(.object(body)), headers: [("anthropic-version", AnthropicWire.apiVersion)])
    }

    public func streamDecoder(model: String) -> any ProviderStreamDecoder {
        AnthropicStreamDecoder(model: model, created: now())
    }

    /// Fields Anthropic cannot express are a 400; their default values are accepted.
    static func rejectInexpressible(_ canonical: JSONObject) throws(GatewayError) {
        for (key, value) in canonical {
            guard knownFields.contains(key) else {
                throw AnthropicWire.invalid("'\(key)' cannot be expressed for an Anthropic model.", param: key)
            }
            if value.isNull { continue }
            let harmless: Bool
            switch key {
            case "n": harmless = value.intValue == 1
            case "logprobs", "store": harmless = value.boolValue == false
            case "top_logprobs", "seed": harmless = false
            case "presence_penalty", "frequency_penalty": harmless = value.doubleValue == 0
            case "logit_bias": harmless = value.objectValue?.isEmpty == true
            case "temperature": harmless = (value.doubleValue ?? 2) <= 1
            case "metadata":
                harmless = value.objectValue?.keys.allSatisfy(OpenAIChatRequest.gatewayMetadataKeys.contains) ?? false
            default: harmless = true
            }
            if !harmless {
                let reason = key == "temperature" ? " (Anthropic accepts 0 to 1)" : ""
                throw AnthropicWire.invalid("'\(key)' = \(JSONWriter.string(value)) cannot be expressed for an Anthropic model\(reason).", param: key)
            }
        }
    }

    /// The forced tool and tool choice for a JSON `response_format`, or `nil` for text.
    static func structuredOutputTool(_ canonical: JSONObject) throws(GatewayError) -> (JSONValue, JSONValue)? {
        guard let format = canonical["response_format"], !format.isNull else { return nil }
        let name: String
        let schema: JSONValue
        var description = "Respond by calling this tool: its input is your answer, a JSON object."
        switch format["type"]?.stringValue {
        case "text": return nil
        case "json_object":
            name = AnthropicWire.structuredOutputToolPrefix + "object"
            schema = ["type": "object"]
        case "json_schema":
            guard case .object(let spec)? = format["json_schema"], case .object(let object)? = spec["schema"] else {
                throw AnthropicWire.invalid("response_format.json_schema.schema is required.", param: "response_format.json_schema.schema")
            }
            guard object["type"]?.stringValue == "object" else {
                throw AnthropicWire.invalid(
                    "response_format.json_schema.schema must describe an object for an Anthropic model.", param: "response_format.json_schema.schema")
            }
            let raw = spec["name"]?.stringValue ?? "response"
            let safe = String(raw.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
            name = String((AnthropicWire.structuredOutputToolPrefix + safe).prefix(64))
            schema = .object(object)
            if case .string(let text)? = spec["description"] { description = text }
        default:
            throw AnthropicWire.invalid("response_format.type must be text, json_object or json_schema.", param: "response_format.type")
        }
        if let tools = canonical["tools"], tools.arrayValue?.isEmpty == false {
            throw AnthropicWire.invalid("response_format cannot be combined with tools for an Anthropic model.", param: "response_format")
        }
        if let choice = canonical["tool_choice"], !choice.isNull, choice.stringValue != "auto" {
            throw AnthropicWire.invalid("response_format cannot be combined with tool_choice for an Anthropic model.", param: "response_format")
        }
        if canonical["thinking"]?["type"]?.stringValue == "enabled" {
            throw AnthropicWire.invalid("response_format cannot be combined with thinking for an Anthropic model.", param: "response_format")
        }
        let tool: JSONValue = ["name": .string(name), "description": .string(description), "input_schema": schema]
        return (tool, ["type": "tool", "name": .string(name)])
    }
}
