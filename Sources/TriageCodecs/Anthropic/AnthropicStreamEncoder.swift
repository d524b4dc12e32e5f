import TriageCore

/// Canonical `chat.completion.chunk`s → Anthropic's streaming events, in the documented order:
/// `message_start`, `ping`, then per content block `content_block_start`, its
/// `content_block_delta`s (`thinking_delta` / `signature_delta`, `text_delta`,
/// `input_json_delta`) and `content_block_stop`, then `message_delta` (stop reason and final
/// usage) and `message_stop`.
///
/// Blocks open in the order content arrives; a change of kind (thinking → text → tool call) or a
/// new tool-call index closes the open block, so parallel tool calls become consecutive
/// `tool_use` blocks with their own indexes. Argument pieces of a tool call whose block was
/// already closed (a provider interleaving calls) are still sent, under that block's index.
/// `message_delta` is held back until the canonical stream has reported its finish reason and
/// then its usage-only chunk (`choices: []`, which comes last), or until `finish()`, so the final
/// usage is the real one; it repeats the input and cache counts, which were not known at `message_start`.
public struct AnthropicStreamEncoder: ClientStreamEncoder {
    private enum Block: Equatable {
        case text
        case thinking
        case tool(Int)
    }

    private var started = false
    private var open: Block?
    private var openIndex = 0
    private var nextIndex = 0
    /// Canonical tool-call index → Anthropic content block index.
    private var toolBlocks: [Int: Int] = [:]
    private var finishReason: String?
    private var stopSequence: String?
    private var usage: AnthropicWire.Usage?
    private var sentMessageDelta = false
    private var stopped = false

    public init() {}

    public mutating func encode(_ chunk: JSONObject) -> [UInt8] {
        var out: [UInt8] = []
        if case .object? = chunk["usage"] { usage = AnthropicWire.Usage(canonical: chunk["usage"]) }
        if !started { start(chunk, into: &out) }
        for choice in chunk["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if case .object(let delta)? = choice["delta"] { encode(delta, into: &out) }
            if case .string(let sequence)? = choice["stop_sequence"] { stopSequence = sequence }
            if case .string(let reason)? = choice["finish_reason"] {
                closeBlock(into: &out)
                finishReason = reason
            }
        }
        // The usage-only chunk (`choices: []`) carries the final usage; usage on other chunks
        // may be partial, so it waits for that chunk or for `finish()`.
        let usageOnly = chunk["choices"]?.arrayValue?.isEmpty ?? true
        if finishReason != nil, usage != nil, usageOnly { sendMessageDelta(into: &out) }
        return out
    }

    /// A piece of text while a text block is open is one `text_delta` event.
    public mutating func encodeText(_ text: String, into out: inout [UInt8]) -> Bool {
        guard started, open == .text, !stopped, !text.isEmpty else { return false }
        Self.writeTextDelta(openIndex, text, into: &out)
        return true
    }

    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if !started { start(JSONObject(), into: &out) }
        closeBlock(into: &out)
        sendMessageDelta(into: &out)
        if !stopped {
            stopped = true
            out += Self.event("message_stop", ["type": "message_stop"])
        }
        return out
    }

    public mutating func fail(_ error: GatewayError) -> [UInt8] {
        stopped = true
        let type = AnthropicWire.errorType(for: error).type
        return Self.event("error", AnthropicWire.errorBody(type: type, message: error.message))
    }

    // MARK: Events

    private mutating func start(_ chunk: JSONObject, into out: inout [UInt8]) {
        started = true
        let message: JSONValue = [
            "id": .string(AnthropicClientCodec.messageID(chunk["id"]?.stringValue)),
            "type": "message", "role": "assistant", "content": [],
            "model": chunk["model"] ?? .string(""),
            "stop_reason": nil, "stop_sequence": nil,
            "usage": (usage ?? AnthropicWire.Usage()).anthropic,
        ]
        out += Self.event("message_start", ["type": "message_start", "message": message])
        out += Self.event("ping", ["type": "ping"])
    }

    private mutating func encode(_ delta: JSONObject, into out: inout [UInt8]) {
        if case .string(let thinking)? = delta["thinking"], !thinking.isEmpty {
            openBlock(.thinking, ["type": "thinking", "thinking": "", "signature": ""], into: &out)
            out += Self.blockDelta(openIndex, ["type": "thinking_delta", "thinking": .string(thinking)])
        }
        if case .string(let signature)? = delta["thinking_signature"], !signature.isEmpty {
            openBlock(.thinking, ["type": "thinking", "thinking": "", "signature": ""], into: &out)
            out += Self.blockDelta(openIndex, ["type": "signature_delta", "signature": .string(signature)])
        }
        for key in ["content", "refusal"] {
            guard case .string(let text)? = delta[key], !text.isEmpty else { continue }
            openBlock(.text, ["type": "text", "text": ""], into: &out)
            Self.writeTextDelta(openIndex, text, into: &out)
        }
        for (position, call) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
            let toolIndex = call["index"]?.intValue ?? position
            let blockIndex: Int
            if let known = toolBlocks[toolIndex] {
                blockIndex = known
            } else {
                let block: JSONValue = [
                    "type": "tool_use", "id": call["id"] ?? .string(""),
                    "name": call["function"]?["name"] ?? .string(""), "input": .object(JSONObject()),
                ]
                openBlock(.tool(toolIndex), block, into: &out)
                toolBlocks[toolIndex] = openIndex
                blockIndex = openIndex
            }
            if case .string(let piece)? = call["function"]?["arguments"], !piece.isEmpty {
                out += Self.blockDelta(blockIndex, ["type": "input_json_delta", "partial_json": .string(piece)])
            }
        }
    }

    /// Opens a block of `kind` unless it is the open one, closing any other first.
    private mutating func openBlock(_ kind: Block, _ contentBlock: JSONValue, into out: inout [UInt8]) {
        if open == kind { return }
        closeBlock(into: &out)
        open = kind
        openIndex = nextIndex
        nextIndex += 1
        out += Self.event("content_block_start", ["type": "content_block_start", "index": JSONValue(openIndex), "content_block": contentBlock])
    }

    private mutating func closeBlock(into out: inout [UInt8]) {
        guard open != nil else { return }
        open = nil
        out += Self.event("content_block_stop", ["type": "content_block_stop", "index": JSONValue(openIndex)])
    }

    private mutating func sendMessageDelta(into out: inout [UInt8]) {
        guard !sentMessageDelta else { return }
        sentMessageDelta = true
        let delta: JSONValue = [
            "stop_reason": .string(AnthropicWire.stopReason(finishReason: finishReason, stopSequence: stopSequence)),
            "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
        ]
        out += Self.event("message_delta", ["type": "message_delta", "delta": delta, "usage": (usage ?? AnthropicWire.Usage()).anthropic])
    }

    /// The `text_delta` event, nearly every event of an answer, written straight into `out`: the
    /// same bytes as `blockDelta(index, ["type": "text_delta", "text": text])` without building
    /// the JSON tree first.
    static func writeTextDelta(_ index: Int, _ text: String, into out: inout [UInt8]) {
        out.append(contentsOf: Self.textDeltaHead)
        out.append(contentsOf: String(index).utf8)
        out.append(contentsOf: Self.textDeltaMiddle)
        JSONWriter.writeString(text, into: &out)
        out.append(contentsOf: Self.textDeltaTail)
    }

    private static let textDeltaHead = Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":".utf8)
    private static let textDeltaMiddle = Array(",\"delta\":{\"type\":\"text_delta\",\"text\":".utf8)
    private static let textDeltaTail = Array("}}\n\n".utf8)

    static func blockDelta(_ index: Int, _ delta: JSONValue) -> [UInt8] {
        event("content_block_delta", ["type": "content_block_delta", "index": JSONValue(index), "delta": delta])
    }

    static func event(_ name: String, _ payload: JSONValue) -> [UInt8] {
        SSEWriter.json(payload, event: name)
    }
}
