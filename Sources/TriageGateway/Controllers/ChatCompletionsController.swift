import Foundation
import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageRouting
import TriageValidation

/// The chat endpoints — `POST /v1/chat/completions` (OpenAI chat, the canonical format),
/// `POST /v1/messages` (Anthropic Messages) and `POST /v1/responses` (OpenAI Responses): each
/// authenticates, decodes once into the canonical chat, decides and executes the same way; only
/// the codec at the edges differs.
struct ChatCompletionsController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.post("/v1/chat/completions") { request, context in
            await self.chat(request, endpoint: "/v1/chat/completions", egress: .openAIChat)
        }
        router.post("/v1/messages") { request, context in
            await self.chat(request, endpoint: "/v1/messages", egress: .codec(AnthropicClientCodec()))
        }
        router.post("/v1/messages/count_tokens") { request, _ in
            await self.countTokens(request)
        }
        router.post("/v1/responses") { request, context in
            await self.chat(request, endpoint: "/v1/responses", egress: .codec(ResponsesClientCodec()))
        }
    }

    /// Decodes the body into the canonical chat: as it is for OpenAI chat (keeping the client's
    /// bytes for the same-format path), through the client's codec otherwise.
    static func decode(_ body: ByteBuffer, egress: ClientEgress) throws(GatewayError) -> OpenAIChatRequest {
        guard case .codec(let codec) = egress else { return try OpenAIChatRequest.decode(body.readableBytesView) }
        var canonical = try codec.canonicalRequest(from: try RequestBodyReader.object(body))
        if canonical["stream"]?.boolValue == true {
            // The client's format always reports usage at the end of a stream.
            var options = canonical["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = true
            canonical["stream_options"] = .object(options)
        }
        return try OpenAIChatRequest(body: canonical)
    }

    func chat(_ request: Request, endpoint: String, egress: ClientEgress) async -> Response {
        var recorder = CallRecorder(endpoint: endpoint)
        recorder.spanParent = runtime.telemetry?.parentContext(of: request.headers)
        do throws(GatewayError) {
            recorder.keyName = try runtime.authenticator.authenticate(request.headers)
            let body = try await RequestBodyReader.json(request, limit: runtime.config.server.maxBodyBytes)
            let chat = try Self.decode(body, egress: egress)
            recorder.requestedModel = chat.model
            recorder.stream = chat.stream
            recorder.role = request.headers[TriageHeader.role] ?? chat.metadataString("role")
            recorder.runID = request.headers[TriageHeader.run] ?? chat.metadataString("run") ?? chat.metadataString("run_id")
            let target = try RouteTarget(modelField: chat.model)
            if case .model(let name) = target, runtime.config.catalog.model(named: name)?.kind == .embedding {
                throw GatewayError(.invalidRequest, "`\(name)` is an embedding model: send it to /v1/embeddings.", param: "model", code: "model_not_supported")
            }
            let requested = try requestedValidators(request, chat: chat)
            // Only auto-routed calls without a fixed-tier role are classified: skip the text
            // extraction for everyone else.
            let fixedRole = recorder.role.flatMap { runtime.config.policy.roles[$0]?.skipClassification } ?? false
            recorder.fixedTierRole = fixedRole
            let sessionKey = target == .auto && runtime.affinity.configuration.enabled ? (recorder.runID.map { "run:" + $0 } ?? chat.conversationKey) : nil
            let route = RouteRequest(
                target: target, role: recorder.role, keyName: recorder.keyName, runID: recorder.runID,
                features: RequestFeatures(
                    estimatedInputTokens: chat.estimatedInputTokens, maxOutputTokens: chat.maxOutputTokens,
                    messageCount: chat.messageCount, toolCount: chat.toolCount, stream: chat.stream),
                prompt: target == .auto && !fixedRole ? chat.digest() : nil,
                sticky: sessionKey.flatMap { runtime.affinity.lookup($0) },
                carriesReasoning: target == .auto && chat.messageCount > 1 && chat.carriesReasoning,
                priorEscalations: sessionKey.map { runtime.affinity.escalations(for: $0) } ?? 0)
            let routing = runtime.routing
            recorder.policyVersion = routing.version
            let decision = try routing.pipeline.decide(route, availability: runtime.health)
            let validation = runtime.config.validation.plan(
                role: recorder.role, skill: decision.skill, requested: requested, contract: Self.contract(of: chat))
            let wantsReasons = Self.isTrue(request.headers[TriageHeader.reasons] ?? chat.metadataString("triage_reasons"))
            let call = ChatCall(
                chat: chat, route: route, validation: validation, sessionKey: sessionKey, wantsReasons: wantsReasons, routing: routing, egress: egress)
            return await ChatCompletionExecutor(runtime: runtime, call: call).execute(decision: decision, recorder: recorder)
        } catch {
            await runtime.finish(recorder.trace(status: error.httpStatus >= 500 ? .failed : .rejected, httpStatus: error.httpStatus, error: error.message), spanParent: recorder.spanParent)
            return egress.errorResponse(error, requestID: recorder.requestID)
        }
    }
}

extension ChatCompletionsController {
    /// `POST /v1/messages/count_tokens` (Anthropic's token counting, which agents such as Claude
    /// Code call before sending): the gateway's own estimate of the request's input tokens, the
    /// one routing and cost estimates use, as `{"input_tokens": N}`. No provider is called.
    func countTokens(_ request: Request) async -> Response {
        let codec = AnthropicClientCodec()
        let egress = ClientEgress.codec(codec)
        do throws(GatewayError) {
            _ = try runtime.authenticator.authenticate(request.headers)
            let body = try await RequestBodyReader.json(request, limit: runtime.config.server.maxBodyBytes)
            var object = try RequestBodyReader.object(body)
            // count_tokens takes a Messages request without max_tokens.
            if object["max_tokens"] == nil { object["max_tokens"] = 1 }
            let chat = try OpenAIChatRequest(body: try codec.canonicalRequest(from: object))
            let answer: JSONValue = ["input_tokens": JSONValue(chat.estimatedInputTokens)]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(answer))))
        } catch {
            return egress.errorResponse(error, requestID: nil)
        }
    }

    /// The per-request validator list (`X-Triage-Validate` or `metadata.triage_validate`).
    func requestedValidators(_ request: Request, chat: OpenAIChatRequest) throws(GatewayError) -> [ValidatorSpec]? {
        guard let text = request.headers[TriageHeader.validate] ?? chat.metadataString("triage_validate") else { return nil }
        return try ValidatorSyntax.parse(text)
    }

    /// What the request's own structured-output ask and tools let validators check.
    static func contract(of chat: OpenAIChatRequest) -> RequestContract {
        guard chat.toolCount > 0 || chat.body["response_format"] != nil else { return RequestContract() }
        return RequestContract(
            responseFormatType: chat.responseFormatType, responseFormatSchema: chat.responseFormatSchema, toolSchemas: chat.toolParameterSchemas)
    }

    static func isTrue(_ value: String?) -> Bool {
        switch value?.lowercased() {
        case "1", "true", "yes", "on": true
        default: false
        }
    }
}

/// Reads a request body that must be JSON, within a size limit.
enum RequestBodyReader {
    static func json(_ request: Request, limit: Int) async throws(GatewayError) -> ByteBuffer {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingOptionalWhitespace.lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw GatewayError(
                    .unsupportedMediaType, "Unsupported content type '\(contentType.prefix(100))': send the body as application/json.",
                    code: "unsupported_content_type")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        } catch {
            throw GatewayError(.invalidRequest, "The request body could not be read.", code: "invalid_body")
        }
    }

    /// A body read by `json(_:limit:)` as a JSON object, or the 400 for anything else.
    static func object(_ body: ByteBuffer) throws(GatewayError) -> JSONObject {
        let parsed = body.withUnsafeReadableBytes { buffer in Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(buffer: buffer) } }
        guard case .success(.object(let object)) = parsed else {
            throw GatewayError(.invalidRequest, "We could not parse the JSON body of your request: it must be a JSON object.", code: "invalid_json")
        }
        return object
    }

    private static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(.payloadTooLarge, "The request body is larger than the gateway's limit of \(limit) bytes.", code: "request_too_large")
    }
}
