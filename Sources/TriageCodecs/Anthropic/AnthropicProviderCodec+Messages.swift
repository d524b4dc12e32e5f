import TriageCore

/// Canonical messages, tools and tool choice → Anthropic's.
extension AnthropicProviderCodec {
    /// The `system` value (a string, or text blocks when any carries `cache_control` or there
    /// are several) and the Anthropic messages.
    static func anthropicMessages(_ messages: [JSONValue]) throws(GatewayError) -> (system: JSONValue?, messages: [JSONValue]) {
        var system: [JSONValue] = []
        var turns: [(role: String, content: JSONValue)] = []
        /// Appends a user turn, merged into a user turn just before it (tool results included).
        func appendUser(_ content: JSONValue) {
            if let last = turns.last, last.role == "user" {
                turns[turns.count - 1].content = .array(blocks(last.content) + blocks(content))
            } else {
                turns.append(("user", content))
            }
        }
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            guard case .object(let object) = message, case .string(let role)? = object["role"] else {
                throw AnthropicWire.invalid("\(param) must be an object with a role.", param: param)
            }
            switch role {
            case "system", "developer":
                try checkKeys(object, ["role", "content"], param: param)
                system += try textBlocks(object["content"], param: "\(param).content")
            case "user":
                try checkKeys(object, ["role", "content"], param: param)
                appendUser(try userContent(object["content"], param: "\(param).content"))
            case "assistant":
                try checkKeys(object, ["role", "content", "tool_calls", "thinking_blocks", "refusal"], param: param)
                turns.append(("assistant", try assistantContent(object, param: param)))
            case "tool":
                try checkKeys(object, ["role", "content", "tool_call_id"], param: param)
                guard case .string(let id)? = object["tool_call_id"] else {
                    throw AnthropicWire.invalid("\(param).tool_call_id is required.", param: "\(param).tool_call_id")
                }
                var result = AnthropicWire.object(["type": "tool_result", "tool_use_id": .string(id)])
                switch object["content"] {
                case .string(let text)?: result["content"] = .string(text)
                case nil, .null?: result["content"] = ""
                default: result["content"] = .array(try textBlocks(object["content"], param: "\(param).content"))
                }
                appendUser([.object(result)])
            default:
                throw AnthropicWire.invalid("\(param).role '\(role)' cannot be expressed for an Anthropic model.", param: "\(param).role")
            }
        }
        let systemValue: JSONValue?
        if system.isEmpty {
            systemValue = nil
        } else if system.count == 1, system[0]["cache_control"] == nil, let text = system[0]["text"] {
            systemValue = text
        } else {
            systemValue = .array(system)
        }
        return (systemValue, turns.map { ["role": .string($0.role), "content": $0.content] })
    }

    private static func blocks(_ content: JSONValue) -> [JSONValue] {
        switch content {
        case .string(let text): [["type": "text", "text": .string(text)]]
        case .array(let blocks): blocks
        default: []
        }
    }

    /// A string or text parts → text blocks (with `cache_control`).
    static func textBlocks(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        switch content {
        case .string(let text)?: return [["type": "text", "text": .string(text)]]
        case .array(let parts)?:
            var out: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                guard part["type"]?.stringValue == "text" else {
                    throw AnthropicWire.invalid("\(param)[\(index)]: only text parts can be expressed here for an Anthropic model.", param: "\(param)[\(index)]")
                }
                out.append(try textBlock(part, param: "\(param)[\(index)]"))
            }
            return out
        default:
            throw AnthropicWire.invalid("\(param) must be a string or an array of text parts.", param: param)
        }
    }

    private static func textBlock(_ part: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        try checkKeys(part.objectValue ?? JSONObject(), ["type", "text", "cache_control"], param: param)
        guard case .string(let text)? = part["text"] else { throw AnthropicWire.invalid("\(param).text is required.", param: "\(param).text") }
        var block = AnthropicWire.object(["type": "text", "text": .string(text)])
        if let cache = part["cache_control"], !cache.isNull { block["cache_control"] = cache }
        return .object(block)
    }

    private static func userContent(_ content: JSONValue?, param: String) throws(GatewayError) -> JSONValue {
        guard case .array(let parts)? = content else {
            if case .string? = content { return content! }
            throw AnthropicWire.invalid("\(param) must be a string or an array of content parts.", param: param)
        }
        var out: [JSONValue] = []
        for (index, part) in parts.enumerated() {
            let partParam = "\(param)[\(index)]"
            switch part["type"]?.stringValue {
            case "text": out.append(try textBlock(part, param: partParam))
            case "image_url": out.append(try imageBlock(part, param: partParam))
            case let type:
                throw AnthropicWire.invalid("\(partParam): '\(type ?? "untyped")' parts cannot be expressed for an Anthropic model.", param: partParam)
            }
        }
        return .array(out)
    }

    /// `image_url` → an image block: a `data:` URL becomes a base64 source, http(s) a url source.
    private static func imageBlock(_ part: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        try checkKeys(part.objectValue ?? JSONObject(), ["type", "image_url", "cache_control"], param: param)
        let link = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue ?? ""
        let source: JSONValue
        if link.hasPrefix("data:"), let comma = link.firstIndex(of: ",") {
            let header = link[link.index(link.startIndex, offsetBy: 5)..<comma]
            guard header.hasSuffix(";base64") else {
                throw AnthropicWire.invalid("\(param).image_url.url: only base64 data URLs can be sent to an Anthropic model.", param: "\(param).image_url.url")
            }
            let mediaType = String(header.dropLast(";base64".count))
            source = ["type": "base64", "media_type": .string(mediaType), "data": .string(String(link[link.index(after: comma)...]))]
        } else if link.hasPrefix("https://") || link.hasPrefix("http://") {
            source = ["type": "url", "url": .string(link)]
        } else {
            throw AnthropicWire.invalid("\(param).image_url.url must be a data URL or an http(s) URL.", param: "\(param).image_url.url")
        }
        var block = AnthropicWire.object(["type": "image", "source": source])
        if let cache = part["cache_control"], !cache.isNull { block["cache_control"] = cache }
        return .object(block)
    }

    /// Thinking blocks first, then text, then `tool_use` blocks.
    private static func assistantContent(_ message: JSONObject, param: String) throws(GatewayError) -> JSONValue {
        var out: [JSONValue] = message["thinking_blocks"]?.arrayValue ?? []
        switch message["content"] {
        case .string(let text)? where !text.isEmpty:
            out.append(["type": "text", "text": .string(text)])
        case .array(let parts)?:
            for (index, part) in parts.enumerated() {
                let partParam = "\(param).content[\(index)]"
                switch part["type"]?.stringValue {
                // Anthropic rejects empty text blocks; an empty part says nothing.
                case "text" where part["text"]?.stringValue == "": continue
                case "text": out.append(try textBlock(part, param: partParam))
                case "refusal": out.append(["type": "text", "text": part["refusal"] ?? ""])
                default: throw AnthropicWire.invalid("\(partParam): only text parts can be expressed in an assistant message.", param: partParam)
                }
            }
        default: break
        }
        if case .string(let refusal)? = message["refusal"], !refusal.isEmpty {
            out.append(["type": "text", "text": .string(refusal)])
        }
        for (index, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            let callParam = "\(param).tool_calls[\(index)]"
            guard case .string(let id)? = call["id"], case .string(let name)? = call["function"]?["name"],
                let input = AnthropicWire.parseArguments(call["function"]?["arguments"]?.stringValue ?? "")
            else {
                throw AnthropicWire.invalid("\(callParam) needs an id, a function name and arguments that are a JSON object.", param: callParam)
            }
            out.append(["type": "tool_use", "id": .string(id), "name": .string(name), "input": input])
        }
        return .array(out)
    }

    /// Function tools → Anthropic custom tools (`cache_control` kept).
    static func anthropicTools(_ value: JSONValue?) throws(GatewayError) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let tools) = value else { throw AnthropicWire.invalid("'tools' must be an array.", param: "tools") }
        var out: [JSONValue] = []
        for (index, tool) in tools.enumerated() {
            let param = "tools[\(index)]"
            guard tool["type"]?.stringValue == "function", case .object(let function)? = tool["function"],
                case .string(let name)? = function["name"]
            else {
                throw AnthropicWire.invalid("\(param): only function tools can be expressed for an Anthropic model.", param: param)
            }
            try checkKeys(tool.objectValue!, ["type", "function", "cache_control"], param: param)
            try checkKeys(function, ["name", "description", "parameters", "strict"], param: "\(param).function")
            if function["strict"]?.boolValue == true {
                throw AnthropicWire.invalid("\(param).function.strict cannot be expressed for an Anthropic model.", param: "\(param).function.strict")
            }
            if name.hasPrefix(AnthropicWire.structuredOutputToolPrefix) {
                throw AnthropicWire.invalid("\(param).function.name: the prefix '\(AnthropicWire.structuredOutputToolPrefix)' is reserved.", param: "\(param).function.name")
            }
            var entry = AnthropicWire.object(["name": .string(name)])
            if let description = function["description"], !description.isNull { entry["description"] = description }
            entry["input_schema"] = function["parameters"].flatMap { $0.isNull ? nil : $0 } ?? ["type": "object", "properties": [:]]
            if let cache = tool["cache_control"], !cache.isNull { entry["cache_control"] = cache }
            out.append(.object(entry))
        }
        return out
    }

    /// `tool_choice` and `parallel_tool_calls` → Anthropic's `tool_choice`.
    static func anthropicToolChoice(_ value: JSONValue?, parallel: Bool?, hasTools: Bool) throws(GatewayError) -> JSONValue? {
        var choice: JSONObject
        switch value {
        case nil, .null?:
            guard parallel == false, hasTools else { return nil }
            choice = AnthropicWire.object(["type": "auto"])
        case .string("auto")?: choice = AnthropicWire.object(["type": "auto"])
        case .string("required")?: choice = AnthropicWire.object(["type": "any"])
        case .string("none")?: return ["type": "none"]
        case .object(let object)? where object["type"]?.stringValue == "function":
            guard case .string(let name)? = object["function"]?["name"] else {
                throw AnthropicWire.invalid("tool_choice.function.name is required.", param: "tool_choice.function.name")
            }
            choice = AnthropicWire.object(["type": "tool", "name": .string(name)])
        default:
            throw AnthropicWire.invalid("tool_choice must be auto, required, none or a named function.", param: "tool_choice")
        }
        if parallel == false { choice["disable_parallel_tool_use"] = true }
        return .object(choice)
    }

    static func checkKeys(_ object: JSONObject, _ allowed: Set<String>, param: String) throws(GatewayError) {
        for key in object.keys where !allowed.contains(key) {
            if object[key]?.isNull == true { continue }
            throw AnthropicWire.invalid("\(param).\(key) cannot be expressed for an Anthropic model.", param: "\(param).\(key)")
        }
    }
}
