import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageProviders

/// `POST /v1/embeddings`: passed to the embedding model the request names (a configured model of
/// `kind: embedding` on an OpenAI-compatible provider), priced from its input tokens and traced.
/// Embeddings are not routed: a vector space belongs to one model, so the caller must name it.
struct EmbeddingsController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.post("/v1/embeddings") { request, _ in
            await self.embeddings(request)
        }
    }

    func embeddings(_ request: Request) async -> Response {
        var recorder = CallRecorder(endpoint: "/v1/embeddings")
        recorder.spanParent = runtime.telemetry?.parentContext(of: request.headers)
        do throws(GatewayError) {
            recorder.keyName = try runtime.authenticator.authenticate(request.headers)
            let buffer = try await RequestBodyReader.json(request, limit: runtime.config.server.maxBodyBytes)
            var body = try Self.decode(buffer)
            let name = body["model"]?.stringValue ?? ""
            recorder.requestedModel = name
            guard let model = runtime.config.catalog.model(named: name), model.kind == .embedding else {
                throw GatewayError(
                    .notFound, "The model `\(name.prefix(200))` does not exist or is not an embedding model of this gateway.", param: "model",
                    code: "model_not_found")
            }
            guard let provider = runtime.config.catalog.provider(for: model) else {
                throw GatewayError(.unavailable, "The provider of `\(name)` is not configured.", code: "no_model_available")
            }
            body["model"] = .string(model.upstreamName)
            return await forward(body, model: model, provider: provider, recorder: recorder)
        } catch {
            await runtime.finish(recorder.trace(status: error.httpStatus >= 500 ? .failed : .rejected, httpStatus: error.httpStatus, error: error.message), spanParent: recorder.spanParent)
            return error.response(requestID: recorder.requestID)
        }
    }

    /// The request object, with `model` and a non-empty `input` checked.
    static func decode(_ buffer: ByteBuffer) throws(GatewayError) -> JSONObject {
        let body = try RequestBodyReader.object(buffer)
        guard case .string(let model)? = body["model"], !model.isEmpty else {
            throw GatewayError(.invalidRequest, "you must provide a model parameter", param: "model", code: "missing_required_parameter")
        }
        switch body["input"] {
        case .string(let text)? where !text.isEmpty: break
        case .array(let items)? where !items.isEmpty: break
        case nil: throw GatewayError(.invalidRequest, "Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter")
        default: throw GatewayError(.invalidRequest, "'input' must be a non-empty string or array.", param: "input", code: "invalid_value")
        }
        return body
    }

    private func forward(_ body: JSONObject, model: ModelSpec, provider: ProviderSpec, recorder initial: CallRecorder) async -> Response {
        var recorder = initial
        let started = ContinuousClock.now
        guard runtime.health.acquire(model.name) else {
            let error = GatewayError(.unavailable, "The embedding model `\(model.name)` is unavailable right now.", code: "no_model_available")
            recorder.addAttempt(model, outcome: "skipped", since: started, detail: "circuit open")
            await runtime.finish(recorder.trace(status: .failed, httpStatus: error.httpStatus, error: error.message), spanParent: recorder.spanParent)
            return error.response(requestID: recorder.requestID)
        }
        let upstream = UpstreamRequest(provider: provider, path: "/embeddings", body: ByteBuffer(bytes: JSONWriter.bytes(.object(body))), stream: false)
        let failure: GatewayError
        do {
            let response = try await runtime.upstream.send(upstream)
            let status = Int(response.status)
            let answer = try? await response.body.collect(upTo: UpstreamAttempts.maxResponseBytes)
            if (200..<300).contains(status), let answer, let value = UpstreamAttempts.parse(answer), case .object = value {
                runtime.health.recordSuccess(model.name)
                let usage = Usage(inputTokens: value["usage"]?["prompt_tokens"]?.intValue ?? value["usage"]?["total_tokens"]?.intValue ?? 0)
                recorder.servedBy = model
                recorder.firstByte = .now
                recorder.addAttempt(model, outcome: "ok", status: status, since: started, usage: usage)
                let trace = recorder.trace(status: .ok, httpStatus: 200, usage: usage)
                await runtime.finish(trace, spanParent: recorder.spanParent)
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[TriageHeader.requestID] = recorder.requestID
                headers[TriageHeader.model] = model.name
                headers[TriageHeader.costUSD] = ModelPrice.usdText(trace.costUSD)
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: answer))
            }
            let bytes = answer.map { Array($0.readableBytesView) } ?? []
            let retryAfter = RetryAfter.duration(retryAfterMs: response.headers.first(name: "retry-after-ms"), retryAfter: response.headers.first(name: "retry-after"))
            if (200..<300).contains(status) {
                runtime.health.recordFailure(model.name)
                failure = GatewayError(.upstream, "The provider '\(provider.name)' sent an unreadable response.", code: "upstream_invalid_response")
            } else {
                if case .retryable = UpstreamErrorMapping.outcome(status: status, retryAfter: retryAfter) {
                    status == 429 ? runtime.health.recordRateLimit(model.name, retryAfter: retryAfter) : runtime.health.recordFailure(model.name)
                } else {
                    runtime.health.recordSuccess(model.name)
                }
                failure = UpstreamErrorMapping.gatewayError(status: status, body: bytes, provider: provider.name, retryAfter: retryAfter)
            }
            recorder.addAttempt(model, outcome: "failed", status: status, since: started)
        } catch {
            error == .cancelled ? runtime.health.recordAbandoned(model.name) : runtime.health.recordFailure(model.name)
            recorder.addAttempt(model, outcome: "retryable", since: started, detail: error.publicDescription)
            failure = GatewayError(
                error == .timedOut ? .upstreamTimeout : .upstream, "The provider '\(provider.name)' failed: \(error.publicDescription).",
                code: error == .timedOut ? "upstream_timeout" : "upstream_unavailable")
        }
        await runtime.finish(recorder.trace(status: failure.httpStatus < 500 && failure.httpStatus != 429 ? .rejected : .failed, httpStatus: failure.httpStatus, error: failure.message), spanParent: recorder.spanParent)
        return failure.response(requestID: recorder.requestID)
    }
}
