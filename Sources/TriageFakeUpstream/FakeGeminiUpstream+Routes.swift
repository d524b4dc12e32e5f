import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore

/// Request handling of the fake Gemini server: routing by `models/{model}:{method}`, recording,
/// the API key check, Google's request checks and turning a behavior into a response.
extension FakeGeminiUpstream {
    static let jsonType = "application/json; charset=UTF-8"
    static let eventStreamType = "text/event-stream"
    static let apiKeyName = HTTPField.Name("x-goog-api-key")!

    /// The routes of this fake's wire format.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1beta/models/:call") { request, context in
            try await self.generate(request, call: context.parameters.get("call") ?? "")
        }
        router.get("/v1beta/models") { request, _ in
            do throws(FakeGeminiError) {
                try self.authenticate(request)
                let names = (self.models ?? ["gemini-2.5-flash"]).map { name -> JSONValue in
                    ["name": .string("models/\(name)"), "displayName": .string(name), "supportedGenerationMethods": ["generateContent", "countTokens"]]
                }
                return Self.json(ByteBuffer(bytes: JSONWriter.bytes(["models": .array(names)])), status: .ok)
            } catch {
                return Self.response(for: error)
            }
        }
        return router
    }

    func generate(_ request: Request, call: String) async throws -> Response {
        let number = nextCall()
        let body = try await request.body.collect(upTo: 64 << 20)
        let json: JSONValue? = body.withUnsafeReadableBytes { try? JSONParser.parse(buffer: $0) }
        let colon = call.lastIndex(of: ":")
        let model = colon.map { String(call[..<$0]) } ?? call
        let method = colon.map { String(call[call.index(after: $0)...]) } ?? ""
        if recordRequests {
            record(
                FakeRecordedRequest(
                    method: request.method.rawValue, path: request.uri.path, headers: FakeOpenAIUpstream.headerDictionary(request.headers),
                    body: Array(body.readableBytesView), json: json, model: model))
        }
        do throws(FakeGeminiError) {
            let stream: Bool
            switch method {
            case "generateContent": stream = false
            case "streamGenerateContent": stream = true
            default: throw FakeGeminiError(code: 404, message: "Method not found.", status: "NOT_FOUND")
            }
            try authenticate(request)
            try validate(json, model: model, method: method)
            let wire = FakeGeminiWire(
                responseID: "fakeResp\(FakeOpenAIUpstream.padded(number, width: 14))", model: model,
                promptTokens: Self.promptTokens(json ?? .null), cachedTokens: cachedTokens)
            let sse = request.uri.queryParameters["alt"].map(String.init) == "sse"
            return await respond(nextBehavior(for: model), wire: wire, stream: stream, sse: sse)
        } catch {
            return Self.response(for: error)
        }
    }

    /// Google's answers for a missing key (403) and, when `apiKey` is set, a wrong one (400).
    func authenticate(_ request: Request) throws(FakeGeminiError) {
        let key = request.headers[Self.apiKeyName] ?? request.uri.queryParameters["key"].map(String.init) ?? ""
        if key.isEmpty {
            throw FakeGeminiError(
                code: 403,
                message:
                    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                status: "PERMISSION_DENIED")
        }
        if let apiKey, key != apiKey {
            throw FakeGeminiError(
                code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT",
                details: [
                    [
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                        "metadata": ["service": "generativelanguage.googleapis.com"],
                    ]
                ])
        }
    }

    /// A JSON object body with non-empty `contents`, and a known model.
    func validate(_ json: JSONValue?, model: String, method: String) throws(FakeGeminiError) {
        guard case .object(let body)? = json else {
            throw FakeGeminiError(code: 400, message: "Invalid JSON payload received. Unexpected token.", status: "INVALID_ARGUMENT")
        }
        guard let contents = body["contents"]?.arrayValue, !contents.isEmpty else {
            throw FakeGeminiError(code: 400, message: "* GenerateContentRequest.contents: contents is not specified\n", status: "INVALID_ARGUMENT")
        }
        if let models, !models.contains(model) {
            throw FakeGeminiError(
                code: 404,
                message: "models/\(model) is not found for API version v1beta, or is not supported for \(method). Call ListModels to see the list of available models and their supported methods.",
                status: "NOT_FOUND")
        }
    }

    /// Characters of the text parts of `contents` and `systemInstruction` / 4 + 1.
    static func promptTokens(_ body: JSONValue) -> Int {
        var characters = 0
        let contents = (body["contents"]?.arrayValue ?? []) + (body["systemInstruction"].map { [$0] } ?? [])
        for content in contents {
            for part in content["parts"]?.arrayValue ?? [] { characters += part["text"]?.stringValue?.utf8.count ?? 0 }
        }
        return characters / 4 + 1
    }

    func respond(_ behavior: FakeBehavior, wire: FakeGeminiWire, stream: Bool, sse: Bool) async -> Response {
        switch behavior {
        case .text(let text), .textWithLogprob(let text, _):
            return respond(with: .text(text), wire: wire, stream: stream, sse: sse)
        case .toolCall(let name, let arguments):
            return respond(with: .calls([FakeToolCall(name: name, arguments: arguments)]), wire: wire, stream: stream, sse: sse)
        case .toolCalls(let calls):
            return respond(with: .calls(calls), wire: wire, stream: stream, sse: sse)
        case .error(let status, let type, _, let message, let retryAfter):
            return Self.response(for: FakeGeminiError.from(status: status, type: type, message: message, retryAfterSeconds: retryAfter))
        case .slowFirstByte(let seconds, let then):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return await respond(then, wire: wire, stream: stream, sse: sse)
        case .cutStream(let afterChunks):
            let answer = FakeGeminiAnswer(pieces: (0..<afterChunks).map { "part\($0) " })
            guard stream else {
                let full = wire.completion(answer)
                let partial = full.getSlice(at: full.readerIndex, length: full.readableBytes / 2)!
                return Self.streamed(contentType: Self.jsonType) { writer in
                    try await writer.write(partial)
                    try await Task.sleep(for: .milliseconds(50))
                    throw FakeStreamCut()
                }
            }
            let events = wire.events(answer, finish: false)
            return Self.streamed(contentType: Self.eventStreamType) { writer in
                for event in events { try await writer.write(FakeGeminiWire.sse(event)) }
                try await Task.sleep(for: .milliseconds(50))
                throw FakeStreamCut()
            }
        case .gatedStream(let first, let rest, let gate):
            let answer = FakeGeminiAnswer(pieces: [first] + rest)
            guard stream, sse else {
                await gate.wait()
                return respond(with: answer, wire: wire, stream: stream, sse: sse)
            }
            let events = wire.events(answer)
            return Self.streamed(contentType: Self.eventStreamType) { writer in
                do {
                    try await writer.write(FakeGeminiWire.sse(events[0]))
                    await gate.wait()
                    try await writer.write(contentsOf: events.dropFirst().map(FakeGeminiWire.sse))
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }
        case .slowStream(let chunks, let delay):
            let answer = FakeGeminiAnswer(pieces: chunks.isEmpty ? [""] : chunks)
            guard stream, sse else {
                try? await Task.sleep(for: .milliseconds(delay * chunks.count))
                return respond(with: answer, wire: wire, stream: stream, sse: sse)
            }
            let events = wire.events(answer)
            return Self.streamed(contentType: Self.eventStreamType) { writer in
                do {
                    for (index, event) in events.enumerated() {
                        if index > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                        try await writer.write(FakeGeminiWire.sse(event))
                    }
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }
        }
    }

    /// A complete answer: the object, every SSE event in one write, or the JSON array stream.
    func respond(with answer: FakeGeminiAnswer, wire: FakeGeminiWire, stream: Bool, sse: Bool) -> Response {
        guard stream else { return Self.json(wire.completion(answer), status: .ok) }
        guard sse else { return Self.json(FakeGeminiWire.jsonArray(wire.events(answer)), status: .ok) }
        var buffer = ByteBuffer()
        for event in wire.events(answer) { FakeGeminiWire.writeSSE(event, into: &buffer) }
        var response = Response(status: .ok, headers: [.contentType: Self.eventStreamType], body: ResponseBody(byteBuffer: buffer))
        response.headers[.contentLength] = nil
        return response
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: jsonType], body: ResponseBody(byteBuffer: body))
    }

    static func streamed(contentType: String, _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(write))
    }

    static func response(for error: FakeGeminiError) -> Response {
        json(error.body, status: HTTPResponse.Status(code: error.code))
    }
}
