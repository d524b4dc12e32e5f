import TriageCore

/// Anthropic `system`, `messages`, `tools` and `tool_choice` → canonical chat.
extension AnthropicClientCodec {
    /// `system` as a string or text blocks → one canonical system message; blocks keep `cache_control`.
    static func systemMessage(_ system: JSONValue) throws(GatewayError) -> JSONValue {
        switch system {
        case .string(let text):
            return ["role": "system", "content": .string(text)]
        case .array(let blocks):
            var parts: [JSONValue] = []
            for (index, block) in blocks.enumerated() {
                let param = "system[\(index)]"
                guard block["type"]?.stringValue == "text" else {
                    throw AnthropicWire.invalid("\(param): system blocks must be text blocks", param: param)
                }
                parts.append(try textPart(block, param: param))
            }
            return ["role": "system", "content": .array(parts)]
        default:
            throw AnthropicWire.invalid("system: Input should be a string or a list of text blocks", param: "system")
        }
    }

    /// One Anthropic message → canonical messages: a user message's `tool_result` blocks become
    /// `role: tool` messages (in order, before the rest of its content).
    static func canonicalMessages(_ message: JSONValue, at index: Int) throws(GatewayError) -> [JSONValue] {
        let param = "messages[\(index)]"
        guard case .object(let object) = message else { throw AnthropicWire.invalid("\(param): Input should be an object", param: param) }
        for key in object.keys where key != "role" && key != "content" {
            throw AnthropicWire.invalid("\(param).\(key): Extra inputs are not permitted", param: "\(param).\(key)")
        }
        guard case .string(let role)? = object["role"], role == "user" || role == "assistant" else {
            throw AnthropicWire.invalid("\(param).role: Input should be 'user' or 'assistant'", param: "\(param).role")
        }
        switch object["content"] {
        case .string(let text)?:
            return [["role": .string(role), "content": .string(text)]]
        case .array(let blocks)?:
            return role == "user"
                ? try userMessages(blocks, param: param)
                : [try assistantMessage(blocks, param: param)]
        default:
            throw AnthropicWire.invalid("\(param).content: Input should be a string or a list of content blocks", param: "\(param).content")
        }
    }

    private static func userMessages(_ blocks: [JSONValue], param: String) throws(GatewayError) -> [JSONValue] {
        var out: [JSONValue] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(param).content[\(index)]"
            switch block["type"]?.stringValue {
            case "text": parts.append(try textPart(block, param: blockParam))
            case "image": parts.append(try imagePart(block, param: blockParam))
            case "tool_result": out.append(try toolMessage(block, param: blockParam))
            case let type: throw unsupportedBlock(type, param: blockParam)
            }
        }
        if !parts.isEmpty || out.isEmpty { out.append(["role": "user", "content": .array(parts)]) }
        return out
    }

    private static func assistantMessage(_ blocks: [JSONValue], param: String) throws(GatewayError) -> JSONValue {
        var parts: [JSONValue] = []
        var calls: [JSONValue] = []
        var thinking: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(param).content[\(index)]"
            switch block["type"]?.stringValue {
            case "text":
                parts.append(try textPart(block, param: blockParam))
            case "thinking":
                try checkKeys(block, ["type", "thinking", "signature"], param: blockParam)
                thinking.append(block)
            case "redacted_thinking":
                try checkKeys(block, ["type", "data"], param: blockParam)
                thinking.append(block)
            case "tool_use":
                try checkKeys(block, ["type", "id", "name", "input"], param: blockParam)
                guard case .string(let id)? = block["id"], case .string(let name)? = block["name"], case .object? = block["input"] else {
                    throw AnthropicWire.invalid("\(blockParam): tool_use needs a string id and name and an object input", param: blockParam)
                }
                calls.append([
                    "id": .string(id), "type": "function",
                    "function": ["name": .string(name), "arguments": .string(AnthropicWire.jsonText(block["input"]!))],
                ])
            case let type:
                throw unsupportedBlock(type, param: blockParam)
            }
        }
        var message = JSONObject()
        message["role"] = "assistant"
        if parts.count == 1, parts[0]["cache_control"] == nil, let text = parts[0]["text"] {
            message["content"] = text
        } else if parts.isEmpty {
            message["content"] = calls.isEmpty ? .string("") : .null
        } else {
            message["content"] = .array(parts)
        }
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        if !thinking.isEmpty { message["thinking_blocks"] = .array(thinking) }
        return .object(message)
    }

    /// A `tool_result` block → `{"role": "tool", "tool_call_id", "content"}`. Text blocks become
    /// text parts; `is_error: true` prefixes the text with `"Error: "`; `cache_control` moves to
    /// the last text part.
    private static func toolMessage(_ block: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        try checkKeys(block, ["type", "tool_use_id", "content", "is_error", "cache_control"], param: param)
        guard case .string(let id)? = block["tool_use_id"] else {
            throw AnthropicWire.invalid("\(param).tool_use_id: Field required", param: "\(param).tool_use_id")
        }
        var parts: [JSONValue] = []
        switch block["content"] {
        case nil, .null?: break
        case .string(let text)?: parts.append(["type": "text", "text": .string(text)])
        case .array(let blocks)?:
            for (index, inner) in blocks.enumerated() {
                let innerParam = "\(param).content[\(index)]"
                guard inner["type"]?.stringValue == "text" else {
                    throw AnthropicWire.invalid(
                        "\(innerParam): only text can be returned in a tool_result through this gateway (got \(inner["type"]?.stringValue ?? "no type"))",
                        param: innerParam)
                }
                parts.append(try textPart(inner, param: innerParam))
            }
        case let other?:
            throw AnthropicWire.invalid("\(param).content: expected a string or text blocks, got \(other.kindName)", param: "\(param).content")
        }
        if block["is_error"]?.boolValue == true {
            if case .object(var first)? = parts.first, case .string(let text)? = first["text"] {
                first["text"] = .string("Error: " + text)
                parts[0] = .object(first)
            } else {
                parts.insert(["type": "text", "text": "Error"], at: 0)
            }
        }
        if let cache = block["cache_control"], !cache.isNull {
            if parts.isEmpty { parts.append(["type": "text", "text": ""]) }
            if case .object(var last)? = parts.last {
                last["cache_control"] = cache
                parts[parts.count - 1] = .object(last)
            }
        }
        let content: JSONValue
        if parts.count == 1, parts[0]["cache_control"] == nil, let text = parts[0]["text"] {
            content = text
        } else if parts.isEmpty {
            content = ""
        } else {
            content = .array(parts)
        }
        return ["role": "tool", "tool_call_id": .string(id), "content": content]
    }

    /// A text block → `{"type": "text", "text", "cache_control"?}`.
    static func textPart(_ block: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        try checkKeys(block, ["type", "text", "cache_control", "citations"], param: param)
        guard case .string(let text)? = block["text"] else { throw AnthropicWire.invalid("\(param).text: Field required", param: "\(param).text") }
        if let citations = block["citations"], !citations.isNull, citations.arrayValue?.isEmpty != true {
            throw AnthropicWire.invalid("\(param).citations: citations cannot be expressed by the gateway", param: "\(param).citations")
        }
        var part = AnthropicWire.object(["type": "text", "text": .string(text)])
        if let cache = block["cache_control"], !cache.isNull { part["cache_control"] = cache }
        return .object(part)
    }

    /// An image block → an `image_url` part: base64 sources become `data:` URLs.
    static func imagePart(_ block: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        try checkKeys(block, ["type", "source", "cache_control"], param: param)
        let url: String
        switch block["source"]?["type"]?.stringValue {
        case "base64":
            guard case .string(let mediaType)? = block["source"]?["media_type"], case .string(let data)? = block["source"]?["data"] else {
                throw AnthropicWire.invalid("\(param).source: base64 sources need media_type and data", param: "\(param).source")
            }
            url = "data:\(mediaType);base64,\(data)"
        case "url":
            guard case .string(let link)? = block["source"]?["url"] else {
                throw AnthropicWire.invalid("\(param).source.url: Field required", param: "\(param).source.url")
            }
            url = link
        case let type:
            throw AnthropicWire.invalid("\(param).source: image source '\(type ?? "none")' cannot be expressed by the gateway", param: "\(param).source")
        }
        var part = AnthropicWire.object(["type": "image_url", "image_url": ["url": .string(url)]])
        if let cache = block["cache_control"], !cache.isNull { part["cache_control"] = cache }
        return .object(part)
    }

    // MARK: Tools

    /// Custom tools → function tools; `cache_control` stays on the tool. Server tools are a 400.
    static func canonicalTools(_ value: JSONValue) throws(GatewayError) -> JSONValue {
        guard case .array(let tools) = value else { throw AnthropicWire.invalid("tools: Input should be a valid list", param: "tools") }
        var out: [JSONValue] = []
        for (index, tool) in tools.enumerated() {
            let param = "tools[\(index)]"
            if let type = tool["type"]?.stringValue, type != "custom" {
                throw AnthropicWire.invalid("\(param).type: server tool '\(type)' cannot be expressed by the gateway", param: "\(param).type")
            }
            try checkKeys(tool, ["type", "name", "description", "input_schema", "cache_control"], param: param)
            guard case .string(let name)? = tool["name"] else { throw AnthropicWire.invalid("\(param).name: Field required", param: "\(param).name") }
            guard case .object(let schema)? = tool["input_schema"] else {
                throw AnthropicWire.invalid("\(param).input_schema: Field required", param: "\(param).input_schema")
            }
            var function = AnthropicWire.object(["name": .string(name)])
            if case .string(let description)? = tool["description"] { function["description"] = .string(description) }
            function["parameters"] = .object(schema)
            var entry = AnthropicWire.object(["type": "function", "function": .object(function)])
            if let cache = tool["cache_control"], !cache.isNull { entry["cache_control"] = cache }
            out.append(.object(entry))
        }
        return .array(out)
    }

    /// `tool_choice` → canonical `tool_choice` and, for `disable_parallel_tool_use`, `parallel_tool_calls`.
    static func canonicalToolChoice(_ choice: JSONValue) throws(GatewayError) -> (JSONValue, Bool?) {
        let parallel = choice["disable_parallel_tool_use"]?.boolValue.map { !$0 }
        switch choice["type"]?.stringValue {
        case "auto":
            try checkKeys(choice, ["type", "disable_parallel_tool_use"], param: "tool_choice")
            return ("auto", parallel)
        case "any":
            try checkKeys(choice, ["type", "disable_parallel_tool_use"], param: "tool_choice")
            return ("required", parallel)
        case "none":
            try checkKeys(choice, ["type"], param: "tool_choice")
            return ("none", nil)
        case "tool":
            try checkKeys(choice, ["type", "name", "disable_parallel_tool_use"], param: "tool_choice")
            guard case .string(let name)? = choice["name"] else {
                throw AnthropicWire.invalid("tool_choice.name: Field required", param: "tool_choice.name")
            }
            return (["type": "function", "function": ["name": .string(name)]], parallel)
        default:
            throw AnthropicWire.invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", param: "tool_choice.type")
        }
    }

    // MARK: Helpers

    static func checkKeys(_ value: JSONValue, _ allowed: Set<String>, param: String) throws(GatewayError) {
        guard case .object(let object) = value else { throw AnthropicWire.invalid("\(param): Input should be an object", param: param) }
        for key in object.keys where !allowed.contains(key) {
            throw AnthropicWire.invalid("\(param).\(key): Extra inputs are not permitted (the gateway cannot express this field)", param: "\(param).\(key)")
        }
    }

    static func unsupportedBlock(_ type: String?, param: String) -> GatewayError {
        AnthropicWire.invalid("\(param): content blocks of type '\(type ?? "none")' cannot be expressed by the gateway here", param: param)
    }
}
