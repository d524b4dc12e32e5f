import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore

extension FakeOpenAIUpstream {
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/chat/completions") { request, _ in
            try await self.chatCompletions(request)
        }
        router.get("/v1/models") { _, _ in
            let body: JSONValue = ["object": "list", "data": [["id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"]]]
            return Self.json(body, status: .ok)
        }
        return router
    }

    func chatCompletions(_ request: Request) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(body.readableBytesView)
        let json = try? JSONParser.parse(bytes)
        let model = json?["model"]?.stringValue
        record(FakeRecordedRequest(path: request.uri.path, headers: headers, body: bytes, json: json, model: model))

        guard let authorization = headers["authorization"], authorization.hasPrefix("Bearer "), authorization.count > 7 else {
            return Self.error(
                status: 401, type: "invalid_request_error", code: "invalid_api_key",
                message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.")
        }
        guard let json, let model, let messages = json["messages"]?.arrayValue, !messages.isEmpty else {
            return Self.error(status: 400, type: "invalid_request_error", code: nil, message: "Invalid request body.")
        }
        let (behavior, counter) = nextBehavior(for: model)
        let context = CallContext(
            id: "chatcmpl-fake\(counter)", model: model, stream: json["stream"]?.boolValue ?? false,
            includeUsage: json["stream_options"]?["include_usage"]?.boolValue ?? false,
            promptTokens: Self.promptTokens(messages), cachedTokens: cachedTokens)
        return await respond(behavior, context: context)
    }

    struct CallContext: Sendable {
        let id: String
        let model: String
        let stream: Bool
        let includeUsage: Bool
        let promptTokens: Int
        let cachedTokens: Int

        func usage(completionTokens: Int) -> JSONValue {
            FakeChatWire.usage(promptTokens: promptTokens, completionTokens: completionTokens, cachedTokens: min(cachedTokens, promptTokens))
        }

        func chunk(_ delta: JSONValue, finishReason: String? = nil) -> [UInt8] {
            FakeChatWire.event(FakeChatWire.chunk(id: id, model: model, delta: delta, finishReason: finishReason, includeUsage: includeUsage))
        }

        /// The closing events: the final chunk, the usage chunk when asked for, `[DONE]`.
        func closing(finishReason: String, completionTokens: Int) -> [UInt8] {
            var out = chunk([:], finishReason: finishReason)
            if includeUsage {
                out += FakeChatWire.event(FakeChatWire.usageChunk(id: id, model: model, usage: usage(completionTokens: completionTokens)))
            }
            out += Array("data: [DONE]\n\n".utf8)
            return out
        }
    }

    func respond(_ behavior: FakeBehavior, context: CallContext) async -> Response {
        switch behavior {
        case .text(let text):
            let pieces = FakeChatWire.pieces(of: text)
            guard context.stream else {
                return Self.json(
                    FakeChatWire.completion(
                        id: context.id, model: context.model, message: FakeChatWire.textMessage(text), finishReason: "stop",
                        usage: context.usage(completionTokens: pieces.count)),
                    status: .ok)
            }
            var events = context.chunk(["role": "assistant", "content": "", "refusal": nil])
            for piece in pieces { events += context.chunk(["content": .string(piece)]) }
            events += context.closing(finishReason: "stop", completionTokens: pieces.count)
            return Self.stream(ResponseBody(byteBuffer: ByteBuffer(bytes: events)))

        case .toolCall(let name, let arguments):
            let callID = "call_fake\(context.id.suffix(4))"
            guard context.stream else {
                return Self.json(
                    FakeChatWire.completion(
                        id: context.id, model: context.model,
                        message: FakeChatWire.toolCallMessage(id: callID, name: name, arguments: arguments), finishReason: "tool_calls",
                        usage: context.usage(completionTokens: max(1, arguments.count / 4))),
                    status: .ok)
            }
            var events = context.chunk([
                "role": "assistant", "content": nil, "refusal": nil,
                "tool_calls": [["index": 0, "id": .string(callID), "type": "function", "function": ["name": .string(name), "arguments": ""]]],
            ])
            for piece in FakeChatWire.argumentPieces(of: arguments) {
                events += context.chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(piece)]]]])
            }
            events += context.closing(finishReason: "tool_calls", completionTokens: max(1, arguments.count / 4))
            return Self.stream(ResponseBody(byteBuffer: ByteBuffer(bytes: events)))

        case .error(let status, let type, let code, let message, let retryAfter):
            var response = Self.error(status: status, type: type, code: code, message: message)
            if let retryAfter {
                response.headers[HTTPField.Name("retry-after")!] = String(retryAfter)
                response.headers[HTTPField.Name("retry-after-ms")!] = String(retryAfter * 1000)
            }
            return response

        case .slowFirstByte(let seconds, let then):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return await respond(then, context: context)

        case .cutStream(let afterChunks):
            let head = context.chunk(["role": "assistant", "content": "", "refusal": nil])
            let chunks = (0..<afterChunks).map { context.chunk(["content": .string("part\($0) ")]) }
            return Self.stream(
                ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: head))
                    for chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                    // Throwing from the body writer makes the server drop the connection without
                    // the terminating chunk, as a provider crash or network cut does.
                    throw StreamCut()
                })

        case .gatedStream(let first, let rest, let gate):
            return Self.stream(
                ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: context.chunk(["role": "assistant", "content": "", "refusal": nil])))
                    try await writer.write(ByteBuffer(bytes: context.chunk(["content": .string(first)])))
                    await gate.wait()
                    var tail: [UInt8] = []
                    for piece in rest { tail += context.chunk(["content": .string(piece)]) }
                    tail += context.closing(finishReason: "stop", completionTokens: rest.count + 1)
                    try await writer.write(ByteBuffer(bytes: tail))
                    try await writer.finish(nil)
                })

        case .slowStream(let chunks, let delay):
            return Self.stream(
                ResponseBody { writer in
                    do {
                        try await writer.write(ByteBuffer(bytes: context.chunk(["role": "assistant", "content": "", "refusal": nil])))
                        for piece in chunks {
                            try await Task.sleep(for: .milliseconds(delay))
                            try await writer.write(ByteBuffer(bytes: context.chunk(["content": .string(piece)])))
                        }
                        try await writer.write(ByteBuffer(bytes: context.closing(finishReason: "stop", completionTokens: chunks.count)))
                        try await writer.finish(nil)
                    } catch {
                        self.countCancelledStream()
                        throw error
                    }
                })
        }
    }

    struct StreamCut: Error {}

    static func promptTokens(_ messages: [JSONValue]) -> Int {
        var characters = 0
        for message in messages {
            if case .string(let text)? = message["content"] { characters += text.utf8.count }
            if case .array(let parts)? = message["content"] {
                for part in parts { characters += part["text"]?.stringValue?.utf8.count ?? 0 }
            }
        }
        return characters / 4 + 1
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", HTTPField.Name("x-request-id")!: "req_fake", HTTPField.Name("openai-processing-ms")!: "1"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    static func stream(_ body: ResponseBody) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("x-request-id")!: "req_fake"],
            body: body)
    }

    static func error(status: Int, type: String, code: String?, message: String) -> Response {
        json(FakeChatWire.error(type: type, code: code, message: message), status: HTTPResponse.Status(code: status))
    }
}
