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
    /// The last `usageMetadata` read in place, kept as bytes (parsed only when the stream
    /// finishes); it replaces `usage` while `usageIsRaw`.
    private var rawUsage: [UInt8] = []
    private var usageIsRaw = false
    /// The `responseId` the current `id` was made from, as its bytes.
    private var responseIDBytes: [UInt8] = []
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
        if writeTextEvent(data, into: &out) { return true }
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
        if let responseID = response["responseId"]?.stringValue {
            id = GeminiResponse.completionID(responseID)
            responseIDBytes = Array(responseID.utf8)
        }
        if let metadata = GeminiResponse.usage(response["usageMetadata"]) {
            usage = metadata
            usageIsRaw = false
        }

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
            pieces.append(.usage(finalUsage()))
        }
        return pieces
    }

    /// The usage the stream ends with: the last `usageMetadata` seen (zeros without one).
    private mutating func finalUsage() -> JSONObject {
        if usageIsRaw, let metadata = GeminiResponse.usage(try? JSONParser.parse(rawUsage)) {
            usage = metadata
        }
        usageIsRaw = false
        return usage ?? GeminiResponse.usage([:])!
    }

    /// An event of the shape nearly every event has — text parts only (each part `{"text": …}`),
    /// perhaps a finish reason, usage, a response id, anything else skipped — read in place
    /// (`JSONCursor`, which validates all of it as the parser would) and written as the chunks
    /// `read(_:)` would give, without a JSON tree. `false`, having changed nothing, for any
    /// other event: function calls, thoughts, errors, blocked prompts, escaped keys.
    private mutating func writeTextEvent(_ data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard !sawFinish, let event = try? GeminiTextEvent(data) else { return false }
        if let responseID = event.responseID, !ByteSearch.equal(UnsafeBufferPointer(rebasing: data[responseID]), responseIDBytes) {
            responseIDBytes = Array(data[responseID])
            id = GeminiResponse.completionID(String(decoding: responseIDBytes, as: UTF8.self))
        }
        if let usage = event.usage {
            rawUsage.removeAll(keepingCapacity: true)
            rawUsage.append(contentsOf: UnsafeBufferPointer(rebasing: data[usage]))
            usageIsRaw = true
        }
        let writer = chunkWriter()
        if !sentRole {
            sentRole = true
            writer.writeRole(into: &out)
        }
        switch event.text {
        case .none: break
        case .plain(let range): writer.writeText(jsonStringContent: UnsafeBufferPointer(rebasing: data[range]), into: &out)
        case .decoded(let text): writer.writeText(text, into: &out)
        }
        if let reason = event.finishReason {
            sawFinish = true
            writer.writeFinish(GeminiResponse.finishReason(reason, hasCalls: callCount > 0), into: &out)
            writer.writeUsage(.object(finalUsage()), into: &out)
        }
        return true
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

/// What `GeminiStreamDecoder` takes from an event made only of text parts, read in place.
struct GeminiTextEvent {
    /// The text of the first candidate's parts, joined.
    enum Text {
        case none
        /// One part whose text has no escape: where it lies, as a JSON string writer would write it.
        case plain(Range<Int>)
        case decoded(String)
    }

    var text = Text.none
    var finishReason: String?
    /// Where the `responseId` string's (plain) content lies.
    var responseID: Range<Int>?
    /// Where the `usageMetadata` object lies.
    var usage: Range<Int>?

    /// Throws for anything that is not such an event (the decoder then parses it as a tree).
    init(_ data: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        var cursor = JSONCursor(data)
        var sawCandidates = false
        try cursor.enterObject()
        var first = true
        while let key = try cursor.nextKey(first: &first) {
            if cursor.matches(key, "candidates") {
                guard !sawCandidates else { throw Self.otherShape }
                sawCandidates = true
                try cursor.enterArray()
                var firstCandidate = true
                guard try cursor.nextElement(first: &firstCandidate) else { throw Self.otherShape }
                try readCandidate(&cursor, data)
                while try cursor.nextElement(first: &firstCandidate) { try cursor.skipValue() }
            } else if cursor.matches(key, "usageMetadata") {
                guard usage == nil, cursor.peek() == UInt8(ascii: "{") else { throw Self.otherShape }
                let start = cursor.offset
                try cursor.skipValue()
                usage = start..<cursor.offset
            } else if cursor.matches(key, "responseId") {
                guard responseID == nil else { throw Self.otherShape }
                let string = try cursor.stringContent()
                guard string.plain else { throw Self.otherShape }
                responseID = string.content
            } else if !key.plain || cursor.matches(key, "error") || cursor.matches(key, "promptFeedback") {
                throw Self.otherShape
            } else {
                try cursor.skipValue()
            }
        }
        try cursor.finish()
        guard sawCandidates else { throw Self.otherShape }
    }

    private mutating func readCandidate(_ cursor: inout JSONCursor, _ data: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        try cursor.enterObject()
        var sawContent = false
        var first = true
        while let key = try cursor.nextKey(first: &first) {
            if cursor.matches(key, "content") {
                guard !sawContent else { throw Self.otherShape }
                sawContent = true
                try readContent(&cursor)
            } else if cursor.matches(key, "finishReason") {
                guard finishReason == nil else { throw Self.otherShape }
                finishReason = try cursor.string()
            } else {
                try Self.skip(key, &cursor)
            }
        }
    }

    private mutating func readContent(_ cursor: inout JSONCursor) throws(JSONParseError) {
        try cursor.enterObject()
        var sawParts = false
        var first = true
        while let key = try cursor.nextKey(first: &first) {
            if cursor.matches(key, "parts") {
                guard !sawParts else { throw Self.otherShape }
                sawParts = true
                try cursor.enterArray()
                var firstPart = true
                while try cursor.nextElement(first: &firstPart) {
                    // A part of exactly one member, `text`.
                    try cursor.enterObject()
                    var firstMember = true
                    guard let member = try cursor.nextKey(first: &firstMember), cursor.matches(member, "text") else { throw Self.otherShape }
                    let string = try cursor.stringContent()
                    guard try cursor.nextKey(first: &firstMember) == nil else { throw Self.otherShape }
                    try add(string, cursor)
                }
            } else {
                try Self.skip(key, &cursor)
            }
        }
    }

    private mutating func add(_ string: (content: Range<Int>, plain: Bool), _ cursor: JSONCursor) throws(JSONParseError) {
        if string.content.isEmpty { return }
        switch text {
        case .none where string.plain: text = .plain(string.content)
        case .none: text = .decoded(try cursor.decodedString(string.content))
        case .plain(let earlier): text = .decoded(try cursor.decodedString(earlier) + cursor.decodedString(string.content))
        case .decoded(let earlier): text = .decoded(earlier + (try cursor.decodedString(string.content)))
        }
    }

    /// Skips a member the event's reading does not use; an escaped key could be one it does.
    private static func skip(_ key: JSONCursor.Key, _ cursor: inout JSONCursor) throws(JSONParseError) {
        guard key.plain else { throw otherShape }
        try cursor.skipValue()
    }

    private static var otherShape: JSONParseError { JSONParseError(message: "not a text event", offset: 0) }
}
