import NIOCore
import TriageCore

/// One Anthropic reply: content blocks, each with the pieces it streams in.
struct FakeAnthropicAnswer: Sendable {
    enum Block: Sendable {
        case text(pieces: [String])
        /// `input` is the JSON text of the tool input; `pieces` concatenate to it.
        case toolUse(id: String, name: String, input: String, pieces: [String])
    }

    var blocks: [Block]
    var stopReason: String
    var outputTokens: Int

    static func text(_ text: String) -> FakeAnthropicAnswer {
        Self.text(pieces: FakeAnswer.words(of: text))
    }

    static func text(pieces: [String]) -> FakeAnthropicAnswer {
        FakeAnthropicAnswer(blocks: [.text(pieces: pieces)], stopReason: "end_turn", outputTokens: max(1, pieces.count))
    }

    static func toolUses(_ calls: [(id: String, name: String, arguments: String)]) -> FakeAnthropicAnswer {
        let blocks = calls.map { Block.toolUse(id: $0.id, name: $0.name, input: $0.arguments, pieces: FakeAnswer.argumentPieces(of: $0.arguments)) }
        let characters = calls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count }
        return FakeAnthropicAnswer(blocks: blocks, stopReason: "tool_use", outputTokens: max(1, characters / 4))
    }
}

/// Anthropic's Messages wire for one call: the `message` object and the SSE events
/// (`event: <type>\ndata: <json>\n\n`) in the documented order.
struct FakeAnthropicWire: Sendable {
    let id: String
    let model: String
    let inputTokens: Int
    let cacheReadTokens: Int

    init(id: String, model: String, promptTokens: Int, cachedTokens: Int) {
        self.id = id
        self.model = model
        cacheReadTokens = min(cachedTokens, promptTokens)
        inputTokens = promptTokens - cacheReadTokens
    }

    func usage(outputTokens: Int) -> JSONValue {
        [
            "input_tokens": JSONValue(inputTokens), "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": JSONValue(cacheReadTokens), "output_tokens": JSONValue(outputTokens),
        ]
    }

    static func content(_ block: FakeAnthropicAnswer.Block) -> JSONValue {
        switch block {
        case .text(let pieces): return ["type": "text", "text": .string(pieces.joined())]
        case .toolUse(let id, let name, let input, _):
            let parsed = (try? JSONParser.parse(input)) ?? .object(JSONObject())
            return ["type": "tool_use", "id": .string(id), "name": .string(name), "input": parsed]
        }
    }

    /// The whole non-streamed response body.
    func message(_ answer: FakeAnthropicAnswer) -> ByteBuffer {
        let body: JSONValue = [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model),
            "content": .array(answer.blocks.map(Self.content)),
            "stop_reason": .string(answer.stopReason), "stop_sequence": nil,
            "usage": usage(outputTokens: answer.outputTokens),
        ]
        return ByteBuffer(bytes: JSONWriter.bytes(body))
    }

    static func event(_ payload: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("event: ")
        buffer.writeString(payload["type"]?.stringValue ?? "message")
        buffer.writeString("\ndata: ")
        buffer.writeBytes(JSONWriter.bytes(payload))
        buffer.writeString("\n\n")
        return buffer
    }

    /// `message_start` and `ping`.
    func opening() -> [ByteBuffer] {
        let message: JSONValue = [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
            "stop_reason": nil, "stop_sequence": nil, "usage": usage(outputTokens: 1),
        ]
        return [Self.event(["type": "message_start", "message": message]), Self.event(["type": "ping"])]
    }

    /// `content_block_start` for a block.
    static func blockStart(_ index: Int, _ block: FakeAnthropicAnswer.Block) -> ByteBuffer {
        let content: JSONValue
        switch block {
        case .text: content = ["type": "text", "text": ""]
        case .toolUse(let id, let name, _, _): content = ["type": "tool_use", "id": .string(id), "name": .string(name), "input": [:]]
        }
        return event(["type": "content_block_start", "index": JSONValue(index), "content_block": content])
    }

    /// The block's `content_block_delta`s (a tool's first one carries `""`, as Anthropic sends).
    static func blockDeltas(_ index: Int, _ block: FakeAnthropicAnswer.Block) -> [ByteBuffer] {
        switch block {
        case .text(let pieces):
            return pieces.map { event(["type": "content_block_delta", "index": JSONValue(index), "delta": ["type": "text_delta", "text": .string($0)]]) }
        case .toolUse(_, _, _, let pieces):
            return ([""] + pieces).map {
                event(["type": "content_block_delta", "index": JSONValue(index), "delta": ["type": "input_json_delta", "partial_json": .string($0)]])
            }
        }
    }

    static func blockStop(_ index: Int) -> ByteBuffer {
        event(["type": "content_block_stop", "index": JSONValue(index)])
    }

    /// `message_delta` and `message_stop`.
    func closing(_ answer: FakeAnthropicAnswer) -> [ByteBuffer] {
        let delta: JSONValue = [
            "type": "message_delta", "delta": ["stop_reason": .string(answer.stopReason), "stop_sequence": nil],
            "usage": ["output_tokens": JSONValue(answer.outputTokens)],
        ]
        return [Self.event(delta), Self.event(["type": "message_stop"])]
    }

    /// Every event of the answer's stream, in order.
    func events(_ answer: FakeAnthropicAnswer) -> [ByteBuffer] {
        var events = opening()
        for (index, block) in answer.blocks.enumerated() {
            events.append(Self.blockStart(index, block))
            events += Self.blockDeltas(index, block)
            events.append(Self.blockStop(index))
        }
        return events + closing(answer)
    }

    /// `{"type": "error", "error": {"type", "message"}, "request_id"}`
    static func errorBody(type: String, message: String, requestID: String) -> ByteBuffer {
        ByteBuffer(bytes: JSONWriter.bytes(["type": "error", "error": ["type": .string(type), "message": .string(message)], "request_id": .string(requestID)]))
    }

    /// The Anthropic error type for a status, when a behavior names none of Anthropic's.
    static func errorType(_ type: String, status: Int) -> String {
        let known: Set<String> = [
            "invalid_request_error", "authentication_error", "billing_error", "permission_error", "not_found_error",
            "request_too_large", "rate_limit_error", "api_error", "timeout_error", "overloaded_error",
        ]
        if known.contains(type) { return type }
        switch status {
        case 401: return "authentication_error"
        case 402: return "billing_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 504: return "timeout_error"
        case 529: return "overloaded_error"
        case 500...: return "api_error"
        default: return "invalid_request_error"
        }
    }
}
