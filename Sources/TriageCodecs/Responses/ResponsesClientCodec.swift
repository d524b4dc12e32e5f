import TriageCore

/// The OpenAI Responses API (`POST /v1/responses`) as a client format: request bodies become
/// canonical chat requests, canonical answers become `response` objects and Responses SSE events.
///
/// The gateway is stateless, so everything that needs server-side state is a 400:
/// `previous_response_id`, `conversation`, `store: true`, `background: true`, `prompt`
/// templates, `include` (every value names stored or hosted-tool output), `item_reference` and
/// `reasoning` input items, file ids. Hosted tools (web search, file search, computer use, …)
/// are 400s too: only function tools reach the model.
///
/// Request parameters are not echoed in the `response` object (the codec sees only the answer):
/// it carries the documented defaults (`tools: []`, `tool_choice: "auto"`, `temperature: null` …).
public struct ResponsesClientCodec: ClientCodec {
    /// Creates the codec; it holds no state.
    public init() {}

    /// Members copied to the canonical request unchanged.
    static let passThrough: Set<String> = [
        "temperature", "top_p", "parallel_tool_calls", "metadata", "user", "service_tier", "safety_identifier", "prompt_cache_key",
    ]

    public func canonicalRequest(from body: JSONObject) throws(GatewayError) -> JSONObject {
        guard case .string(let model)? = body["model"], !model.isEmpty else {
            throw GatewayError(.invalidRequest, "Missing required parameter: 'model'.", param: "model", code: "missing_required_parameter")
        }
        var canonical = JSONObject()
        canonical["model"] = .string(model)
        var messages: [JSONValue] = []
        if let instructions = body["instructions"], !instructions.isNull {
            guard case .string(let text) = instructions else { throw Self.invalidType("instructions", "a string", instructions) }
            messages.append(["role": "system", "content": .string(text)])
        }
        switch body["input"] {
        case .string(let text)?: messages.append(["role": "user", "content": .string(text)])
        case .array(let items)?: messages += try ResponsesInput.messages(items)
        case nil, .null?: throw GatewayError(.invalidRequest, "Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter")
        case let other?: throw Self.invalidType("input", "a string or an array of input items", other)
        }
        guard messages.contains(where: { $0["role"]?.stringValue != "system" }) else {
            throw GatewayError(.invalidRequest, "'input' must contain at least one item.", param: "input", code: "empty_array")
        }
        canonical["messages"] = .array(messages)
        var stream = false
        for (key, value) in body where !["model", "instructions", "input"].contains(key) {
            if Self.passThrough.contains(key) {
                canonical[key] = value
                continue
            }
            switch key {
            case "stream":
                guard case .bool(let wanted) = value else { throw Self.invalidType(key, "a boolean", value) }
                stream = wanted
            case "stream_options":
                continue  // only `include_obfuscation`, which the gateway's events never need
            case "max_output_tokens":
                if !value.isNull { canonical["max_completion_tokens"] = value }
            case "tools":
                if let tools = try ResponsesInput.tools(value) { canonical["tools"] = tools }
            case "tool_choice":
                canonical["tool_choice"] = try ResponsesInput.toolChoice(value)
            case "text":
                try ResponsesInput.text(value, into: &canonical)
            case "reasoning":
                try ResponsesInput.reasoning(value, into: &canonical)
            case "store":
                if value.boolValue == true {
                    throw Self.stateless(key, "The gateway does not store responses: set 'store' to false or omit it.")
                }
            case "background":
                if value.boolValue == true { throw Self.stateless(key, "Background responses need server-side state, which the gateway does not keep.") }
            case "truncation":
                if let mode = value.stringValue, mode != "disabled" {
                    throw Self.unsupported(key, "Only 'truncation: disabled' is supported: the gateway never truncates input.")
                }
            case "include":
                if let items = value.arrayValue, items.isEmpty { continue }
                if value.isNull { continue }
                throw Self.stateless(key, "'include' asks for stored or hosted-tool output, which the gateway does not provide.")
            case "previous_response_id", "conversation", "prompt":
                if value.isNull { continue }
                throw Self.stateless(key, "'\(key)' needs server-side conversation state; the gateway is stateless: send the whole conversation in 'input'.")
            default:
                if value.isNull { continue }
                throw Self.unsupported(key, "'\(key)' is not supported by the gateway's Responses API.")
            }
        }
        canonical["stream"] = .bool(stream)
        if stream { canonical["stream_options"] = ["include_usage": true] }
        return canonical
    }

    public func response(from completion: JSONObject) throws(GatewayError) -> JSONValue {
        guard let choice = completion["choices"]?.arrayValue?.first, case .object(let message)? = choice["message"] else {
            throw GatewayError(.upstream, "The upstream answer has no choices.", code: "invalid_upstream_response")
        }
        let ids = ResponsesIDs(completionID: completion["id"]?.stringValue)
        let finishReason = choice["finish_reason"]?.stringValue
        let incomplete = ResponsesObject.incompleteReason(finishReason)
        var output: [JSONValue] = []
        let status = incomplete == nil ? "completed" : "incomplete"
        if let text = message["content"]?.stringValue, !text.isEmpty {
            output.append(ResponsesObject.messageItem(id: ids.message, status: status, text: text))
        } else if let refusal = message["refusal"]?.stringValue {
            output.append(ResponsesObject.messageItem(id: ids.message, status: status, refusal: refusal))
        }
        for (index, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            output.append(
                ResponsesObject.functionCallItem(
                    id: ids.functionCall(index), callID: call["id"]?.stringValue ?? ids.functionCall(index),
                    name: call["function"]?["name"]?.stringValue ?? "", arguments: call["function"]?["arguments"]?.stringValue ?? "", status: "completed"))
        }
        return .object(
            ResponsesObject.response(
                id: ids.response, createdAt: completion["created"]?.intValue ?? 0, model: completion["model"]?.stringValue ?? "",
                status: status, incompleteReason: incomplete, output: output, usage: completion["usage"]))
    }

    public func streamEncoder() -> any ClientStreamEncoder {
        ResponsesStreamEncoder()
    }

    public func errorBody(for error: GatewayError) -> JSONValue {
        error.openAIBody
    }

    public func httpStatus(for error: GatewayError) -> Int {
        error.httpStatus
    }

    static func invalidType(_ param: String, _ expected: String, _ value: JSONValue) -> GatewayError {
        GatewayError(.invalidRequest, "Invalid type for '\(param)': expected \(expected), but got \(value.kindName) instead.", param: param, code: "invalid_type")
    }

    static func unsupported(_ param: String, _ message: String) -> GatewayError {
        GatewayError(.invalidRequest, message, param: param, code: "unsupported_parameter")
    }

    static func stateless(_ param: String, _ message: String) -> GatewayError {
        GatewayError(.invalidRequest, message, param: param, code: "unsupported_parameter")
    }
}

/// The ids of one answer's `response` object and output items, derived from the canonical
/// completion id so a replay gives the same ids: `resp_<x>`, `msg_<x>`, `fc_<x>_<n>`.
struct ResponsesIDs: Sendable {
    let base: String

    init(completionID: String?) {
        var id = completionID ?? "gateway"
        for prefix in ["chatcmpl-", "chatcmpl_", "msg_", "resp_"] where id.hasPrefix(prefix) {
            id.removeFirst(prefix.count)
        }
        base = String(id.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }

    var response: String { "resp_" + base }
    var message: String { "msg_" + base }
    func functionCall(_ index: Int) -> String { "fc_\(base)_\(index)" }
}
