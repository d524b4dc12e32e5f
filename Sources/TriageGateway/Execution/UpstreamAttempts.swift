import TriageProviders
import NIOCore
import TriageCodecs
import TriageCore
import TriageRouting
import TriageStore

/// A candidate that answered with a 2xx, ready to be validated and relayed.
enum UpstreamAnswer: Sendable {
    /// A complete JSON completion, its usage and the model the provider reported (when read).
    /// The completion is canonical, or the client's own body when `isClientBody` says so.
    case json(ByteBuffer, Usage?, model: ModelSpec, reported: String?, started: ContinuousClock.Instant, isClientBody: Bool)
    /// A stream whose head has arrived; the body, canonical, is still flowing.
    case stream(UpstreamStream, model: ModelSpec, started: ContinuousClock.Instant)
    /// No candidate answered.
    case failed(GatewayError, TraceStatus)
}

/// The retry and failover loop over one decision's candidates: a connect error, timeout, 429
/// or 5xx before the first byte moves to the next candidate (honouring `retry-after`), a
/// rejection of the request itself stops. Health and attempts are recorded as it goes.
struct UpstreamAttempts: Sendable {
    let runtime: GatewayRuntime
    static let maxResponseBytes = 64 << 20
    static let maxErrorBodyBytes = 64 << 10

    /// - Parameters:
    ///   - translated: the request came in another format than OpenAI chat.
    ///   - clientFormat: the provider format the client speaks, when nothing needs the canonical
    ///     answer: a JSON answer from a provider of that format is kept as it came.
    func run(
        _ chat: OpenAIChatRequest, decision: RouteDecision, translated: Bool = false, clientFormat: ProviderFormat? = nil, recorder: inout CallRecorder
    ) async -> UpstreamAnswer {
        let failover = runtime.config.failover
        var plan = FailoverPlan(
            candidateCount: decision.candidates.count, maxAttempts: failover.maxAttempts,
            maxRetryWait: .milliseconds(Int64(failover.maxRetryWaitSeconds * 1000)))
        var lastError: GatewayError?
        var action = plan.start()
        while true {
            let index: Int
            switch action {
            case .stop:
                return .failed(lastError ?? GatewayError(.unavailable, "Every model for this request is unavailable right now.", code: "no_model_available"), .failed)
            case .attempt(let candidate):
                index = candidate
            case .wait(let delay, let candidate):
                try? await Task.sleep(for: delay)
                index = candidate
            }
            let model = decision.candidates[index].model
            guard let provider = runtime.config.catalog.provider(for: model) else {
                recorder.addAttempt(model, outcome: "skipped", since: .now, detail: "provider not configured")
                action = plan.skip()
                continue
            }
            guard runtime.health.acquire(model.name) else {
                recorder.addAttempt(model, outcome: "skipped", since: .now, detail: "circuit open")
                action = plan.skip()
                continue
            }
            let started = ContinuousClock.now
            let request: UpstreamRequest
            do {
                request = try ProviderExchange.request(chat, model: model, provider: provider, stream: chat.stream, translated: translated)
            } catch {
                // This provider's format cannot express the request: another candidate's may.
                runtime.health.recordAbandoned(model.name)
                recorder.addAttempt(model, outcome: "skipped", since: started, detail: error.message)
                lastError = error
                action = plan.skip()
                continue
            }
            let response: UpstreamResponse
            do {
                response = try await runtime.upstream.send(request)
            } catch {
                if error == .cancelled {
                    runtime.health.recordAbandoned(model.name)
                    recorder.addAttempt(model, outcome: "cancelled", since: started)
                    return .failed(GatewayError(.upstream, "The call was cancelled."), .cancelled)
                }
                runtime.health.recordFailure(model.name)
                recorder.addAttempt(model, outcome: "retryable", since: started, detail: error.publicDescription)
                lastError = GatewayError(
                    error == .timedOut ? .upstreamTimeout : .upstream, "The provider '\(provider.name)' failed: \(error.publicDescription).",
                    code: error == .timedOut ? "upstream_timeout" : "upstream_unavailable")
                action = plan.record(.retryable(reason: error.publicDescription, status: nil, retryAfter: nil), candidate: index)
                continue
            }

            let status = Int(response.status)
            if (200..<300).contains(status) {
                if chat.stream {
                    runtime.health.recordSuccess(model.name)
                    return .stream(ProviderExchange.stream(response, provider: provider, model: model), model: model, started: started)
                }
                // The reported model is only read for spans: a gateway without a tracer skips the parse.
                let keep = clientFormat == provider.format
                switch await Self.collectJSON(response, provider: provider, model: model, readModel: runtime.telemetry != nil, keepProviderFormat: keep) {
                case .success(let completion):
                    runtime.health.recordSuccess(model.name)
                    return .json(
                        completion.buffer, completion.usage, model: model, reported: completion.reportedModel, started: started, isClientBody: completion.isClientBody)
                case .failure(let detail):
                    runtime.health.recordFailure(model.name)
                    recorder.addAttempt(model, outcome: "retryable", status: status, since: started, detail: detail.message)
                    lastError = GatewayError(.upstream, "The provider '\(provider.name)' sent an unreadable response.", code: "upstream_invalid_response")
                    action = plan.record(.retryable(reason: detail.message, status: status, retryAfter: nil), candidate: index)
                    continue
                }
            }

            let errorBody = (try? await response.body.collect(upTo: Self.maxErrorBodyBytes)).map { Array($0.readableBytesView) } ?? []
            let retryAfter = RetryAfter.duration(
                retryAfterMs: response.headers.first(name: "retry-after-ms"), retryAfter: response.headers.first(name: "retry-after"))
            let outcome = UpstreamErrorMapping.outcome(status: status, retryAfter: retryAfter)
            switch outcome {
            case .retryable:
                if status == 429 {
                    runtime.health.recordRateLimit(model.name, retryAfter: retryAfter)
                } else {
                    runtime.health.recordFailure(model.name)
                }
                recorder.addAttempt(model, outcome: "retryable", status: status, since: started)
            case .rejected, .succeeded:
                // The provider answered; the request itself was wrong, so the model is healthy.
                runtime.health.recordSuccess(model.name)
                recorder.addAttempt(model, outcome: "rejected", status: status, since: started)
            }
            lastError = UpstreamErrorMapping.gatewayError(
                status: status, body: errorBody, provider: provider.name, retryAfter: retryAfter,
                detail: ProviderExchange.errorDetail(status: status, body: errorBody, provider: provider))
            action = plan.record(outcome, candidate: index)
        }
    }

    struct Unreadable: Error {
        let message: String
    }

    /// Reads a whole JSON answer as a canonical completion and its usage; anything but a JSON
    /// object is an unreadable answer. For OpenAI-compatible providers only the usage object is
    /// parsed, unless it cannot be found that way.
    static func collectJSON(
        _ response: UpstreamResponse, provider: ProviderSpec, model: ModelSpec, readModel: Bool = false, keepProviderFormat: Bool = false
    ) async -> Result<ProviderCompletion, Unreadable> {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxResponseBytes)
        } catch {
            return .failure(Unreadable(message: "response body broke off"))
        }
        return ProviderExchange.completion(buffer, provider: provider, model: model, readModel: readModel, keepProviderFormat: keepProviderFormat)
    }

    /// The parsed body, or `nil` when it is not JSON.
    static func parse(_ buffer: ByteBuffer) -> JSONValue? {
        buffer.withUnsafeReadableBytes { try? JSONParser.parse(buffer: $0) }
    }
}
