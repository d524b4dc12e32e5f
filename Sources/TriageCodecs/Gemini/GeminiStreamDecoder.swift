import TriageCore

/// Decodes a Gemini `streamGenerateContent?alt=sse` stream: every `data:` event is a whole
/// `GenerateContentResponse`. Emits a role chunk first, then a content chunk per text piece and
/// one `tool_calls` delta per function call (Gemini sends calls whole: id, name and complete
/// arguments in one delta), a chunk with `finish_reason` once Gemini sends a `finishReason`, and
/// then the usage-only chunk from the last `usageMetadata` (Gemini repeats cumulative usage on
/// every event; the final one is complete).
public struct GeminiStreamDecoder: ProviderStreamDecoder {
    let model: String
    let created: Int
    private var id = GeminiResponse.completionID(nil)
    private var sentRole = false
    private var callCount = 0
    private var sawFinish = false
    private var usage: JSONObject?
    private var writer: (id: String, writer: CanonicalChunkWriter)?

    public init(model: String, created: Int) {
        self.model = model
        self.created = created
    }

    public var isComplete: Bool { sawFinish }

    /// What one event adds to the canonical stream, in order.
    private enum Piece {
        case role
        case text(String)
        case call(JSONObject)
        case finish(String)
        case usage(JSONObject)
    }

    public mutating func decode(_ event: SSEEvent) throws(GatewayError) -> [JSONObject] {
        var data = event.data
        let pieces = try data.withUTF8 { data in Result { () throws(GatewayError) -> [Piece] in try read(data) } }.get()
        return pieces.map { piece in
            switch piece {
            case .role: chunk(delta: ["role": "assistant", "content": ""])
            case .text(let text): chunk(delta: ["content": .string(text)])
            case .call(let call): chunk(delta: ["tool_calls": [.object(call)]])
            case .finish(let reason): chunk(delta: [:], finishReason: reason)
            case .usage(let usage): usageChunk(usage)
            }
        }
    }

    /// Every event read where it lies (no `SSEEvent`), and the chunks every answer has — role,
    /// text, finish, usage — written by `CanonicalChunkWriter` instead of built as JSON; the
    /// bytes `decode(_:)` gives. An event `decode(_:)` would throw for is left to it (`false`,
    /// nothing changed).
    public mutating func writeWithoutParsing(name: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard let pieces = try? read(data) else { return false }
        for piece in pieces {
            let writer = chunkWriter()
            switch piece {
            case .role: writer.writeRole(into: &out)
            case .text(let text): writer.writeText(text, into: &out)
            case .call(let call): out += SSEWriter.json(.object(chunk(delta: ["tool_calls": [.object(call)]])))
            case .finish(let reason): writer.writeFinish(reason, into: &out)
            case .usage(let usage): writer.writeUsage(.object(usage), into: &out)
            }
        }
        return true
    }

    /// The pieces of one event; throws, having changed nothing, for an event that is not a JSON
    /// object or is an error.
    private mutating func read(_ data: UnsafeBufferPointer<UInt8>) throws(GatewayError) -> [Piece] {
        guard !sawFinish else { return [] }
        if data.isEmpty || ByteSearch.equal(data, Self.doneMarker) { return [] }
        guard case .object(let response)? = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data)) else {
            throw GatewayError(.upstream, "The upstream provider sent a stream event that is not a JSON object.", code: "invalid_upstream_response")
        }
        if case .object(let error)? = response["error"] {
            throw GeminiErrors.streamError(error)
        }
        if let responseID = response["responseId"]?.stringValue { id = GeminiResponse.completionID(responseID) }
        if let metadata = GeminiResponse.usage(response["usageMetadata"]) { usage = metadata }

        var pieces: [Piece] = []
        if !sentRole {
            sentRole = true
            pieces.append(.role)
        }
        let finishReason: String?
        if let candidate = response["candidates"]?.arrayValue?.first {
            let parts = candidate["content"]?["parts"]?.arrayValue ?? []
            let content = GeminiResponse.read(parts: parts, responseID: response["responseId"]?.stringValue, firstCallIndex: callCount)
            if !content.text.isEmpty { pieces.append(.text(content.text)) }
            for call in content.calls { pieces.append(.call(GeminiResponse.toolCall(call, withIndex: true))) }
            callCount += content.calls.count
            finishReason = candidate["finishReason"]?.stringValue.map { GeminiResponse.finishReason($0, hasCalls: callCount > 0) }
        } else if response["promptFeedback"]?["blockReason"]?.stringValue != nil {
            finishReason = "content_filter"
        } else {
            finishReason = nil
        }
        if let finishReason {
            sawFinish = true
            pieces.append(.finish(finishReason))
            pieces.append(.usage(usage ?? GeminiResponse.usage([:])!))
        }
        return pieces
    }

    private static let doneMarker = Array("[DONE]".utf8)

    /// The writer for the current completion id (Gemini names the response on every event).
    private mutating func chunkWriter() -> CanonicalChunkWriter {
        if let writer, writer.id == id { return writer.writer }
        let made = CanonicalChunkWriter(id: id, created: created, model: model)
        writer = (id, made)
        return made
    }

    private func usageChunk(_ usage: JSONObject) -> JSONObject {
        var last = head()
        last["choices"] = []
        last["usage"] = .object(usage)
        return last
    }

    private func head() -> JSONObject {
        var object = JSONObject()
        object["id"] = .string(id)
        object["object"] = "chat.completion.chunk"
        object["created"] = JSONValue(created)
        object["model"] = .string(model)
        return object
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONObject {
        var object = head()
        object["choices"] = [["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finishReason.map(JSONValue.string) ?? .null]]
        return object
    }
}
