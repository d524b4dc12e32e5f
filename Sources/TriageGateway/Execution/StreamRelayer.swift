import TriageProviders
import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageRouting
import TriageStore
import TriageValidation

/// A streamed answer read to its end without sending anything to the client, so it can be
/// validated first and then replayed at full speed — or discarded.
struct HeldStream: Sendable {
    /// What the client will receive (usage chunk already dropped if it did not ask for it),
    /// without the closing `[DONE]`.
    var bytes: [UInt8] = []
    var answer = CandidateAnswer(text: "")
    var usage: Usage?
    /// Why the stream is unusable (broke off, upstream error event), when it is.
    var failure: String?
}

/// Relays OpenAI chat completion streams to the client: live and unbuffered, or held until
/// validated and then replayed.
struct StreamRelayer: Sendable {
    let runtime: GatewayRuntime
    let call: ChatCall

    /// Reads a whole upstream stream into memory (bounded).
    func hold(_ stream: UpstreamStream) async -> HeldStream {
        var held = HeldStream()
        var relay = OpenAIStreamRelay(clientWantsUsage: call.chat.clientWantsStreamUsage)
        var builder = StreamedAnswerBuilder()
        do {
            for try await chunk in stream {
                let out = try chunk.withUnsafeReadableBytes { buffer in
                    Result { () throws(SSEParseError) -> [UInt8] in try relay.consume(buffer) { builder.add(eventData: $0.data) } }
                }.get()
                held.bytes += out
                if held.bytes.count > UpstreamAttempts.maxResponseBytes {
                    held.failure = "the stream is larger than the gateway holds"
                    break
                }
                if relay.sawDone { break }
            }
        } catch is SSEParseError {
            held.failure = "the provider sent an oversized stream event"
        } catch {
            held.failure = "the provider's stream broke off"
        }
        if held.failure == nil {
            if let message = relay.upstreamErrorMessage {
                held.failure = "the provider reported an error mid-stream: \(UpstreamErrorMapping.redact(message))"
            } else if !relay.sawDone {
                held.failure = "the provider's stream ended before it was complete"
            }
        }
        held.answer = builder.answer
        held.usage = relay.usage
        return held
    }

    /// Sends a held (validated, or the last one left) answer in one write, closed with the cost
    /// comment and `[DONE]`.
    func replay(_ held: HeldStream, model: ModelSpec, headers: HTTPFields, recorder initial: CallRecorder, usage: Usage) -> Response {
        let runtime = self.runtime
        let call = self.call
        let body = ResponseBody { writer in
            var recorder = initial
            recorder.firstByte = .now
            let trace = recorder.trace(status: .ok, httpStatus: 200, usage: usage)
            var out = held.bytes
            out += SSEWriter.comment("x-triage-cost-usd: \(ChatCompletionExecutor.format(cost: trace.costUSD))")
            out += SSEWriter.done
            if var client = call.egress.streamTranscoder() { out = client.push(out) }
            do {
                try await writer.write(ByteBuffer(bytes: out))
                await runtime.finish(trace, spanParent: recorder.spanParent)
            } catch {
                await runtime.finish(recorder.trace(status: .cancelled, httpStatus: 200, usage: usage, error: "client disconnected"), spanParent: recorder.spanParent)
            }
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Relays a stream as it arrives. Validators that apply are still run on the rebuilt answer
    /// at the end, for the trace (nothing can be taken back once bytes are out).
    func live(_ stream: UpstreamStream, model: ModelSpec, started attemptStart: ContinuousClock.Instant, headers: HTTPFields, recorder initial: CallRecorder)
        -> Response
    {
        let runtime = self.runtime
        let call = self.call
        let body = ResponseBody { writer in
            var recorder = initial
            var relay = OpenAIStreamRelay(clientWantsUsage: call.chat.clientWantsStreamUsage)
            var builder: StreamedAnswerBuilder? = call.validation.validators.isEmpty ? nil : StreamedAnswerBuilder()
            // Clients of another format get the canonical events transcoded into theirs.
            var client = call.egress.streamTranscoder()
            var failure: GatewayError?
            var clientGone = false
            var completed: TraceRecord?
            do {
                for try await chunk in stream {
                    let forward: OpenAIStreamRelay.Forward
                    do {
                        forward = try chunk.withUnsafeReadableBytes { buffer in
                            Result { () throws(SSEParseError) -> OpenAIStreamRelay.Forward in
                                if builder == nil { return try relay.relay(buffer) }
                                return try relay.relay(buffer) { builder?.add(eventData: $0.data) }
                            }
                        }.get()
                    } catch {
                        failure = GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response")
                        break
                    }
                    if case .input = forward, client == nil {
                        // Whole content events, all forwarded: send the upstream's buffer as is.
                        if recorder.firstByte == nil { recorder.firstByte = .now }
                        do {
                            try await writer.write(chunk)
                        } catch {
                            clientGone = true
                            break
                        }
                        continue
                    }
                    var out: [UInt8]
                    switch forward {
                    case .input: out = Array(chunk.readableBytesView)
                    case .bytes(let bytes): out = bytes
                    }
                    if relay.sawDone, relay.upstreamErrorMessage == nil {
                        // Usage is known once [DONE] arrives: close the stream in the same write
                        // as the last content, with the cost as an SSE comment.
                        var checks: [ValidatorCheck] = []
                        if let builder {
                            checks = call.validation.check(builder.answer).map(ValidatorCheck.init)
                            recorder.validation = checks.allSatisfy(\.passed) ? .passed : .failed
                        }
                        recorder.addAttempt(model, outcome: "ok", status: 200, since: attemptStart, usage: relay.usage ?? .zero, checks: checks)
                        let trace = recorder.trace(status: .ok, httpStatus: 200, usage: relay.usage ?? .zero)
                        if recorder.validation == .failed {
                            out += SSEWriter.comment("x-triage-validation: failed: " + checks.filter { !$0.passed }.map(\.validator).joined(separator: ","))
                        }
                        out += SSEWriter.comment("x-triage-cost-usd: \(ChatCompletionExecutor.format(cost: trace.costUSD))")
                        out += SSEWriter.done
                        completed = trace
                    }
                    if client != nil { out = client!.push(out) }
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
                runtime.rememberSession(call, model: model, usage: usage)
            } else if clientGone {
                recorder.addAttempt(model, outcome: "cancelled", status: 200, since: attemptStart, detail: "client disconnected")
                trace = recorder.trace(status: .cancelled, httpStatus: 200, usage: usage, error: "client disconnected")
            } else {
                let failure = failure ?? GatewayError(.upstream, "The provider's stream failed.", code: "upstream_error")
                recorder.addAttempt(model, outcome: "failed_mid_stream", status: 200, since: attemptStart, detail: failure.message)
                trace = recorder.trace(status: .failed, httpStatus: 200, usage: usage, error: failure.message)
                // An error event and no [DONE]: the client must see that the answer is incomplete.
                let event = client != nil ? client!.fail(failure) : OpenAIStreamRelay.errorEvent(failure)
                try? await writer.write(ByteBuffer(bytes: event))
            }
            await runtime.finish(trace, spanParent: recorder.spanParent)
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension ValidatorCheck {
    init(_ result: ValidationResult) {
        self.init(validator: result.validator, passed: result.passed, detail: result.detail.isEmpty ? nil : result.detail)
    }
}
