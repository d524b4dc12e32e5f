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
            out += SSEWriter.comment("x-triage-cost-usd: \(ModelPrice.usdText(trace.costUSD))")
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
    ///
    /// The first piece of the stream is read before answering. A stream that is already whole
    /// by then (a short answer, a fast local model) goes out with its head in one write, as a
    /// JSON answer does; any other stream is relayed piece by piece from there.
    func live(_ stream: UpstreamStream, model: ModelSpec, started attemptStart: ContinuousClock.Instant, headers: HTTPFields, recorder: CallRecorder)
        async -> Response
    {
        var relay = LiveRelay(call: call, model: model, attemptStart: attemptStart, recorder: recorder, stream: stream)
        var first = await relay.next()
        if relay.isOver {
            first.writeBytes(relay.closingBytes())
            await record(&relay)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: first))
        }
        let handOver = LiveRelay.HandOver(relay)
        let firstPiece = first
        let body = ResponseBody { writer in
            var relay = handOver.relay
            var out = firstPiece
            while true {
                if out.readableBytes > 0 {
                    do {
                        try await writer.write(out)
                    } catch {
                        relay.clientWentAway()
                        break
                    }
                }
                if relay.isOver { break }
                out = await relay.next()
            }
            let closing = relay.closingBytes()
            if !closing.isEmpty { try? await writer.write(ByteBuffer(bytes: closing)) }
            await record(&relay)
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension StreamRelayer {
    /// Writes the trace of a relay that has ended, and remembers the model of a completed turn.
    func record(_ relay: inout LiveRelay) async {
        await runtime.finish(relay.finish(), spanParent: relay.recorder.spanParent)
        if relay.completed != nil { runtime.rememberSession(call, model: relay.model, usage: relay.usage) }
    }
}

/// The state of one live relay: the upstream pieces still to come, the relay and the client's
/// transcoder, and how the stream ended.
///
/// A client that speaks the provider's own format (Anthropic Messages to an Anthropic model)
/// gets the provider's events as they are, through `AnthropicStreamRelay`, unless validators
/// need the answer rebuilt: translating to canonical and back would only cost time and lose
/// what the canonical form does not carry (input usage in `message_start`, pings, signatures).
struct LiveRelay {
    let call: ChatCall
    let model: ModelSpec
    let attemptStart: ContinuousClock.Instant
    var recorder: CallRecorder
    var iterator: UpstreamStream.AsyncIterator
    var relay: OpenAIStreamRelay
    /// The same-format relay, when the provider's events go to the client untranslated.
    var native: AnthropicStreamRelay?
    var builder: StreamedAnswerBuilder?
    /// Clients of another format get the canonical events transcoded into theirs.
    var client: ClientStreamTranscoder?
    var failure: GatewayError?
    var clientGone = false
    /// The trace of a stream that reached `[DONE]`.
    var completed: TraceRecord?

    init(call: ChatCall, model: ModelSpec, attemptStart: ContinuousClock.Instant, recorder: CallRecorder, stream: UpstreamStream) {
        self.call = call
        self.model = model
        self.attemptStart = attemptStart
        self.recorder = recorder
        self.relay = OpenAIStreamRelay(clientWantsUsage: call.chat.clientWantsStreamUsage)
        self.builder = call.validation.validators.isEmpty ? nil : StreamedAnswerBuilder()
        self.client = call.egress.streamTranscoder()
        if builder == nil, stream.providerFormat == .anthropic, call.egress.sameFormatProvider == .anthropic {
            self.native = AnthropicStreamRelay()
            self.iterator = stream.providerEvents.makeAsyncIterator()
        } else {
            self.iterator = stream.makeAsyncIterator()
        }
    }

    /// The stream is done: complete, failed, or its client gone.
    var isOver: Bool { completed != nil || failure != nil || clientGone }

    var usage: Usage { (native != nil ? native!.usage : relay.usage) ?? .zero }

    private var upstreamErrorMessage: String? { native != nil ? native!.upstreamErrorMessage : relay.upstreamErrorMessage }

    /// The client's bytes for the next upstream piece (possibly none); once the stream ends,
    /// `isOver` is true. The last content leaves with the cost comment and `[DONE]`. A piece the
    /// relay forwards unchanged to a client of the canonical format is the upstream's own buffer.
    mutating func next() async -> ByteBuffer {
        while !isOver {
            let chunk: ByteBuffer
            do {
                guard let next = try await iterator.next() else {
                    failure = endedEarly()
                    return ByteBuffer()
                }
                chunk = next
            } catch {
                if Task.isCancelled {
                    clientGone = true
                } else {
                    failure = GatewayError(.upstream, "The provider's stream broke off before it was complete.", code: "upstream_stream_interrupted")
                }
                return ByteBuffer()
            }
            if native != nil {
                let out = nativeBytes(chunk)
                if native!.sawStop {
                    _ = complete()  // the provider's own stream needs no trailer
                } else if native!.upstreamErrorMessage != nil {
                    failure = endedEarly()
                }
                if out.readableBytes == 0 { continue }
                if recorder.firstByte == nil { recorder.firstByte = .now }
                return out
            }
            let forward: OpenAIStreamRelay.Forward
            var builder = self.builder
            do {
                forward = try chunk.withUnsafeReadableBytes { buffer in
                    Result { () throws(SSEParseError) -> OpenAIStreamRelay.Forward in
                        if builder == nil { return try relay.relay(buffer) }
                        return try relay.relay(buffer) { builder?.add(eventData: $0.data) }
                    }
                }.get()
            } catch {
                failure = GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response")
                return ByteBuffer()
            }
            self.builder = builder
            let trailer: [UInt8]
            if relay.sawDone, relay.upstreamErrorMessage == nil {
                trailer = complete()
            } else {
                if relay.sawDone { failure = endedEarly() }
                trailer = []
            }
            var out: ByteBuffer
            if client != nil {
                var canonical = forward.bytes(of: chunk)
                canonical += trailer
                out = ByteBuffer(bytes: client!.push(canonical))
            } else {
                out = forward.buffer(of: chunk)
                out.writeBytes(trailer)
            }
            if out.readableBytes > 0 {
                if recorder.firstByte == nil { recorder.firstByte = .now }
                return out
            }
        }
        return ByteBuffer()
    }

    /// The provider's events to forward for one piece, through the same-format relay.
    private mutating func nativeBytes(_ chunk: ByteBuffer) -> ByteBuffer {
        do {
            let forward = try chunk.withUnsafeReadableBytes { buffer in
                Result { () throws(SSEParseError) -> SSEForward in try native!.relay(buffer) }
            }.get()
            return forward.buffer(of: chunk)
        } catch {
            failure = GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response")
            return ByteBuffer()
        }
    }

    /// Usage is known once `[DONE]` (or the provider's `message_stop`) arrives: the stream
    /// closes in the same write as the last content. Returns what closes a canonical stream —
    /// the cost as an SSE comment and `[DONE]` — and nothing for a provider's own stream.
    private mutating func complete() -> [UInt8] {
        var checks: [ValidatorCheck] = []
        if let builder {
            checks = call.validation.check(builder.answer).map(ValidatorCheck.init)
            recorder.validation = checks.allSatisfy(\.passed) ? .passed : .failed
        }
        recorder.addAttempt(model, outcome: "ok", status: 200, since: attemptStart, usage: usage, checks: checks)
        let trace = recorder.trace(status: .ok, httpStatus: 200, usage: usage)
        completed = trace
        guard native == nil else { return [] }
        var out: [UInt8] = []
        if recorder.validation == .failed {
            out += SSEWriter.comment("x-triage-validation: failed: " + checks.filter { !$0.passed }.map(\.validator).joined(separator: ","))
        }
        out += SSEWriter.comment("x-triage-cost-usd: \(ModelPrice.usdText(trace.costUSD))")
        out += SSEWriter.done
        return out
    }

    private func endedEarly() -> GatewayError {
        if let message = upstreamErrorMessage {
            return GatewayError(.upstream, "The provider reported an error mid-stream: \(UpstreamErrorMapping.redact(message))", code: "upstream_error")
        }
        return GatewayError(.upstream, "The provider's stream ended before it was complete.", code: "upstream_stream_interrupted")
    }

    /// The client could not be written to: the answer is cancelled, not completed.
    mutating func clientWentAway() {
        clientGone = true
        completed = nil
    }

    /// What a failed stream ends with: an error event and no `[DONE]`, so the client sees that
    /// the answer is incomplete. Empty for a complete stream or a client that is gone.
    mutating func closingBytes() -> [UInt8] {
        guard completed == nil, !clientGone else { return [] }
        let failure = failure ?? GatewayError(.upstream, "The provider's stream failed.", code: "upstream_error")
        return client != nil ? client!.fail(failure) : OpenAIStreamRelay.errorEvent(failure)
    }

    /// The trace of the call, as the stream ended.
    mutating func finish() -> TraceRecord {
        if let completed { return completed }
        if clientGone {
            recorder.addAttempt(model, outcome: "cancelled", status: 200, since: attemptStart, detail: "client disconnected")
            return recorder.trace(status: .cancelled, httpStatus: 200, usage: usage, error: "client disconnected")
        }
        let failure = failure ?? GatewayError(.upstream, "The provider's stream failed.", code: "upstream_error")
        recorder.addAttempt(model, outcome: "failed_mid_stream", status: 200, since: attemptStart, detail: failure.message)
        return recorder.trace(status: .failed, httpStatus: 200, usage: usage, error: failure.message)
    }

    /// Moves the relay into the response body's closure. The body runs in the task that read the
    /// first piece, after it has answered, and only the closure touches the relay from then on.
    struct HandOver: @unchecked Sendable {
        let relay: LiveRelay
        init(_ relay: LiveRelay) { self.relay = relay }
    }
}

extension ValidatorCheck {
    init(_ result: ValidationResult) {
        self.init(validator: result.validator, passed: result.passed, detail: result.detail.isEmpty ? nil : result.detail)
    }
}

extension SSEForward {
    /// What to send for `piece`: the upstream's own buffer when it goes unchanged.
    fileprivate func buffer(of piece: ByteBuffer) -> ByteBuffer {
        switch self {
        case .input: piece
        case .bytes(let bytes): ByteBuffer(bytes: bytes)
        }
    }

    /// What to send for `piece`, as bytes to transcode.
    fileprivate func bytes(of piece: ByteBuffer) -> [UInt8] {
        switch self {
        case .input: Array(piece.readableBytesView)
        case .bytes(let bytes): bytes
        }
    }
}
