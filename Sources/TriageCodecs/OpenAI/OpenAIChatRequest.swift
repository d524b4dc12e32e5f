import TriageCore

/// An OpenAI chat completions request, parsed once and validated enough to route it. The full
/// body is kept so every field the client sent (tools, response_format, logprobs, n, seed …)
/// is forwarded unchanged; only `model`, `stream_options` and gateway metadata are rewritten.
public struct OpenAIChatRequest: Sendable {
    public private(set) var body: JSONObject
    /// The bytes the body was parsed from and each top-level member's value range in them, so
    /// untouched members are forwarded as the exact bytes the client sent.
    private var raw: [UInt8] = []
    private var spans: [Range<Int>] = []
    public let model: String
    public let stream: Bool
    /// Whether the client itself asked for the final usage chunk of a stream.
    public let clientWantsStreamUsage: Bool
    public let metadata: JSONObject?
    public let messageCount: Int
    public let toolCount: Int
    public let estimatedInputTokens: Int
    /// `max_completion_tokens` or `max_tokens`, when set.
    public let maxOutputTokens: Int?

    /// Metadata keys the gateway reads and removes before forwarding.
    public static let gatewayMetadataKeys: Set<String> = ["role", "run", "run_id", "triage_role", "triage_run", "triage_validate", "triage_reasons"]

    static let messageRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// Parses and validates a request body. Errors are client errors with the offending `param`.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(GatewayError) -> OpenAIChatRequest where Bytes.Element == UInt8 {
        let raw = Array(bytes)
        let parsed = raw.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> (JSONObject, [Range<Int>]) in try JSONParser.parseObjectWithSpans(buffer: buffer) }
        }
        switch parsed {
        case .failure(let error):
            throw GatewayError(
                .invalidRequest, "We could not parse the JSON body of your request: it must be a JSON object (\(error)).", code: "invalid_json")
        case .success(let (body, spans)):
            var request = try OpenAIChatRequest(body: body)
            request.raw = raw
            request.spans = spans
            return request
        }
    }

    public init(body: JSONObject) throws(GatewayError) {
        self.body = body
        guard let modelValue = body["model"] else {
            throw GatewayError(.invalidRequest, "you must provide a model parameter", param: "model", code: "missing_required_parameter")
        }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "'model' must be a non-empty string, got \(modelValue.kindName).", param: "model", code: "invalid_type")
        }
        self.model = model

        guard let messagesValue = body["messages"] else {
            throw GatewayError(.invalidRequest, "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard case .array(let messages) = messagesValue else {
            throw GatewayError(.invalidRequest, "Invalid type for 'messages': expected an array, but got \(messagesValue.kindName) instead.", param: "messages", code: "invalid_type")
        }
        guard !messages.isEmpty else {
            throw GatewayError(.invalidRequest, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: "messages", code: "empty_array")
        }
        var characters = 0
        for (index, message) in messages.enumerated() {
            guard case .object(let object) = message else {
                throw GatewayError(.invalidRequest, "Invalid type for 'messages[\(index)]': expected an object, but got \(message.kindName) instead.", param: "messages[\(index)]", code: "invalid_type")
            }
            guard case .string(let role)? = object["role"], Self.messageRoles.contains(role) else {
                throw GatewayError(.invalidRequest, "Invalid value for 'messages[\(index)].role': expected one of system, developer, user, assistant, tool.", param: "messages[\(index)].role", code: "invalid_value")
            }
            characters += Self.textLength(of: object["content"])
            if case .array(let calls)? = object["tool_calls"] {
                for call in calls { characters += Self.textLength(of: call["function"]?["arguments"]) }
            }
        }
        self.messageCount = messages.count

        switch body["stream"] {
        case nil, .null?: self.stream = false
        case .bool(let flag)?: self.stream = flag
        case let other?:
            throw GatewayError(.invalidRequest, "Invalid type for 'stream': expected a boolean, but got \(other.kindName) instead.", param: "stream", code: "invalid_type")
        }
        self.clientWantsStreamUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false

        var tools = 0
        if let toolsValue = body["tools"], !toolsValue.isNull {
            guard case .array(let list) = toolsValue else {
                throw GatewayError(.invalidRequest, "Invalid type for 'tools': expected an array, but got \(toolsValue.kindName) instead.", param: "tools", code: "invalid_type")
            }
            tools = list.count
            for tool in list { characters += JSONWriter.bytes(tool).count }
        }
        self.toolCount = tools

        for key in ["max_completion_tokens", "max_tokens", "n"] {
            if let value = body[key], !value.isNull, (value.intValue ?? 0) < 1 {
                throw GatewayError(.invalidRequest, "Invalid '\(key)': expected an integer of at least 1.", param: key, code: "invalid_value")
            }
        }
        self.maxOutputTokens = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue

        if let metadataValue = body["metadata"], !metadataValue.isNull {
            guard case .object(let metadata) = metadataValue else {
                throw GatewayError(.invalidRequest, "Invalid type for 'metadata': expected an object, but got \(metadataValue.kindName) instead.", param: "metadata", code: "invalid_type")
            }
            self.metadata = metadata
        } else {
            self.metadata = nil
        }
        // About four characters per token for English text and code, plus per-message framing.
        self.estimatedInputTokens = characters / 4 + 4 * messages.count + 3
    }

    /// A string field of `metadata`.
    public func metadataString(_ key: String) -> String? {
        metadata?[key]?.stringValue
    }

    /// The body to send upstream: the client's request with the upstream model name, usage
    /// requested for streams (so every stream can be priced), and gateway metadata removed.
    public func upstreamBody(model upstreamModel: String) -> [UInt8] {
        guard !raw.isEmpty, spans.count == body.count else { return reencodedBody(model: upstreamModel) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 48)
        out.append(UInt8(ascii: "{"))
        var wroteStreamOptions = false
        for (index, member) in body.members.enumerated() {
            let replacement: JSONValue?
            switch member.key {
            case "model":
                replacement = .string(upstreamModel)
            case "stream_options" where stream:
                var options = member.value.objectValue ?? JSONObject()
                options["include_usage"] = true
                replacement = .object(options)
                wroteStreamOptions = true
            case "metadata":
                guard var metadata, metadata.keys.contains(where: Self.gatewayMetadataKeys.contains) else { replacement = nil; break }
                for key in Self.gatewayMetadataKeys { metadata[key] = nil }
                if metadata.isEmpty { continue }
                replacement = .object(metadata)
            default:
                replacement = nil
            }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            if let replacement {
                JSONWriter.write(replacement, into: &out)
            } else {
                out.append(contentsOf: raw[spans[index]])
            }
        }
        if stream && !wroteStreamOptions {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""stream_options":{"include_usage":true}"#.utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The same body built from the parsed tree (for requests not decoded from bytes).
    private func reencodedBody(model upstreamModel: String) -> [UInt8] {
        JSONWriter.bytes(.object(upstreamObject(model: upstreamModel)))
    }

    /// The body to send upstream as a tree, for provider codecs that translate it: the
    /// upstream model name, usage requested for streams, gateway metadata removed.
    public func upstreamObject(model upstreamModel: String) -> JSONObject {
        var out = body
        out["model"] = .string(upstreamModel)
        if stream {
            var options = out["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = true
            out["stream_options"] = .object(options)
        }
        if var metadata {
            for key in Self.gatewayMetadataKeys { metadata[key] = nil }
            out["metadata"] = metadata.isEmpty ? nil : .object(metadata)
        }
        return out
    }

    static func textLength(of value: JSONValue?) -> Int {
        switch value {
        case .string(let text)?: return text.utf8.count
        case .array(let parts)?:
            var total = 0
            for part in parts {
                if case .string(let text)? = part["text"] {
                    total += text.utf8.count
                } else if part["image_url"] != nil {
                    total += 85 * 4  // a low-detail image costs about 85 tokens
                }
            }
            return total
        default: return 0
        }
    }
}

extension OpenAIChatRequest {
    /// The request's text for the routing layers (skill classifier, risk predictor).
    public func digest() -> PromptDigest {
        let messages = (body["messages"]?.arrayValue ?? []).map(PromptDigest.Message.init(openAI:))
        let tools = (body["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
        return PromptDigest(messages: messages, toolNames: tools, responseFormat: body["response_format"]?["type"]?.stringValue)
    }
}
