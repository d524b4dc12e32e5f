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

    /// `{"input_tokens":…,"cache_creation_input_tokens":0,"cache_read_input_tokens":…,"output_tokens":…}`
    func writeUsage(outputTokens: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(#"{"input_tokens":"#)
        buffer.writeString(String(inputTokens))
        buffer.writeString(#","cache_creation_input_tokens":0,"cache_read_input_tokens":"#)
        buffer.writeString(String(cacheReadTokens))
        buffer.writeString(#","output_tokens":"#)
        buffer.writeString(String(outputTokens))
        buffer.writeString("}")
    }

    /// A content block of the non-streamed message: the whole text, or the tool input as an object.
    static func writeContent(_ block: FakeAnthropicAnswer.Block, into buffer: inout ByteBuffer) {
        switch block {
        case .text(let pieces):
            buffer.writeString(#"{"type":"text","text":"#)
            buffer.writeJSONString(pieces.joined())
            buffer.writeString("}")
        case .toolUse(let id, let name, let input, _):
            writeToolUseHead(id: id, name: name, into: &buffer)
            buffer.writeBytes(JSONWriter.bytes((try? JSONParser.parse(input)) ?? .object(JSONObject())))
            buffer.writeString("}")
        }
    }

    /// `{"type":"tool_use","id":…,"name":…,"input":` — a tool block up to its input.
    static func writeToolUseHead(id: String, name: String, into buffer: inout ByteBuffer) {
        buffer.writeString(#"{"type":"tool_use","id":"#)
        buffer.writeJSONString(id)
        buffer.writeString(#","name":"#)
        buffer.writeJSONString(name)
        buffer.writeString(#","input":"#)
    }

    /// `{"id":…,"type":"message","role":"assistant","model":…,"content":` — a message up to its content.
    func writeMessageHead(into buffer: inout ByteBuffer) {
        buffer.writeString(#"{"id":"#)
        buffer.writeJSONString(id)
        buffer.writeString(#","type":"message","role":"assistant","model":"#)
        buffer.writeJSONString(model)
        buffer.writeString(#","content":"#)
    }

    /// The whole non-streamed response body.
    func message(_ answer: FakeAnthropicAnswer) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeMessageHead(into: &buffer)
        buffer.writeString("[")
        for (index, block) in answer.blocks.enumerated() {
            if index > 0 { buffer.writeString(",") }
            Self.writeContent(block, into: &buffer)
        }
        buffer.writeString(#"],"stop_reason":"#)
        buffer.writeJSONString(answer.stopReason)
        buffer.writeString(#","stop_sequence":null,"usage":"#)
        writeUsage(outputTokens: answer.outputTokens, into: &buffer)
        buffer.writeString("}")
        return buffer
    }

    /// `event: <type>\ndata: {"type":"<type>"` + what `members` writes (each member after a
    /// comma) + `}\n\n`: one event, its payload written member by member.
    static func writeEvent(_ type: String, into buffer: inout ByteBuffer, members: (inout ByteBuffer) -> Void = { _ in }) {
        buffer.writeString("event: ")
        buffer.writeString(type)
        buffer.writeString(#"\#ndata: {"type":""#)
        buffer.writeString(type)
        buffer.writeString("\"")
        members(&buffer)
        buffer.writeString("}\n\n")
    }

    static func event(_ type: String, members: (inout ByteBuffer) -> Void = { _ in }) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeEvent(type, into: &buffer, members: members)
        return buffer
    }

    /// `message_start` and `ping`.
    func opening() -> [ByteBuffer] {
        [Self.event("message_start", members: writeMessageStart), Self.event("ping")]
    }

    /// `message_start`'s members: the message with no content yet, and its input usage.
    func writeMessageStart(_ buffer: inout ByteBuffer) {
        buffer.writeString(#","message":"#)
        writeMessageHead(into: &buffer)
        buffer.writeString(#"[],"stop_reason":null,"stop_sequence":null,"usage":"#)
        writeUsage(outputTokens: 1, into: &buffer)
        buffer.writeString("}")
    }

    /// `,"index":N`
    static func writeIndex(_ index: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(#","index":"#)
        buffer.writeString(String(index))
    }

    /// `content_block_start` for a block.
    static func blockStart(_ index: Int, _ block: FakeAnthropicAnswer.Block) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeBlockStart(index, block, into: &buffer)
        return buffer
    }

    static func writeBlockStart(_ index: Int, _ block: FakeAnthropicAnswer.Block, into buffer: inout ByteBuffer) {
        writeEvent("content_block_start", into: &buffer) { buffer in
            writeIndex(index, into: &buffer)
            buffer.writeString(#","content_block":"#)
            switch block {
            case .text: buffer.writeString(#"{"type":"text","text":""}"#)
            case .toolUse(let id, let name, _, _):
                writeToolUseHead(id: id, name: name, into: &buffer)
                buffer.writeString("{}}")
            }
        }
    }

    /// The block's `content_block_delta`s (a tool's first one carries `""`, as Anthropic sends).
    static func blockDeltas(_ index: Int, _ block: FakeAnthropicAnswer.Block) -> [ByteBuffer] {
        let (kind, pieces) = deltaPieces(block)
        return pieces.map { piece in
            var buffer = ByteBuffer()
            writeDelta(index, kind: kind, piece: piece, into: &buffer)
            return buffer
        }
    }

    /// The delta type and its text member for a block, and the pieces it streams in.
    static func deltaPieces(_ block: FakeAnthropicAnswer.Block) -> (kind: (type: String, member: String), pieces: [String]) {
        switch block {
        case .text(let pieces): (("text_delta", "text"), pieces)
        case .toolUse(_, _, _, let pieces): (("input_json_delta", "partial_json"), [""] + pieces)
        }
    }

    static func writeDelta(_ index: Int, kind: (type: String, member: String), piece: String, into buffer: inout ByteBuffer) {
        writeEvent("content_block_delta", into: &buffer) { buffer in
            writeIndex(index, into: &buffer)
            buffer.writeString(#","delta":{"type":""#)
            buffer.writeString(kind.type)
            buffer.writeString(#"",""#)
            buffer.writeString(kind.member)
            buffer.writeString(#"":"#)
            buffer.writeJSONString(piece)
            buffer.writeString("}")
        }
    }

    static func blockStop(_ index: Int) -> ByteBuffer {
        event("content_block_stop") { writeIndex(index, into: &$0) }
    }

    /// `message_delta` and `message_stop`.
    func closing(_ answer: FakeAnthropicAnswer) -> [ByteBuffer] {
        [Self.event("message_delta") { Self.writeMessageDelta(answer, into: &$0) }, Self.event("message_stop")]
    }

    /// `message_delta`'s members: the stop reason and the output usage.
    static func writeMessageDelta(_ answer: FakeAnthropicAnswer, into buffer: inout ByteBuffer) {
        buffer.writeString(#","delta":{"stop_reason":"#)
        buffer.writeJSONString(answer.stopReason)
        buffer.writeString(#","stop_sequence":null},"usage":{"output_tokens":"#)
        buffer.writeString(String(answer.outputTokens))
        buffer.writeString("}")
    }

    /// Every event of the answer's stream, in order, in one buffer.
    func stream(_ answer: FakeAnthropicAnswer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1_024)
        Self.writeEvent("message_start", into: &buffer, members: writeMessageStart)
        Self.writeEvent("ping", into: &buffer)
        for (index, block) in answer.blocks.enumerated() {
            Self.writeBlockStart(index, block, into: &buffer)
            let (kind, pieces) = Self.deltaPieces(block)
            for piece in pieces { Self.writeDelta(index, kind: kind, piece: piece, into: &buffer) }
            Self.writeEvent("content_block_stop", into: &buffer) { Self.writeIndex(index, into: &$0) }
        }
        Self.writeEvent("message_delta", into: &buffer) { Self.writeMessageDelta(answer, into: &$0) }
        Self.writeEvent("message_stop", into: &buffer)
        return buffer
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
