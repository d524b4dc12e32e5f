import TriageCore

/// OpenAI chat completions wire objects, as documented in OpenAI's API reference: the
/// `chat.completion` object, `chat.completion.chunk` stream events, usage and error bodies.
enum FakeChatWire {
    static let created = 1_732_406_400

    static func usage(promptTokens: Int, completionTokens: Int, cachedTokens: Int) -> JSONValue {
        [
            "prompt_tokens": JSONValue(promptTokens),
            "completion_tokens": JSONValue(completionTokens),
            "total_tokens": JSONValue(promptTokens + completionTokens),
            "prompt_tokens_details": ["cached_tokens": JSONValue(cachedTokens), "audio_tokens": 0],
            "completion_tokens_details": [
                "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
            ],
        ]
    }

    static func completion(id: String, model: String, message: JSONValue, finishReason: String, usage: JSONValue) -> JSONValue {
        [
            "id": .string(id),
            "object": "chat.completion",
            "created": JSONValue(created),
            "model": .string(model),
            "choices": [["index": 0, "message": message, "logprobs": nil, "finish_reason": .string(finishReason)]],
            "usage": usage,
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        ]
    }

    static func textMessage(_ text: String) -> JSONValue {
        ["role": "assistant", "content": .string(text), "refusal": nil, "annotations": []]
    }

    static func toolCallMessage(id: String, name: String, arguments: String) -> JSONValue {
        [
            "role": "assistant", "content": nil, "refusal": nil, "annotations": [],
            "tool_calls": [["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]],
        ]
    }

    /// One `chat.completion.chunk`; `usage: null` is present on every chunk when the request
    /// asked for `stream_options.include_usage`, as OpenAI does.
    static func chunk(id: String, model: String, delta: JSONValue, finishReason: String?, includeUsage: Bool) -> JSONValue {
        let base: JSONValue = [
            "id": .string(id),
            "object": "chat.completion.chunk",
            "created": JSONValue(created),
            "model": .string(model),
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
            "choices": [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? nil]],
        ]
        var object = base.objectValue ?? JSONObject()
        if includeUsage { object["usage"] = .null }
        return .object(object)
    }

    /// The extra last chunk of a stream that asked for usage: no choices, only usage.
    static func usageChunk(id: String, model: String, usage: JSONValue) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": JSONValue(created), "model": .string(model),
            "service_tier": "default", "system_fingerprint": "fp_fake", "choices": [], "usage": usage,
        ]
    }

    static func error(type: String, code: String?, message: String) -> JSONValue {
        ["error": ["message": .string(message), "type": .string(type), "param": nil, "code": code.map(JSONValue.string) ?? nil]]
    }

    /// `data: <json>\n\n`
    static func event(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = Array("data: ".utf8)
        JSONWriter.write(value, into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }

    /// Splits text into word-sized pieces that concatenate back to it ("Hello", " there", "!").
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces.isEmpty ? [""] : pieces
    }

    /// Splits tool-call arguments into fixed-size pieces, as providers stream them.
    static func argumentPieces(of arguments: String, size: Int = 7) -> [String] {
        var pieces: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let end = arguments.index(index, offsetBy: size, limitedBy: arguments.endIndex) ?? arguments.endIndex
            pieces.append(String(arguments[index..<end]))
            index = end
        }
        return pieces
    }
}
