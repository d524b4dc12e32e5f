import TriageCore

/// What a chat request promises about its answer and its conversation: the structured-output
/// ask and tool schemas validators check against, reasoning blocks that tie a conversation to
/// one model family, and a key that identifies the conversation across turns.
extension OpenAIChatRequest {
    /// `json_object` or `json_schema` when `response_format` asks for structured output.
    public var responseFormatType: String? {
        switch body["response_format"]?["type"]?.stringValue {
        case "json_object": "json_object"
        case "json_schema": "json_schema"
        default: nil
        }
    }

    /// The schema of `response_format: {"type": "json_schema", "json_schema": {"schema": …}}`.
    public var responseFormatSchema: JSONValue? {
        guard responseFormatType == "json_schema", let schema = body["response_format"]?["json_schema"]?["schema"], case .object = schema else {
            return nil
        }
        return schema
    }

    /// The parameter schema of every offered function tool, by name (an empty object schema when
    /// a tool declares none).
    public var toolParameterSchemas: [String: JSONValue] {
        var schemas: [String: JSONValue] = [:]
        for tool in body["tools"]?.arrayValue ?? [] {
            guard let function = tool["function"], let name = function["name"]?.stringValue else { continue }
            schemas[name] = function["parameters"] ?? .object(JSONObject())
        }
        return schemas
    }

    /// True when an earlier assistant turn carries provider-specific reasoning (`reasoning_content`,
    /// `reasoning`, `thinking`, or thinking / reasoning content parts): such a conversation must
    /// stay with one model family.
    public var carriesReasoning: Bool {
        for message in body["messages"]?.arrayValue ?? [] where message["role"]?.stringValue == "assistant" {
            for key in ["reasoning_content", "reasoning", "thinking", "reasoning_details"] {
                if let value = message[key], !value.isNull { return true }
            }
            for part in message["content"]?.arrayValue ?? [] {
                switch part["type"]?.stringValue {
                case "thinking", "redacted_thinking", "reasoning": return true
                default: continue
                }
            }
        }
        return false
    }

    /// Identifies the conversation across its turns: a hash of everything up to and including
    /// the first user message (system prompt and opening question), which every continuation
    /// repeats. `nil` for a request that has no user message.
    public var conversationKey: String? {
        guard let messages = body["messages"]?.arrayValue, let firstUser = messages.firstIndex(where: { $0["role"]?.stringValue == "user" }) else {
            return nil
        }
        var hasher = FNV1a()
        for message in messages[...firstUser] { hasher.add(message) }
        let digits = String(hasher.value, radix: 16)
        return "conv:" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// 64-bit FNV-1a over a JSON tree's structure and text, without serialising it.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
        add(byte: 0)
    }

    mutating func add(_ json: JSONValue) {
        switch json {
        case .null: add(byte: UInt8(ascii: "n"))
        case .bool(let flag): add(byte: flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .number(let literal):
            add(byte: UInt8(ascii: "#"))
            add(literal)
        case .string(let text):
            add(byte: UInt8(ascii: "\""))
            add(text)
        case .array(let items):
            add(byte: UInt8(ascii: "["))
            for item in items { add(item) }
            add(byte: UInt8(ascii: "]"))
        case .object(let object):
            add(byte: UInt8(ascii: "{"))
            for member in object {
                add(member.key)
                add(member.value)
            }
            add(byte: UInt8(ascii: "}"))
        }
    }
}
