import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore

/// Request handling: routing, recording, authentication and the request checks OpenAI makes
/// before generating anything, each answered with OpenAI's own error body.
extension FakeOpenAIUpstream {
    /// The routes of this fake's wire format.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FakeInvalidURLMiddleware())
        router.post("/v1/chat/completions") { request, _ in
            try await self.chatCompletions(request)
        }
        router.post("/v1/embeddings") { request, _ in
            try await self.embeddings(request)
        }
        router.get("/v1/models") { request, _ in
            do throws(FakeAPIError) {
                try self.authenticate(request)
                return self.modelList()
            } catch {
                return Self.response(for: error, requestID: "req_fakemodels")
            }
        }
        return router
    }

    /// Reads a request's body, numbers the call and records it (when recording is on).
    func receive(_ request: Request) async throws -> (call: Int, json: JSONValue?, model: String?) {
        let call = nextCall()
        let body = try await request.body.collect(upTo: 64 << 20)
        let json: JSONValue? = body.withUnsafeReadableBytes { try? JSONParser.parse(buffer: $0) }
        let model = json?["model"]?.stringValue
        if recordRequests {
            record(
                FakeRecordedRequest(
                    method: request.method.rawValue, path: request.uri.path, headers: Self.headerDictionary(request.headers),
                    body: Array(body.readableBytesView), json: json, model: model))
        }
        return (call, json, model)
    }

    func chatCompletions(_ request: Request) async throws -> Response {
        let (call, json, model) = try await receive(request)
        let requestID = "req_fake\(Self.padded(call, width: 24))"
        do throws(FakeAPIError) {
            try authenticate(request)
            let (model, stream) = try validate(json, model: model)
            let wire = FakeWire(
                id: "chatcmpl-fake\(Self.padded(call, width: 20))", model: model,
                includeUsage: stream && json?["stream_options"]?["include_usage"]?.boolValue == true,
                promptTokens: Self.promptTokens(json?["messages"]?.arrayValue ?? []), cachedTokens: cachedTokens)
            let exchange = FakeExchange(wire: wire, stream: stream, requestID: requestID, call: call)
            guard let behavior = nextBehavior(for: model) else {
                if let defaultAnswer { return respond(with: defaultAnswer, exchange) }
                return await respond(defaultBehavior, exchange)
            }
            return await respond(behavior, exchange)
        } catch {
            return Self.response(for: error, requestID: requestID)
        }
    }

    /// Throws OpenAI's 401 unless the request carries a bearer key (the configured one, if any).
    func authenticate(_ request: Request) throws(FakeAPIError) {
        let header = request.headers[.authorization] ?? ""
        let key = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        if key.allSatisfy({ $0 == " " }) {
            throw FakeAPIError(
                status: 401, type: "invalid_request_error", code: nil,
                message:
                    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys."
            )
        }
        if let apiKey, key != apiKey {
            let masked = key.count > 10 ? "\(key.prefix(6))***\(key.suffix(4))" : "***"
            throw FakeAPIError(
                status: 401, type: "invalid_request_error", code: "invalid_api_key",
                message: "Incorrect API key provided: \(masked). You can find your API key at https://platform.openai.com/account/api-keys.")
        }
    }

    /// OpenAI's checks before generating: a JSON object, `model`, `messages` a non-empty array,
    /// `stream_options` only with `stream`, a known model. Returns the model and `stream`.
    func validate(_ json: JSONValue?, model: String?) throws(FakeAPIError) -> (model: String, stream: Bool) {
        guard let json, case .object = json else {
            throw FakeAPIError(
                status: 400, type: "invalid_request_error", code: nil,
                message:
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
            )
        }
        guard let model else {
            throw FakeAPIError(status: 400, type: "invalid_request_error", code: nil, message: "you must provide a model parameter")
        }
        switch json["messages"] {
        case nil:
            throw FakeAPIError(
                status: 400, type: "invalid_request_error", code: "missing_required_parameter",
                message: "Missing required parameter: 'messages'.", param: "messages")
        case .array(let messages)? where messages.isEmpty:
            throw FakeAPIError(
                status: 400, type: "invalid_request_error", code: "empty_array",
                message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages")
        case .array?:
            break
        case let other?:
            throw FakeAPIError(
                status: 400, type: "invalid_request_error", code: "invalid_type",
                message: "Invalid type for 'messages': expected an array of objects, but got \(other.kindName) instead.", param: "messages")
        }
        let stream = json["stream"]?.boolValue ?? false
        if let options = json["stream_options"], !options.isNull, !stream {
            throw FakeAPIError(
                status: 400, type: "invalid_request_error", code: nil,
                message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options")
        }
        if let models, !models.contains(model) {
            throw FakeAPIError(
                status: 404, type: "invalid_request_error", code: "model_not_found",
                message: "The model `\(model)` does not exist or you do not have access to it.")
        }
        return (model, stream)
    }

    /// Characters of the message contents (strings and text parts) / 4 + 1.
    static func promptTokens(_ messages: [JSONValue]) -> Int {
        var characters = 0
        for message in messages {
            switch message["content"] {
            case .string(let text)?: characters += text.utf8.count
            case .array(let parts)?: for part in parts { characters += part["text"]?.stringValue?.utf8.count ?? 0 }
            default: break
            }
        }
        return characters / 4 + 1
    }

    func modelList() -> Response {
        let ids = models ?? ["fake-model"]
        let data = ids.map { id -> JSONValue in ["id": .string(id), "object": "model", "created": 1_686_935_002, "owned_by": "system"] }
        return Self.json(ByteBuffer(bytes: JSONWriter.bytes(["object": "list", "data": .array(data)])), status: .ok, requestID: "req_fakemodels")
    }

    static func headerDictionary(_ fields: HTTPFields) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        return headers
    }

    /// `number` in decimal, zero-padded to `width` digits.
    static func padded(_ number: Int, width: Int = 12) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Unknown paths and methods get OpenAI's 404 body instead of an empty one.
struct FakeInvalidURLMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let invalid = FakeAPIError(
                status: 404, type: "invalid_request_error", code: nil, message: "Invalid URL (\(request.method.rawValue) \(request.uri.path))")
            return FakeOpenAIUpstream.response(for: invalid, requestID: "req_fakeinvalidurl")
        }
    }
}
