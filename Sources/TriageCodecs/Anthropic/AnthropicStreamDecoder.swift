import TriageCore

/// Anthropic streaming events → canonical `chat.completion.chunk`s: the role chunk on
/// `message_start`; `text_delta` → `content`, `thinking_delta` → `thinking`, `signature_delta` →
/// `thinking_signature`; each `tool_use` block → a `tool_calls` delta with its own `index`, id and
/// name, then its `input_json_delta` pieces as `arguments`; on `message_delta` the chunk with
/// `finish_reason` and the usage-only chunk (input and cache counts from `message_start`,
/// updated by any that `message_delta` repeats). `message_stop` completes the stream; `ping` and
/// unknown event types are ignored, as Anthropic asks; an `error` event is thrown.
///
/// A forced `triage_json_*` tool (structured output, see `AnthropicProviderCodec`) streams its
/// input as `content`. `redacted_thinking` blocks have no canonical delta and are not streamed.
public struct AnthropicStreamDecoder: ProviderStreamDecoder {
    private enum Block {
        case text, thinking, structured, ignored
        case tool(Int)
    }

    let model: String
    let created: Int
    private var id = ""
    private var blocks: [Int: Block] = [:]
    private var nextToolIndex = 0
    private var usage = AnthropicWire.Usage()
    private var structured = false
    private var finished = false
    public private(set) var isComplete = false
    /// Writes the common chunks for this message's id, once one has been needed.
    private var writer: CanonicalChunkWriter?

    public init(model: String, created: Int) {
        self.model = model
        self.created = created
    }

    public mutating func decode(_ event: SSEEvent) throws(GatewayError) -> [JSONObject] {
        guard let value = try? JSONParser.parse(event.data), case .object(let payload) = value else {
            if event.event == "ping" { return [] }
            throw GatewayError(.upstream, "The provider sent a stream event that is not JSON.", code: "invalid_upstream_response")
        }
        switch payload["type"]?.stringValue ?? event.event {
        case "message_start":
            startMessage(payload)
            return [chunk(delta: ["role": "assistant", "content": ""])]
        case "content_block_start":
            return contentBlockStart(index: payload["index"]?.intValue ?? 0, payload["content_block"])
        case "content_block_delta":
            return contentBlockDelta(index: payload["index"]?.intValue ?? 0, payload["delta"])
        case "message_delta":
            usage.update(anthropic: payload["usage"])
            return finish(stopReason: payload["delta"]?["stop_reason"]?.stringValue, stopSequence: payload["delta"]?["stop_sequence"]?.stringValue)
        case "message_stop":
            isComplete = true
            return finished ? [] : finish(stopReason: nil, stopSequence: nil)
        case "error":
            throw AnthropicWire.gatewayError(type: payload["error"]?["type"]?.stringValue, message: payload["error"]?["message"]?.stringValue)
        default:
            return []
        }
    }

    /// The events every answer has are written without building JSON for the canonical chunks:
    /// a `text_delta` in the exact shape Anthropic sends, whose text needs no unescaping, without
    /// parsing the event either; `message_start` and a `message_delta` without a stop sequence
    /// parsed, their chunks written by `CanonicalChunkWriter`. `ping` and `content_block_stop` (no
    /// chunk), the start of an empty text block and `message_stop` are read by name and shape.
    /// Anything else goes through `decode(_:)`, which gives the same bytes.
    public mutating func writeWithoutParsing(name: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        if let name, !ByteSearch.equal(name, Self.contentBlockDelta) {
            if ByteSearch.equal(name, Self.ping) || ByteSearch.equal(name, Self.contentBlockStop) { return true }
            if ByteSearch.equal(name, Self.messageStop) {
                isComplete = true
                writeFinish(stopReason: nil, into: &out)
                return true
            }
            if ByteSearch.equal(name, Self.messageStart) || ByteSearch.equal(name, Self.messageDelta) { return writeMessageEvent(data, into: &out) }
            guard ByteSearch.equal(name, Self.contentBlockStart), let index = Self.emptyTextBlockIndex(data) else { return false }
            blocks[index] = .text
            return true
        }
        guard let text = Self.plainText(ofTextDelta: data) else { return false }
        if text.isEmpty { return true }  // `decode` gives no chunk for it either
        if text.allSatisfy({ $0 < 0x80 }) {
            chunkWriter().writeText(jsonStringContent: text, into: &out)
        } else {
            chunkWriter().writeText(String(decoding: text, as: UTF8.self), into: &out)
        }
        return true
    }

    /// `message_start`, or a `message_delta` whose stop sequence is `null`: parsed, and its
    /// chunks written as bytes. `false` for anything else (not JSON, another type, a stop
    /// sequence to report), which `decode(_:)` then reads.
    private mutating func writeMessageEvent(_ data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard case .object(let payload)? = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data)) else { return false }
        switch payload["type"]?.stringValue {
        case "message_start":
            startMessage(payload)
            chunkWriter().writeRole(into: &out)
        case "message_delta":
            guard payload["delta"]?["stop_sequence"]?.stringValue == nil else { return false }
            usage.update(anthropic: payload["usage"])
            writeFinish(stopReason: payload["delta"]?["stop_reason"]?.stringValue, into: &out)
        default:
            return false
        }
        return true
    }

    private mutating func startMessage(_ payload: JSONObject) {
        id = payload["message"]?["id"]?.stringValue ?? id
        writer = nil
        usage.update(anthropic: payload["message"]?["usage"])
    }

    private mutating func chunkWriter() -> CanonicalChunkWriter {
        if let writer { return writer }
        let made = CanonicalChunkWriter(id: id, created: created, model: model)
        writer = made
        return made
    }

    /// `finish(stopReason:stopSequence:)` without a stop sequence, written as bytes.
    private mutating func writeFinish(stopReason: String?, into out: inout [UInt8]) {
        guard !finished else { return }
        finished = true
        let writer = chunkWriter()
        writer.writeFinish(finishReason(stopReason), into: &out)
        writer.writeUsage(usage.canonical, into: &out)
    }

    private static let contentBlockDelta = Array("content_block_delta".utf8)
    private static let contentBlockStart = Array("content_block_start".utf8)
    private static let contentBlockStop = Array("content_block_stop".utf8)
    private static let messageStop = Array("message_stop".utf8)
    private static let messageStart = Array("message_start".utf8)
    private static let messageDelta = Array("message_delta".utf8)
    private static let ping = Array("ping".utf8)
    private static let textBlockStartHead = Array(#"{"type":"content_block_start","index":"#.utf8)
    private static let textBlockStartTail = Array(#","content_block":{"type":"text","text":""}}"#.utf8)
    private static let textDeltaHead = Array(#"{"type":"content_block_delta","index":"#.utf8)
    private static let textDeltaMiddle = Array(#","delta":{"type":"text_delta","text":""#.utf8)

    /// The block index written right after `head` at the start of `data` (`…"index":N`) and
    /// where its digits end; `nil` when `data` does not start that way.
    private static func blockIndex(after head: [UInt8], in data: UnsafeBufferPointer<UInt8>) -> (value: Int, end: Int)? {
        guard data.starts(with: head) else { return nil }
        var end = head.count
        var value = 0
        while end < data.count, data[end] >= 0x30, data[end] <= 0x39, end - head.count < 9 {
            value = value * 10 + Int(data[end] - 0x30)
            end += 1
        }
        return end > head.count ? (value, end) : nil
    }

    /// The index of `{"type":"content_block_start","index":N,"content_block":{"type":"text","text":""}}`
    /// when the event is exactly that (an empty text block opens: no chunk); otherwise `nil`.
    static func emptyTextBlockIndex(_ data: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let (value, end) = blockIndex(after: textBlockStartHead, in: data),
            ByteSearch.equal(UnsafeBufferPointer(rebasing: data[end...]), textBlockStartTail)
        else { return nil }
        return value
    }

    /// The text of `{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}`,
    /// where it lies, when the event is exactly that and its text has no escape; otherwise `nil`.
    static func plainText(ofTextDelta data: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard var (_, index) = blockIndex(after: textDeltaHead, in: data), data.count - index >= textDeltaMiddle.count + 3,
            ByteSearch.equal(UnsafeBufferPointer(rebasing: data[index..<(index + textDeltaMiddle.count)]), textDeltaMiddle)
        else { return nil }
        index += textDeltaMiddle.count
        let textStart = index
        while index < data.count, data[index] != 0x22 {
            if data[index] == 0x5c || data[index] < 0x20 { return nil }
            index += 1
        }
        guard index + 3 == data.count, data[index + 1] == 0x7d, data[index + 2] == 0x7d else { return nil }
        return UnsafeBufferPointer(rebasing: data[textStart..<index])
    }

    private mutating func contentBlockStart(index: Int, _ block: JSONValue?) -> [JSONObject] {
        switch block?["type"]?.stringValue {
        case "text":
            blocks[index] = .text
            if case .string(let text)? = block?["text"], !text.isEmpty { return [chunk(delta: ["content": .string(text)])] }
        case "thinking":
            blocks[index] = .thinking
            if case .string(let text)? = block?["thinking"], !text.isEmpty { return [chunk(delta: ["thinking": .string(text)])] }
        case "tool_use":
            let name = block?["name"]?.stringValue ?? ""
            if name.hasPrefix(AnthropicWire.structuredOutputToolPrefix) {
                blocks[index] = .structured
                structured = true
                return []
            }
            let toolIndex = nextToolIndex
            nextToolIndex += 1
            blocks[index] = .tool(toolIndex)
            let call: JSONValue = [
                "index": JSONValue(toolIndex), "id": block?["id"] ?? "", "type": "function",
                "function": ["name": .string(name), "arguments": ""],
            ]
            return [chunk(delta: ["tool_calls": [call]])]
        default:
            blocks[index] = .ignored
        }
        return []
    }

    private func contentBlockDelta(index: Int, _ delta: JSONValue?) -> [JSONObject] {
        switch (blocks[index], delta?["type"]?.stringValue) {
        case (_, "text_delta"):
            return text(delta?["text"], as: "content")
        case (_, "thinking_delta"):
            return text(delta?["thinking"], as: "thinking")
        case (_, "signature_delta"):
            return text(delta?["signature"], as: "thinking_signature")
        case (.structured?, "input_json_delta"):
            return text(delta?["partial_json"], as: "content")
        case (.tool(let toolIndex)?, "input_json_delta"):
            guard case .string(let piece)? = delta?["partial_json"], !piece.isEmpty else { return [] }
            return [chunk(delta: ["tool_calls": [["index": JSONValue(toolIndex), "function": ["arguments": .string(piece)]]]])]
        default:
            return []
        }
    }

    private func text(_ value: JSONValue?, as key: String) -> [JSONObject] {
        guard case .string(let text)? = value, !text.isEmpty else { return [] }
        var delta = JSONObject()
        delta[key] = .string(text)
        return [chunk(delta: .object(delta))]
    }

    private mutating func finish(stopReason: String?, stopSequence: String?) -> [JSONObject] {
        guard !finished else { return [] }
        finished = true
        var last = chunk(delta: [:], finishReason: finishReason(stopReason))
        if let stopSequence, case .array(var choices)? = last["choices"], case .object(var choice) = choices[0] {
            choice["stop_sequence"] = .string(stopSequence)
            choices[0] = .object(choice)
            last["choices"] = .array(choices)
        }
        var usageChunk = chunk(delta: [:])
        usageChunk["choices"] = []
        usageChunk["usage"] = usage.canonical
        return [last, usageChunk]
    }

    /// The canonical finish reason; a forced structured-output tool's `tool_use` stop is the
    /// answer ending normally.
    private func finishReason(_ stopReason: String?) -> String {
        structured && stopReason == "tool_use" ? "stop" : AnthropicWire.finishReason(stopReason: stopReason)
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONObject {
        AnthropicWire.object([
            "id": .string(id), "object": "chat.completion.chunk", "created": JSONValue(created), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? .null]],
        ])
    }
}
