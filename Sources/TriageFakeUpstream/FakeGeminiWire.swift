import NIOCore
import TriageCore

/// One answer in Gemini's terms: text pieces (one stream event each) or whole function calls.
struct FakeGeminiAnswer: Sendable {
    var pieces: [String] = []
    var calls: [(name: String, args: JSONValue)] = []

    static func text(_ text: String) -> FakeGeminiAnswer { FakeGeminiAnswer(pieces: FakeAnswer.words(of: text)) }

    static func calls(_ calls: [FakeToolCall]) -> FakeGeminiAnswer {
        FakeGeminiAnswer(calls: calls.map { call in
            // Gemini's `args` is an object; arguments that are not one are sent as a string value.
            let parsed = try? JSONParser.parse(call.arguments)
            return (call.name, parsed?.objectValue != nil ? parsed! : ["value": .string(call.arguments)])
        })
    }

    /// Tokens of the whole answer: one per text piece, a quarter of the characters of the calls.
    var candidatesTokens: Int {
        if calls.isEmpty { return max(1, pieces.count) }
        return max(1, calls.reduce(0) { $0 + $1.name.utf8.count + JSONWriter.bytes($1.args).count } / 4)
    }
}

/// Gemini's `GenerateContentResponse` wire for one call: the whole object, `alt=sse` events
/// (`data: {…}\r\n\r\n`, one `GenerateContentResponse` each, usage on every one, the finish
/// reason on the last), and `google.rpc.Status` error bodies.
struct FakeGeminiWire: Sendable {
    let responseID: String
    let model: String
    let promptTokens: Int
    let cachedTokens: Int

    init(responseID: String, model: String, promptTokens: Int, cachedTokens: Int) {
        self.responseID = responseID
        self.model = model
        self.promptTokens = promptTokens
        self.cachedTokens = min(cachedTokens, promptTokens)
    }

    /// One `GenerateContentResponse` with these parts (each already JSON), written member by
    /// member; `candidatesTokens` so far for usage.
    func response(parts: [[UInt8]], finishReason: String?, candidatesTokens: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(384)
        buffer.writeString(#"{"candidates":[{"content":{"parts":["#)
        for (index, part) in parts.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeBytes(part)
        }
        buffer.writeString(#"],"role":"model"}"#)
        if let finishReason {
            buffer.writeString(#","finishReason":"#)
            buffer.writeJSONString(finishReason)
        }
        buffer.writeString(#","index":0}],"usageMetadata":{"promptTokenCount":"#)
        buffer.writeString(String(promptTokens))
        if candidatesTokens > 0 {
            buffer.writeString(#","candidatesTokenCount":"#)
            buffer.writeString(String(candidatesTokens))
        }
        buffer.writeString(#","totalTokenCount":"#)
        buffer.writeString(String(promptTokens + candidatesTokens))
        if cachedTokens > 0 {
            buffer.writeString(#","cachedContentTokenCount":"#)
            buffer.writeString(String(cachedTokens))
        }
        Self.writeTextDetails("promptTokensDetails", tokens: promptTokens, into: &buffer)
        if cachedTokens > 0 { Self.writeTextDetails("cacheTokensDetails", tokens: cachedTokens, into: &buffer) }
        buffer.writeString(#"},"modelVersion":"#)
        buffer.writeJSONString(model)
        buffer.writeString(#","responseId":"#)
        buffer.writeJSONString(responseID)
        buffer.writeString("}")
        return buffer
    }

    /// `,"<name>":[{"modality":"TEXT","tokenCount":N}]`
    static func writeTextDetails(_ name: String, tokens: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(#",""#)
        buffer.writeString(name)
        buffer.writeString(#"":[{"modality":"TEXT","tokenCount":"#)
        buffer.writeString(String(tokens))
        buffer.writeString("}]")
    }

    /// The non-streamed body: the whole text in one part, or every call.
    func completion(_ answer: FakeGeminiAnswer) -> ByteBuffer {
        let parts = answer.calls.isEmpty ? [Self.textPart(answer.pieces.joined())] : answer.calls.map(Self.callPart)
        return response(parts: parts, finishReason: "STOP", candidatesTokens: answer.candidatesTokens)
    }

    /// `{"text":…}`
    static func textPart(_ text: String) -> [UInt8] {
        var part = Array(#"{"text":"#.utf8)
        JSONWriter.writeString(text, into: &part)
        part.append(UInt8(ascii: "}"))
        return part
    }

    static func callPart(_ call: (name: String, args: JSONValue)) -> [UInt8] {
        JSONWriter.bytes(["functionCall": ["name": .string(call.name), "args": call.args]])
    }

    /// The stream's events in order: one per text piece (the last one with `finishReason`), or
    /// one with every function call. `finish: false` leaves the finish reason out (a cut stream).
    func events(_ answer: FakeGeminiAnswer, finish: Bool = true) -> [ByteBuffer] {
        if !answer.calls.isEmpty {
            return [response(parts: answer.calls.map(Self.callPart), finishReason: finish ? "STOP" : nil, candidatesTokens: answer.candidatesTokens)]
        }
        return answer.pieces.enumerated().map { index, piece in
            let last = index == answer.pieces.count - 1
            return response(parts: [Self.textPart(piece)], finishReason: last && finish ? "STOP" : nil, candidatesTokens: index + 1)
        }
    }

    /// `data: <json>\r\n\r\n`, as Google frames `alt=sse` events.
    static func sse(_ event: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeSSE(event, into: &buffer)
        return buffer
    }

    static func writeSSE(_ event: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.writeString("data: ")
        buffer.writeImmutableBuffer(event)
        buffer.writeString("\r\n\r\n")
    }

    /// The body of a stream without `alt=sse`: a JSON array of the responses.
    static func jsonArray(_ events: [ByteBuffer]) -> ByteBuffer {
        var buffer = ByteBuffer(string: "[")
        for (index, event) in events.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeImmutableBuffer(event)
        }
        buffer.writeString("]")
        return buffer
    }
}

/// A Gemini API error: `{"error": {"code", "message", "status", "details"?}}`.
struct FakeGeminiError: Error, Sendable {
    var code: Int
    var message: String
    var status: String
    var details: [JSONValue] = []

    /// The google.rpc status name an HTTP status implies.
    static func statusName(for code: Int) -> String {
        switch code {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 429: "RESOURCE_EXHAUSTED"
        case 499: "CANCELLED"
        case 501: "NOT_IMPLEMENTED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        default: "INTERNAL"
        }
    }

    static let statusNames: Set<String> = [
        "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "ABORTED",
        "ALREADY_EXISTS", "RESOURCE_EXHAUSTED", "CANCELLED", "DATA_LOSS", "UNKNOWN", "INTERNAL", "NOT_IMPLEMENTED", "UNAVAILABLE",
        "DEADLINE_EXCEEDED",
    ]

    /// A `FakeBehavior.error` as Google would send it.
    static func from(status: Int, type: String, message: String, retryAfterSeconds: Int?) -> FakeGeminiError {
        var error = FakeGeminiError(code: status, message: message, status: statusNames.contains(type) ? type : statusName(for: status))
        if let seconds = retryAfterSeconds {
            error.details.append(["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": .string("\(seconds)s")])
        }
        return error
    }

    var body: ByteBuffer {
        var error = JSONObject([("code", JSONValue(code)), ("message", .string(message)), ("status", .string(status))])
        if !details.isEmpty { error["details"] = .array(details) }
        return ByteBuffer(bytes: JSONWriter.bytes(["error": .object(error)]))
    }
}
