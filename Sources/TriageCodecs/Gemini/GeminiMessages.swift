import TriageCore

/// Canonical chat messages → Gemini `systemInstruction` texts and `contents`.
///
/// - system / developer → system texts (hoisted, in order);
/// - user → a `user` content (text, `inlineData`, `fileData` parts);
/// - assistant → a `model` content (text and `functionCall` parts);
/// - tool → `functionResponse` parts in a `user` content, consecutive tool messages merged into
///   one content; each response is named after the call its `tool_call_id` answers.
/// Consecutive contents of the same role are not merged otherwise: Gemini accepts them.
enum GeminiMessages {
    struct Translation {
        var system: [String] = []
        var contents: [JSONValue] = []
    }

    static func translate(_ messages: [JSONValue]) throws(GatewayError) -> Translation {
        var result = Translation()
        var callNames: [String: String] = [:]
        var pendingResponses: [JSONValue] = []

        func flushResponses() {
            guard !pendingResponses.isEmpty else { return }
            result.contents.append(["role": "user", "parts": .array(pendingResponses)])
            pendingResponses = []
        }

        for (index, value) in messages.enumerated() {
            let param = "messages[\(index)]"
            guard case .object(let message) = value, let role = message["role"]?.stringValue else {
                throw GatewayError(.invalidRequest, "Invalid '\(param)': expected an object with a 'role'.", param: param, code: "invalid_type")
            }
            for key in message.keys where !allowedKeys(role).contains(key) {
                if message[key]?.isNull == true { continue }
                let why =
                    switch key {
                    case "name": "Gemini has no participant names."
                    case "thinking_blocks": "Thinking blocks (with their provider signatures) cannot be sent to Gemini."
                    default: "Gemini cannot express it."
                    }
                throw GeminiProviderCodec.unsupported("\(param).\(key)", "'\(param).\(key)' is not supported for Gemini models: \(why)")
            }
            if role != "tool" { flushResponses() }
            switch role {
            case "system", "developer":
                result.system.append(try text(of: message["content"], param: "\(param).content"))
            case "user":
                let parts = try userParts(message["content"], param: "\(param).content")
                result.contents.append(["role": "user", "parts": .array(parts)])
            case "assistant":
                var parts: [JSONValue] = []
                if let content = message["content"], !content.isNull {
                    let text = try text(of: content, param: "\(param).content", allowRefusal: true)
                    if !text.isEmpty { parts.append(["text": .string(text)]) }
                }
                if let calls = message["tool_calls"], !calls.isNull {
                    guard case .array(let calls) = calls else {
                        throw GeminiProviderCodec.invalidType("\(param).tool_calls", "an array", calls)
                    }
                    for (callIndex, call) in calls.enumerated() {
                        let callParam = "\(param).tool_calls[\(callIndex)]"
                        guard let name = call["function"]?["name"]?.stringValue else {
                            throw GatewayError(.invalidRequest, "'\(callParam).function.name' is required.", param: callParam, code: "missing_required_parameter")
                        }
                        if let id = call["id"]?.stringValue { callNames[id] = name }
                        let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
                        let args: JSONValue
                        switch try? JSONParser.parse(arguments.isEmpty ? "{}" : arguments) {
                        case .object(let object)?: args = .object(object)
                        default:
                            throw GatewayError(
                                .invalidRequest, "'\(callParam).function.arguments' must be a JSON object text: Gemini takes function arguments as an object.",
                                param: "\(callParam).function.arguments", code: "invalid_value")
                        }
                        parts.append(["functionCall": ["name": .string(name), "args": args]])
                    }
                }
                guard !parts.isEmpty else {
                    throw GatewayError(.invalidRequest, "'\(param)' must have content or tool_calls.", param: param, code: "invalid_value")
                }
                result.contents.append(["role": "model", "parts": .array(parts)])
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "'\(param).tool_call_id' is required.", param: "\(param).tool_call_id", code: "missing_required_parameter")
                }
                guard let name = callNames[id] else {
                    throw GatewayError(
                        .invalidRequest, "'\(param).tool_call_id' (\(id)) does not answer a tool call of an earlier assistant message; Gemini needs the function's name.",
                        param: "\(param).tool_call_id", code: "invalid_value")
                }
                let output = try text(of: message["content"], param: "\(param).content")
                let response: JSONValue
                if case .object(let object)? = try? JSONParser.parse(output) {
                    response = .object(object)
                } else {
                    response = ["result": .string(output)]
                }
                pendingResponses.append(["functionResponse": ["name": .string(name), "response": response]])
            default:
                throw GatewayError(.invalidRequest, "'\(param).role' \(role) is not supported for Gemini models.", param: "\(param).role", code: "invalid_value")
            }
        }
        flushResponses()
        guard !result.contents.isEmpty else {
            throw GatewayError(.invalidRequest, "Gemini needs at least one user, assistant or tool message besides system messages.", param: "messages", code: "invalid_value")
        }
        return result
    }

    static func allowedKeys(_ role: String) -> Set<String> {
        switch role {
        case "assistant": ["role", "content", "tool_calls", "refusal", "annotations", "audio"]
        case "tool": ["role", "content", "tool_call_id"]
        default: ["role", "content"]
        }
    }

    /// The text of a string content or an array of text parts (joined without separator).
    /// `cache_control` on a part is a caching hint and ignored.
    static func text(of content: JSONValue?, param: String, allowRefusal: Bool = false) throws(GatewayError) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            var text = ""
            for (index, part) in parts.enumerated() {
                switch part["type"]?.stringValue {
                case "text": text += part["text"]?.stringValue ?? ""
                case "refusal" where allowRefusal: text += part["refusal"]?.stringValue ?? ""
                default:
                    throw GeminiProviderCodec.unsupported("\(param)[\(index)]", "Only text parts are supported in '\(param)' for Gemini models.")
                }
            }
            return text
        case nil, .null?: return ""
        case let other?: throw GeminiProviderCodec.invalidType(param, "a string or an array of content parts", other)
        }
    }

    /// A user content's parts: text, images (data URL → `inlineData`, http(s) → `fileData`),
    /// `input_audio` and `file` parts with inline data.
    static func userParts(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        guard case .array(let parts)? = content else {
            return [["text": .string(try text(of: content, param: param))]]
        }
        var out: [JSONValue] = []
        for (index, part) in parts.enumerated() {
            let partParam = "\(param)[\(index)]"
            switch part["type"]?.stringValue {
            case "text":
                out.append(["text": .string(part["text"]?.stringValue ?? "")])
            case "image_url":
                guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "'\(partParam).image_url.url' is required.", param: "\(partParam).image_url.url", code: "missing_required_parameter")
                }
                out.append(try media(url: url, param: "\(partParam).image_url.url"))
            case "input_audio":
                guard let data = part["input_audio"]?["data"]?.stringValue, let format = part["input_audio"]?["format"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "'\(partParam).input_audio' needs 'data' and 'format'.", param: "\(partParam).input_audio", code: "missing_required_parameter")
                }
                out.append(["inlineData": ["mimeType": .string("audio/\(format)"), "data": .string(data)]])
            case "file":
                guard let data = part["file"]?["file_data"]?.stringValue else {
                    throw GeminiProviderCodec.unsupported("\(partParam).file", "Only files with inline 'file_data' can be sent to Gemini models; 'file_id' refers to OpenAI's file storage.")
                }
                out.append(try media(url: data, param: "\(partParam).file.file_data"))
            default:
                throw GeminiProviderCodec.unsupported(partParam, "Content parts of type '\(part["type"]?.stringValue ?? "?")' are not supported for Gemini models.")
            }
        }
        return out
    }

    /// `data:<mime>;base64,<data>` → `inlineData`; `http(s)://…` → `fileData` (MIME type from the
    /// extension when known; Gemini fetches the file); anything else is 400.
    static func media(url: String, param: String) throws(GatewayError) -> JSONValue {
        if url.hasPrefix("data:") {
            guard let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") else {
                throw GatewayError(.invalidRequest, "'\(param)' must be a base64 data URL (data:<mime type>;base64,<data>).", param: param, code: "invalid_value")
            }
            let mime = String(url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(7))
            guard !mime.isEmpty else {
                throw GatewayError(.invalidRequest, "'\(param)' needs a MIME type for Gemini models.", param: param, code: "invalid_value")
            }
            return ["inlineData": ["mimeType": .string(mime), "data": .string(String(url[url.index(after: comma)...]))]]
        }
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw GatewayError(.invalidRequest, "'\(param)' must be a data URL or an http(s) URL.", param: param, code: "invalid_value")
        }
        var file = JSONObject()
        if let mime = mimeType(forURL: lower) { file["mimeType"] = .string(mime) }
        file["fileUri"] = .string(url)
        return ["fileData": .object(file)]
    }

    static let mimeTypes = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
        "heic": "image/heic", "heif": "image/heif", "pdf": "application/pdf",
    ]

    static func mimeType(forURL url: String) -> String? {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return mimeTypes[String(path[path.index(after: dot)...])]
    }
}
