import Foundation
import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageRouting

/// `POST /v1/chat/completions`: authenticate, decode once, decide, execute.
struct ChatCompletionsController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.post("/v1/chat/completions") { request, context in
            await self.chatCompletions(request, context: context)
        }
    }

    func chatCompletions(_ request: Request, context: Context) async -> Response {
        var recorder = CallRecorder(endpoint: "/v1/chat/completions")
        do {
            recorder.keyName = try runtime.authenticator.authenticate(request.headers)
            let body = try await RequestBodyReader.json(request, limit: runtime.config.server.maxBodyBytes)
            let chat = try OpenAIChatRequest.decode(body.readableBytesView)
            recorder.requestedModel = chat.model
            recorder.stream = chat.stream
            recorder.role = request.headers[TriageHeader.role] ?? chat.metadataString("role")
            recorder.runID = request.headers[TriageHeader.run] ?? chat.metadataString("run") ?? chat.metadataString("run_id")
            let target = try RouteTarget(modelField: chat.model)
            // Only auto-routed calls without a fixed-tier role are classified: skip the text
            // extraction for everyone else.
            let fixedRole = recorder.role.flatMap { runtime.config.policy.roles[$0]?.skipClassification } ?? false
            let route = RouteRequest(
                target: target, role: recorder.role, keyName: recorder.keyName, runID: recorder.runID,
                features: RequestFeatures(
                    estimatedInputTokens: chat.estimatedInputTokens, maxOutputTokens: chat.maxOutputTokens,
                    messageCount: chat.messageCount, toolCount: chat.toolCount, stream: chat.stream),
                prompt: target == .auto && !fixedRole ? chat.digest() : nil)
            let decision = try runtime.pipeline.decide(route, availability: runtime.health)
            return await ChatCompletionExecutor(runtime: runtime).execute(chat, decision: decision, recorder: recorder)
        } catch {
            await runtime.traces.record(recorder.trace(status: error.httpStatus >= 500 ? .failed : .rejected, httpStatus: error.httpStatus, error: error.message))
            return error.response(requestID: recorder.requestID)
        }
    }
}

/// Reads a request body that must be JSON, within a size limit.
enum RequestBodyReader {
    static func json(_ request: Request, limit: Int) async throws(GatewayError) -> ByteBuffer {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
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

    private static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(.payloadTooLarge, "The request body is larger than the gateway's limit of \(limit) bytes.", code: "request_too_large")
    }
}
