import TriageCore

/// Responses request pieces → canonical chat: input items, tools, `tool_choice`, `text.format`
/// and `reasoning`.
enum ResponsesInput {
    static let roles: Set<String> = ["user", "assistant", "system", "developer"]

    /// Input items → chat messages. Consecutive `function_call` items (and a `function_call`
    /// right after an assistant message item) form one assistant message with `tool_calls`.
    static func messages(_ items: [JSONValue]) throws(GatewayError) -> [JSONValue] {
        var messages: [JSONObject] = []
        var lastWasAssistantItem = false
        for (index, item) in items.enumerated() {
            let param = "input[\(index)]"
            guard case .object(let object) = item else { throw ResponsesClientCodec.invalidType(param, "an object", item) }
            let type = object["type"]?.stringValue ?? (object["role"] != nil ? "message" : "")
            switch type {
            case "message":
                guard let role = object["role"]?.stringValue, roles.contains(role) else {
                    throw GatewayError(
                        .invalidRequest, "Invalid value for '\(param).role': expected one of user, assistant, system, developer.", param: "\(param).role",
                        code: "invalid_value")
                }
                let content = try self.content(object["content"], role: role, param: "\(param).content")
                messages.append(JSONObject([("role", .string(role)), ("content", content)]))
                lastWasAssistantItem = role == "assistant"
            case "function_call":
                guard let callID = object["call_id"]?.stringValue, let name = object["name"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "'\(param)' needs 'call_id' and 'name'.", param: param, code: "missing_required_parameter")
                }
                let call: JSONValue = [
                    "id": .string(callID), "type": "function",
                    "function": ["name": .string(name), "arguments": .string(object["arguments"]?.stringValue ?? "")],
                ]
                if lastWasAssistantItem, var last = messages.popLast() {
                    last["tool_calls"] = .array((last["tool_calls"]?.arrayValue ?? []) + [call])
                    messages.append(last)
                } else {
                    messages.append(JSONObject([("role", "assistant"), ("content", .null), ("tool_calls", [call])]))
                }
                lastWasAssistantItem = true
            case "function_call_output":
                guard let callID = object["call_id"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "'\(param).call_id' is required.", param: "\(param).call_id", code: "missing_required_parameter")
                }
                let output: JSONValue
                switch object["output"] {
                case .string(let text)?: output = .string(text)
                case .array?: output = try content(object["output"], role: "tool", param: "\(param).output")
                default: throw ResponsesClientCodec.invalidType("\(param).output", "a string or an array of content parts", object["output"] ?? .null)
                }
                messages.append(JSONObject([("role", "tool"), ("tool_call_id", .string(callID)), ("content", output)]))
                lastWasAssistantItem = false
            case "reasoning":
                throw ResponsesClientCodec.stateless(param, "Reasoning items cannot be replayed through the gateway; leave them out of 'input'.")
            case "item_reference":
                throw ResponsesClientCodec.stateless(param, "Item references need stored responses; the gateway is stateless: send the items themselves.")
            default:
                throw ResponsesClientCodec.unsupported(param, "Input items of type '\(type)' are not supported by the gateway.")
            }
        }
        return messages.map(JSONValue.object)
    }

    /// A message's content: a string stays a string; parts become chat content parts
    /// (`input_text` / `output_text` → text, `input_image` → image_url, `input_file` with
    /// inline data → file, `refusal` → refusal). Assistant contents become one string.
    static func content(_ value: JSONValue?, role: String, param: String) throws(GatewayError) -> JSONValue {
        switch value {
        case .string(let text)?: return .string(text)
        case .array(let parts)?:
            var out: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                let partParam = "\(param)[\(index)]"
                switch part["type"]?.stringValue {
                case "input_text", "output_text", "text":
                    out.append(["type": "text", "text": .string(part["text"]?.stringValue ?? "")])
                case "refusal" where role == "assistant":
                    out.append(["type": "refusal", "refusal": .string(part["refusal"]?.stringValue ?? "")])
                case "input_image":
                    guard let url = part["image_url"]?.stringValue else {
                        throw ResponsesClientCodec.unsupported(
                            "\(partParam).file_id", "Images must be given by 'image_url' (a URL or data URL): file ids need OpenAI's file storage.")
                    }
                    var image = JSONObject([("url", .string(url))])
                    if let detail = part["detail"], !detail.isNull { image["detail"] = detail }
                    out.append(["type": "image_url", "image_url": .object(image)])
                case "input_file":
                    guard let data = part["file_data"]?.stringValue else {
                        throw ResponsesClientCodec.unsupported(partParam, "Files must be given inline with 'file_data': file ids and file URLs are not supported.")
                    }
                    var file = JSONObject([("file_data", .string(data))])
                    if let name = part["filename"]?.stringValue { file["filename"] = .string(name) }
                    out.append(["type": "file", "file": .object(file)])
                default:
                    throw ResponsesClientCodec.unsupported(partParam, "Content parts of type '\(part["type"]?.stringValue ?? "?")' are not supported.")
                }
            }
            if role == "assistant" || role == "system" || role == "developer", out.allSatisfy({ $0["type"]?.stringValue == "text" }) {
                return .string(out.map { $0["text"]?.stringValue ?? "" }.joined())
            }
            return .array(out)
        case let other?: throw ResponsesClientCodec.invalidType(param, "a string or an array of content parts", other)
        case nil: throw GatewayError(.invalidRequest, "'\(param)' is required.", param: param, code: "missing_required_parameter")
        }
    }

    /// Flattened function tools → chat tools; hosted tools are 400s.
    static func tools(_ value: JSONValue) throws(GatewayError) -> JSONValue? {
        if value.isNull { return nil }
        guard case .array(let tools) = value else { throw ResponsesClientCodec.invalidType("tools", "an array", value) }
        guard !tools.isEmpty else { return nil }
        var out: [JSONValue] = []
        for (index, tool) in tools.enumerated() {
            let param = "tools[\(index)]"
            guard let type = tool["type"]?.stringValue else {
                throw GatewayError(.invalidRequest, "'\(param).type' is required.", param: "\(param).type", code: "missing_required_parameter")
            }
            guard type == "function" else {
                throw ResponsesClientCodec.unsupported("\(param).type", "Built-in tools ('\(type)') are not supported by the gateway: only function tools are.")
            }
            guard let name = tool["name"]?.stringValue else {
                throw GatewayError(.invalidRequest, "'\(param).name' is required.", param: "\(param).name", code: "missing_required_parameter")
            }
            var function = JSONObject([("name", .string(name))])
            for key in ["description", "parameters", "strict"] {
                if let member = tool[key], !member.isNull { function[key] = member }
            }
            out.append(["type": "function", "function": .object(function)])
        }
        return .array(out)
    }

    static func toolChoice(_ value: JSONValue) throws(GatewayError) -> JSONValue {
        switch value {
        case .string("auto"), .string("none"), .string("required"): return value
        case .object(let choice) where choice["type"]?.stringValue == "function":
            guard let name = choice["name"]?.stringValue else {
                throw GatewayError(.invalidRequest, "'tool_choice.name' is required.", param: "tool_choice.name", code: "missing_required_parameter")
            }
            return ["type": "function", "function": ["name": .string(name)]]
        default:
            throw ResponsesClientCodec.unsupported(
                "tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or {\"type\": \"function\", \"name\": …}; hosted tool choices are not supported.")
        }
    }

    /// `text.format` → `response_format`; `text.verbosity` → `verbosity`.
    static func text(_ value: JSONValue, into canonical: inout JSONObject) throws(GatewayError) {
        if value.isNull { return }
        guard case .object(let text) = value else { throw ResponsesClientCodec.invalidType("text", "an object", value) }
        for (key, member) in text where !member.isNull {
            switch key {
            case "verbosity": canonical["verbosity"] = member
            case "format":
                switch member["type"]?.stringValue {
                case "text": canonical["response_format"] = ["type": "text"]
                case "json_object": canonical["response_format"] = ["type": "json_object"]
                case "json_schema":
                    guard let name = member["name"]?.stringValue, case .object? = member["schema"] else {
                        throw GatewayError(
                            .invalidRequest, "'text.format' of type json_schema needs 'name' and 'schema'.", param: "text.format", code: "missing_required_parameter")
                    }
                    var schema = JSONObject([("name", .string(name))])
                    for field in ["description", "schema", "strict"] {
                        if let item = member[field], !item.isNull { schema[field] = item }
                    }
                    canonical["response_format"] = ["type": "json_schema", "json_schema": .object(schema)]
                default:
                    throw GatewayError(
                        .invalidRequest, "Invalid 'text.format.type': expected 'text', 'json_object' or 'json_schema'.", param: "text.format.type",
                        code: "invalid_value")
                }
            default:
                throw ResponsesClientCodec.unsupported("text.\(key)", "'text.\(key)' is not supported by the gateway.")
            }
        }
    }

    /// `reasoning.effort` → `reasoning_effort`. Reasoning summaries cannot be produced from a
    /// chat answer, so `reasoning.summary` (and the older `generate_summary`) are 400s.
    static func reasoning(_ value: JSONValue, into canonical: inout JSONObject) throws(GatewayError) {
        if value.isNull { return }
        guard case .object(let reasoning) = value else { throw ResponsesClientCodec.invalidType("reasoning", "an object", value) }
        for (key, member) in reasoning where !member.isNull {
            switch key {
            case "effort": canonical["reasoning_effort"] = member
            case "summary", "generate_summary":
                throw ResponsesClientCodec.unsupported("reasoning.\(key)", "Reasoning summaries are not available through the gateway; omit 'reasoning.\(key)'.")
            default:
                throw ResponsesClientCodec.unsupported("reasoning.\(key)", "'reasoning.\(key)' is not supported by the gateway.")
            }
        }
    }
}
