import NIOCore
import TriageCore

/// OpenAI's chat completions wire for one call, written straight into byte buffers in the order
/// and shape OpenAI's API sends: the `chat.completion` object, `chat.completion.chunk` SSE events
/// (`data: <json>\n\n`), the usage block and `data: [DONE]`. The message and delta objects come
/// pre-encoded from `FakeAnswer`, so a reply costs a few memory copies and no JSON tree.
struct FakeWire: Sendable {
    /// A fixed `created` timestamp keeps replies deterministic.
    static let created = "1732406400"
    static let fingerprint = "fp_f4ke5e7ba1"

    let id: String
    /// The model as a JSON string literal, quotes included.
    let modelJSON: [UInt8]
    /// The request asked for `stream_options.include_usage`.
    let includeUsage: Bool
    let promptTokens: Int
    let cachedTokens: Int

    init(id: String, model: String, includeUsage: Bool, promptTokens: Int, cachedTokens: Int) {
        self.id = id
        var modelJSON: [UInt8] = []
        JSONWriter.writeString(model, into: &modelJSON)
        self.modelJSON = modelJSON
        self.includeUsage = includeUsage
        self.promptTokens = promptTokens
        self.cachedTokens = min(cachedTokens, promptTokens)
    }

    // MARK: chat.completion

    /// The whole non-streamed response body.
    func completion(_ answer: FakeAnswer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(640 + answer.message.count)
        writeObjectHead("chat.completion", into: &buffer)
        buffer.writeString(#","choices":[{"index":0,"message":"#)
        buffer.writeBytes(answer.message)
        buffer.writeString(#","logprobs":"#)
        if let logprobs = answer.logprobs { buffer.writeBytes(logprobs) } else { buffer.writeString("null") }
        buffer.writeString(#","finish_reason":""#)
        buffer.writeString(answer.finishReason)
        buffer.writeString(#""}],"usage":"#)
        writeUsage(completionTokens: answer.completionTokens, into: &buffer)
        buffer.writeString(#","service_tier":"default","system_fingerprint":""#)
        buffer.writeString(Self.fingerprint)
        buffer.writeString(#""}"#)
        return buffer
    }

    // MARK: chat.completion.chunk

    /// One chunk event carrying `delta` (a pre-encoded object); `usage: null` on every chunk when
    /// the request asked for usage, as OpenAI does.
    func writeChunk(delta: [UInt8], logprobs: [UInt8]? = nil, into buffer: inout ByteBuffer) {
        writeChunkHead(into: &buffer)
        buffer.writeString(#"[{"index":0,"delta":"#)
        buffer.writeBytes(delta)
        buffer.writeString(#","logprobs":"#)
        if let logprobs { buffer.writeBytes(logprobs) } else { buffer.writeString("null") }
        buffer.writeString(#","finish_reason":null}]"#)
        writeChunkTail(into: &buffer)
    }

    /// The last choice chunk: an empty delta and the finish reason.
    func writeFinalChunk(finishReason: String, into buffer: inout ByteBuffer) {
        writeChunkHead(into: &buffer)
        buffer.writeString(#"[{"index":0,"delta":{},"logprobs":null,"finish_reason":""#)
        buffer.writeString(finishReason)
        buffer.writeString(#""}]"#)
        writeChunkTail(into: &buffer)
    }

    /// The extra chunk a stream with `include_usage` ends with: no choices, only usage.
    func writeUsageChunk(completionTokens: Int, into buffer: inout ByteBuffer) {
        writeChunkHead(into: &buffer)
        buffer.writeString(#"[],"usage":"#)
        writeUsage(completionTokens: completionTokens, into: &buffer)
        buffer.writeString("}\n\n")
    }

    /// `{"id":…,"object":<object>,"created":…,"model":…` — the members every object opens with.
    private func writeObjectHead(_ object: String, into buffer: inout ByteBuffer) {
        buffer.writeString(#"{"id":""#)
        buffer.writeString(id)
        buffer.writeString(#"","object":""#)
        buffer.writeString(object)
        buffer.writeString(#"","created":"#)
        buffer.writeString(Self.created)
        buffer.writeString(#","model":"#)
        buffer.writeBytes(modelJSON)
    }

    static func writeDone(into buffer: inout ByteBuffer) {
        buffer.writeString("data: [DONE]\n\n")
    }

    /// `data: {"id":…,"object":"chat.completion.chunk",…,"choices":` — `choices` comes last but
    /// for `usage`, as in OpenAI's chunks.
    private func writeChunkHead(into buffer: inout ByteBuffer) {
        buffer.writeString("data: ")
        writeObjectHead("chat.completion.chunk", into: &buffer)
        buffer.writeString(#","service_tier":"default","system_fingerprint":""#)
        buffer.writeString(Self.fingerprint)
        buffer.writeString(#"","choices":"#)
    }

    private func writeChunkTail(into buffer: inout ByteBuffer) {
        buffer.writeString(includeUsage ? ",\"usage\":null}\n\n" : "}\n\n")
    }

    // MARK: usage

    func writeUsage(completionTokens: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(#"{"prompt_tokens":"#)
        buffer.writeString(String(promptTokens))
        buffer.writeString(#","completion_tokens":"#)
        buffer.writeString(String(completionTokens))
        buffer.writeString(#","total_tokens":"#)
        buffer.writeString(String(promptTokens + completionTokens))
        buffer.writeString(#","prompt_tokens_details":{"cached_tokens":"#)
        buffer.writeString(String(cachedTokens))
        buffer.writeString(
            #","audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}"#
        )
    }

    // MARK: errors

    /// `{"error": {"message", "type", "param", "code"}}`
    static func errorBody(type: String, code: String?, message: String, param: String? = nil) -> ByteBuffer {
        let body: JSONValue = [
            "error": [
                "message": .string(message), "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null,
            ]
        ]
        return ByteBuffer(bytes: JSONWriter.bytes(body))
    }
}
