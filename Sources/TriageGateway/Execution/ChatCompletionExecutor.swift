import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageProviders
import TriageRouting
import TriageStore

/// Runs one routed chat completion: tries the decision's candidates in order, fails over on
/// errors that happen before the first byte, and relays the winning answer — as JSON, or as an
/// unbuffered SSE stream — while recording the trace.
struct ChatCompletionExecutor: Sendable {
    let runtime: GatewayRuntime
    static let maxResponseBytes = 64 << 20
    static let maxErrorBodyBytes = 64 << 10

    func execute(_ chat: OpenAIChatRequest, decision: RouteDecision, recorder initial: CallRecorder) async -> Response {
        var recorder = initial
        recorder.decision = decision
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
                let error = lastError ?? GatewayError(.unavailable, "Every model for this request is unavailable right now.", code: "no_model_available")
                return await fail(error, recorder: recorder)
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
            let attemptStart = ContinuousClock.now
            let request = UpstreamRequest(
                provider: provider, path: "/chat/completions", body: ByteBuffer(bytes: chat.upstreamBody(model: model.upstreamName)),
                stream: chat.stream)
            let response: HTTPClientResponse
            do {
                response = try await runtime.upstream.send(request)
            } catch {
                if error == .cancelled {
                    runtime.health.recordAbandoned(model.name)
                    recorder.addAttempt(model, outcome: "cancelled", since: attemptStart)
                    return await fail(GatewayError(.upstream, "The call was cancelled."), recorder: recorder, status: .cancelled)
                }
                runtime.health.recordFailure(model.name)
                recorder.addAttempt(model, outcome: "retryable", since: attemptStart, detail: error.publicDescription)
                lastError = GatewayError(
                    error == .timedOut ? .upstreamTimeout : .upstream, "The provider '\(provider.name)' failed: \(error.publicDescription).",
                    code: error == .timedOut ? "upstream_timeout" : "upstream_unavailable")
                action = plan.record(.retryable(reason: error.publicDescription, status: nil, retryAfter: nil), candidate: index)
                continue
            }

            let status = Int(response.status.code)
            if (200..<300).contains(status) {
                if chat.stream {
                    runtime.health.recordSuccess(model.name)
                    recorder.servedBy = model
                    return relayStream(response, chat: chat, model: model, attemptStart: attemptStart, recorder: recorder)
                }
                switch await collectJSON(response) {
                case .success(let (buffer, usage)):
                    runtime.health.recordSuccess(model.name)
                    recorder.servedBy = model
                    recorder.addAttempt(model, outcome: "ok", status: status, since: attemptStart)
                    return await respondJSON(buffer, usage: usage, model: model, recorder: recorder)
                case .failure(let detail):
                    runtime.health.recordFailure(model.name)
                    recorder.addAttempt(model, outcome: "retryable", status: status, since: attemptStart, detail: detail)
                    lastError = GatewayError(.upstream, "The provider '\(provider.name)' sent an unreadable response.", code: "upstream_invalid_response")
                    action = plan.record(.retryable(reason: detail, status: status, retryAfter: nil), candidate: index)
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
                recorder.addAttempt(model, outcome: "retryable", status: status, since: attemptStart)
            case .rejected, .succeeded:
                // The provider answered; the request itself was wrong, so the model is healthy.
                runtime.health.recordSuccess(model.name)
                recorder.addAttempt(model, outcome: "rejected", status: status, since: attemptStart)
            }
            lastError = UpstreamErrorMapping.gatewayError(status: status, body: errorBody, provider: provider.name, retryAfter: retryAfter)
            action = plan.record(outcome, candidate: index)
        }
    }

    private enum Collected {
        case success((ByteBuffer, Usage?))
        case failure(String)
    }

    private func collectJSON(_ response: HTTPClientResponse) async -> Collected {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            return .failure("response body broke off")
        }
        guard let value = buffer.withUnsafeReadableBytes({ try? JSONParser.parse(buffer: $0) }), case .object = value else {
            return .failure("response is not a JSON object")
        }
        return .success((buffer, OpenAIUsage.usage(in: value)))
    }

    private func respondJSON(_ buffer: ByteBuffer, usage: Usage?, model: ModelSpec, recorder: CallRecorder) async -> Response {
        let usage = usage ?? .zero
        let trace = recorder.trace(status: .ok, httpStatus: 200, usage: usage)
        await runtime.traces.record(trace)
        var headers = successHeaders(model: model, recorder: recorder, contentType: "application/json")
        headers[TriageHeader.costUSD] = Self.format(cost: trace.costUSD)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    private func relayStream(
        _ response: HTTPClientResponse, chat: OpenAIChatRequest, model: ModelSpec, attemptStart: ContinuousClock.Instant, recorder initial: CallRecorder
    ) -> Response {
        let runtime = self.runtime
        let headers = successHeaders(model: model, recorder: initial, contentType: "text/event-stream")
        let body = ResponseBody { writer in
            var recorder = initial
            var relay = OpenAIStreamRelay(clientWantsUsage: chat.clientWantsStreamUsage)
            var failure: GatewayError?
            var clientGone = false
            var completed: TraceRecord?
            do {
                for try await chunk in response.body {
                    var out: [UInt8]
                    do {
                        out = try chunk.withUnsafeReadableBytes { buffer in
                            Result { () throws(SSEParseError) -> [UInt8] in try relay.consume(buffer) }
                        }.get()
                    } catch {
                        failure = GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response")
                        break
                    }
                    if relay.sawDone, relay.upstreamErrorMessage == nil {
                        // Usage is known once [DONE] arrives: close the stream in the same write
                        // as the last content, with the cost as an SSE comment.
                        recorder.addAttempt(model, outcome: "ok", status: 200, since: attemptStart)
                        let trace = recorder.trace(status: .ok, httpStatus: 200, usage: relay.usage ?? .zero)
                        out += SSEWriter.comment("x-triage-cost-usd: \(Self.format(cost: trace.costUSD))")
                        out += SSEWriter.done
                        completed = trace
                    }
                    if !out.isEmpty {
                        if recorder.firstByte == nil { recorder.firstByte = .now }
                        do {
                            try await writer.write(ByteBuffer(bytes: out))
                        } catch {
                            clientGone = true
                            completed = nil
                            break
                        }
                    }
                    if relay.sawDone { break }
                }
            } catch {
                failure = GatewayError(.upstream, "The provider's stream broke off before it was complete.", code: "upstream_stream_interrupted")
            }
            if completed == nil, failure == nil, !clientGone {
                if let message = relay.upstreamErrorMessage {
                    failure = GatewayError(.upstream, "The provider reported an error mid-stream: \(UpstreamErrorMapping.redact(message))", code: "upstream_error")
                } else {
                    failure = GatewayError(.upstream, "The provider's stream ended before it was complete.", code: "upstream_stream_interrupted")
                }
            }

            let usage = relay.usage ?? .zero
            let trace: TraceRecord
            if let completed {
                trace = completed
            } else if clientGone {
                recorder.addAttempt(model, outcome: "cancelled", status: 200, since: attemptStart, detail: "client disconnected")
                trace = recorder.trace(status: .cancelled, httpStatus: 200, usage: usage, error: "client disconnected")
            } else {
                let failure = failure ?? GatewayError(.upstream, "The provider's stream failed.", code: "upstream_error")
                recorder.addAttempt(model, outcome: "failed_mid_stream", status: 200, since: attemptStart, detail: failure.message)
                trace = recorder.trace(status: .failed, httpStatus: 200, usage: usage, error: failure.message)
                // An error event and no [DONE]: the client must see that the answer is incomplete.
                try? await writer.write(ByteBuffer(bytes: OpenAIStreamRelay.errorEvent(failure)))
            }
            await runtime.traces.record(trace)
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    private func successHeaders(model: ModelSpec, recorder: CallRecorder, contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(6)
        headers[.contentType] = contentType
        if contentType == "text/event-stream" {
            headers[.cacheControl] = "no-cache"
        }
        headers[TriageHeader.requestID] = recorder.requestID
        headers[TriageHeader.model] = model.name
        headers[TriageHeader.tier] = model.tier.rawValue
        return headers
    }

    private func fail(_ error: GatewayError, recorder: CallRecorder, status: TraceStatus = .failed) async -> Response {
        let traceStatus: TraceStatus = status == .failed && error.httpStatus < 500 && error.httpStatus != 429 ? .rejected : status
        await runtime.traces.record(recorder.trace(status: traceStatus, httpStatus: error.httpStatus, error: error.message))
        return error.response(requestID: recorder.requestID)
    }

    static func format(cost: Double) -> String {
        String(format: "%.8f", cost)
    }
}
