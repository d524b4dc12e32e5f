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

    /// One `GenerateContentResponse` with these parts; `candidatesTokens` so far for usage.
    func response(parts: [JSONValue], finishReason: String?, candidatesTokens: Int) -> JSONValue {
        var candidate = JSONObject([("content", ["parts": .array(parts), "role": "model"])])
        if let finishReason { candidate["finishReason"] = .string(finishReason) }
        candidate["index"] = 0
        var usage = JSONObject([("promptTokenCount", JSONValue(promptTokens))])
        if candidatesTokens > 0 { usage["candidatesTokenCount"] = JSONValue(candidatesTokens) }
        usage["totalTokenCount"] = JSONValue(promptTokens + candidatesTokens)
        if cachedTokens > 0 { usage["cachedContentTokenCount"] = JSONValue(cachedTokens) }
        usage["promptTokensDetails"] = [["modality": "TEXT", "tokenCount": JSONValue(promptTokens)]]
        if cachedTokens > 0 { usage["cacheTokensDetails"] = [["modality": "TEXT", "tokenCount": JSONValue(cachedTokens)]] }
        return .object(
            JSONObject([
                ("candidates", [.object(candidate)]), ("usageMetadata", .object(usage)),
                ("modelVersion", .string(model)), ("responseId", .string(responseID)),
            ]))
    }

    /// The non-streamed body: the whole text in one part, or every call.
    func completion(_ answer: FakeGeminiAnswer) -> ByteBuffer {
        let parts: [JSONValue] = answer.calls.isEmpty ? [["text": .string(answer.pieces.joined())]] : answer.calls.map(Self.callPart)
        return ByteBuffer(bytes: JSONWriter.bytes(response(parts: parts, finishReason: "STOP", candidatesTokens: answer.candidatesTokens)))
    }

    static func callPart(_ call: (name: String, args: JSONValue)) -> JSONValue {
        ["functionCall": ["name": .string(call.name), "args": call.args]]
    }

    /// The stream's events in order: one per text piece (the last one with `finishReason`), or
    /// one with every function call. `finish: false` leaves the finish reason out (a cut stream).
    func events(_ answer: FakeGeminiAnswer, finish: Bool = true) -> [JSONValue] {
        if !answer.calls.isEmpty {
            return [response(parts: answer.calls.map(Self.callPart), finishReason: finish ? "STOP" : nil, candidatesTokens: answer.candidatesTokens)]
        }
        return answer.pieces.enumerated().map { index, piece in
            let last = index == answer.pieces.count - 1
            return response(parts: [["text": .string(piece)]], finishReason: last && finish ? "STOP" : nil, candidatesTokens: index + 1)
        }
    }

    /// `data: <json>\r\n\r\n`, as Google frames `alt=sse` events.
    static func sse(_ event: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(JSONWriter.bytes(event))
        buffer.writeString("\r\n\r\n")
        return buffer
    }

    /// The body of a stream without `alt=sse`: a JSON array of the responses.
    static func jsonArray(_ events: [JSONValue]) -> ByteBuffer {
        ByteBuffer(bytes: JSONWriter.bytes(.array(events)))
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
