import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore

/// An Anthropic API error: status, `error.type`, message and an optional retry delay.
struct FakeAnthropicError: Error, Sendable {
    var status: Int
    var type: String
    var message: String
    var retryAfterSeconds: Int? = nil
}

/// Request handling: routing, recording, the `x-api-key` / `anthropic-version` checks and the
/// request checks Anthropic makes before generating, each answered with Anthropic's error body.
extension FakeAnthropicUpstream {
    static let jsonType = "application/json"
    static let eventStreamType = "text/event-stream; charset=utf-8"
    static let requestIDName = HTTPField.Name("request-id")!
    static let apiKeyName = HTTPField.Name("x-api-key")!
    static let versionName = HTTPField.Name("anthropic-version")!
    static let retryAfterName = HTTPField.Name("retry-after")!

    /// The routes of this fake's wire format.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FakeAnthropicNotFoundMiddleware())
        router.post("/v1/messages") { request, _ in
            try await self.messages(request)
        }
        router.get("/v1/models") { request, _ in
            do throws(FakeAnthropicError) {
                try self.authenticate(request)
                return self.modelList()
            } catch {
                return Self.response(for: error, requestID: "req_fakemodels")
            }
        }
        return router
    }

    func messages(_ request: Request) async throws -> Response {
        let call = nextCall()
        let requestID = "req_fake\(FakeOpenAIUpstream.padded(call, width: 20))"
        let body = try await request.body.collect(upTo: 64 << 20)
        let json: JSONValue? = body.withUnsafeReadableBytes { try? JSONParser.parse(buffer: $0) }
        if recordRequests {
            record(
                FakeRecordedRequest(
                    method: request.method.rawValue, path: request.uri.path, headers: FakeOpenAIUpstream.headerDictionary(request.headers),
                    body: Array(body.readableBytesView), json: json, model: json?["model"]?.stringValue))
        }
        do throws(FakeAnthropicError) {
            try authenticate(request)
            let (model, stream) = try validate(json)
            let wire = FakeAnthropicWire(
                id: "msg_fake\(FakeOpenAIUpstream.padded(call, width: 16))", model: model,
                promptTokens: Self.promptTokens(json ?? .null), cachedTokens: cachedTokens)
            let exchange = FakeAnthropicExchange(wire: wire, stream: stream, requestID: requestID, call: call)
            return await respond(nextBehavior(for: model), exchange)
        } catch {
            return Self.response(for: error, requestID: requestID)
        }
    }

    /// Anthropic's 401 without a (matching) `x-api-key`, its 400 without `anthropic-version`.
    func authenticate(_ request: Request) throws(FakeAnthropicError) {
        let key = request.headers[Self.apiKeyName] ?? ""
        if key.allSatisfy({ $0 == " " }) {
            throw FakeAnthropicError(status: 401, type: "authentication_error", message: "x-api-key header is required")
        }
        if let apiKey, key != apiKey {
            throw FakeAnthropicError(status: 401, type: "authentication_error", message: "invalid x-api-key")
        }
        if (request.headers[Self.versionName] ?? "").isEmpty {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "anthropic-version: header is required")
        }
    }

    /// Anthropic's checks before generating: a JSON object with `model`, `max_tokens` and a
    /// non-empty `messages` array, and a known model. Returns the model and `stream`.
    func validate(_ json: JSONValue?) throws(FakeAnthropicError) -> (model: String, stream: Bool) {
        guard let json, case .object = json else {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "There was an issue with your request body: it must be a JSON object.")
        }
        guard case .string(let model)? = json["model"] else {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "model: Field required")
        }
        guard json["max_tokens"]?.intValue != nil else {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "max_tokens: Field required")
        }
        guard case .array(let messages)? = json["messages"] else {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "messages: Field required")
        }
        if messages.isEmpty {
            throw FakeAnthropicError(status: 400, type: "invalid_request_error", message: "messages: at least one message is required")
        }
        if let models, !models.contains(model) {
            throw FakeAnthropicError(status: 404, type: "not_found_error", message: "model: \(model)")
        }
        return (model, json["stream"]?.boolValue ?? false)
    }

    /// Characters of the system prompt and of the message texts (strings, text blocks and
    /// tool results) / 4 + 1.
    static func promptTokens(_ json: JSONValue) -> Int {
        func characters(_ content: JSONValue?) -> Int {
            switch content {
            case .string(let text)?: return text.utf8.count
            case .array(let blocks)?:
                return blocks.reduce(0) { total, block in
                    total + (block["text"]?.stringValue?.utf8.count ?? 0) + (block["type"]?.stringValue == "tool_result" ? characters(block["content"]) : 0)
                }
            default: return 0
            }
        }
        let messages = json["messages"]?.arrayValue ?? []
        return (characters(json["system"]) + messages.reduce(0) { $0 + characters($1["content"]) }) / 4 + 1
    }

    func modelList() -> Response {
        let ids = models ?? ["claude-fake"]
        let data = ids.map { id -> JSONValue in
            ["type": "model", "id": .string(id), "display_name": .string(id), "created_at": "2025-02-19T00:00:00Z"]
        }
        let body: JSONValue = [
            "data": .array(data), "has_more": false,
            "first_id": ids.first.map(JSONValue.string) ?? .null, "last_id": ids.last.map(JSONValue.string) ?? .null,
        ]
        return Self.json(ByteBuffer(bytes: JSONWriter.bytes(body)), status: .ok, requestID: "req_fakemodels")
    }

    // MARK: Response heads

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status, requestID: String) -> Response {
        Response(status: status, headers: [.contentType: jsonType, requestIDName: requestID], body: ResponseBody(byteBuffer: body))
    }

    /// A 200 whose body `write` sends with chunked transfer encoding.
    static func stream(
        requestID: String, contentType: String = eventStreamType, _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, requestIDName: requestID, .cacheControl: "no-cache"], body: ResponseBody(write))
    }

    static func response(for error: FakeAnthropicError, requestID: String) -> Response {
        var response = json(
            FakeAnthropicWire.errorBody(type: error.type, message: error.message, requestID: requestID),
            status: HTTPResponse.Status(code: error.status), requestID: requestID)
        if let seconds = error.retryAfterSeconds { response.headers[retryAfterName] = String(seconds) }
        return response
    }
}

/// Unknown paths and methods get Anthropic's 404 `not_found_error` body.
struct FakeAnthropicNotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let notFound = FakeAnthropicError(status: 404, type: "not_found_error", message: "Not Found")
            return FakeAnthropicUpstream.response(for: notFound, requestID: "req_fakenotfound")
        }
    }
}
