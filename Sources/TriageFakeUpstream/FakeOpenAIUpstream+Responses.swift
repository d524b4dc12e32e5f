import HTTPTypes
import Hummingbird
import NIOCore

/// One call in flight: its wire envelope, whether the client asked for a stream, and its ids.
struct FakeExchange: Sendable {
    let wire: FakeWire
    let stream: Bool
    let requestID: String
    let call: Int
}

/// Thrown from a body writer to drop the connection mid-body: Hummingbird then closes the
/// channel without the terminating chunk, as a provider crash or a network cut does.
struct FakeStreamCut: Error {}

/// Turning a behavior into a response.
extension FakeOpenAIUpstream {
    func respond(_ behavior: FakeBehavior, _ exchange: FakeExchange) async -> Response {
        switch behavior {
        case .text(let text):
            return respond(with: .text(text), exchange)

        case .textWithLogprob(let text, let logprob):
            return respond(with: .text(text, logprob: logprob), exchange)

        case .toolCall(let name, let arguments):
            let id = "call_fake\(Self.padded(exchange.call, width: 15))"
            return respond(with: .toolCall(id: id, name: name, arguments: arguments), exchange)

        case .toolCalls(let calls):
            let prefix = "call_fake\(Self.padded(exchange.call, width: 13))"
            let identified = calls.enumerated().map { (id: prefix + Self.padded($0.offset, width: 2), name: $0.element.name, arguments: $0.element.arguments) }
            return respond(with: .toolCalls(identified), exchange)

        case .error(let status, let type, let code, let message, let retryAfter):
            let error = FakeAPIError(status: status, type: type, code: code, message: message, retryAfterSeconds: retryAfter)
            return Self.response(for: error, requestID: exchange.requestID)

        case .slowFirstByte(let seconds, let then):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return await respond(then, exchange)

        case .cutStream(let afterChunks):
            let answer = FakeAnswer.text(pieces: (0..<afterChunks).map { "part\($0) " })
            let wire = exchange.wire
            guard exchange.stream else {
                // Not streaming: half of the JSON body, then the cut.
                let full = wire.completion(answer)
                let partial = full.getSlice(at: full.readerIndex, length: full.readableBytes / 2)!
                return Self.stream(requestID: exchange.requestID, contentType: Self.jsonType) { writer in
                    try await writer.write(partial)
                    try await Task.sleep(for: .milliseconds(50))
                    throw FakeStreamCut()
                }
            }
            return Self.stream(requestID: exchange.requestID) { writer in
                for delta in answer.deltas { try await writer.write(Self.chunk(wire, delta)) }
                // Let the chunks reach the client first, as bytes in flight do before a real cut
                // (AsyncHTTPClient drops body parts it has buffered when the connection fails).
                try await Task.sleep(for: .milliseconds(50))
                throw FakeStreamCut()
            }

        case .gatedStream(let first, let rest, let gate):
            let answer = FakeAnswer.text(pieces: [first] + rest)
            guard exchange.stream else {
                await gate.wait()
                return respond(with: answer, exchange)
            }
            let wire = exchange.wire
            return Self.stream(requestID: exchange.requestID) { writer in
                do {
                    try await writer.write(contentsOf: answer.deltas.prefix(2).map { Self.chunk(wire, $0) })
                    await gate.wait()
                    var tail = answer.deltas.dropFirst(2).map { Self.chunk(wire, $0) }
                    tail += Self.closing(answer, wire)
                    try await writer.write(contentsOf: tail)
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }

        case .slowStream(let chunks, let delay):
            let answer = FakeAnswer.text(pieces: chunks)
            guard exchange.stream else {
                try? await Task.sleep(for: .milliseconds(delay * chunks.count))
                return respond(with: answer, exchange)
            }
            let wire = exchange.wire
            return Self.stream(requestID: exchange.requestID) { writer in
                do {
                    try await writer.write(Self.chunk(wire, answer.deltas[0]))
                    for delta in answer.deltas.dropFirst() {
                        try await Task.sleep(for: .milliseconds(delay))
                        try await writer.write(Self.chunk(wire, delta))
                    }
                    try await writer.write(contentsOf: Self.closing(answer, wire))
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }
        }
    }

    /// A complete answer: the `chat.completion` object, or every chunk event of the stream in
    /// one buffer sent as a single HTTP chunk (chunked transfer encoding, no content-length, as
    /// OpenAI streams; head, body and end leave in one write, which keeps the fake cheap as a
    /// load-test target). Gated and slow streams send their events one write at a time.
    func respond(with answer: FakeAnswer, _ exchange: FakeExchange) -> Response {
        let wire = exchange.wire
        guard exchange.stream else {
            return Self.json(wire.completion(answer), status: .ok, requestID: exchange.requestID)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity((answer.deltas.count + 3) * 320)
        for (index, delta) in answer.deltas.enumerated() {
            wire.writeChunk(delta: delta, logprobs: answer.deltaLogprobs?[index], into: &buffer)
        }
        wire.writeFinalChunk(finishReason: answer.finishReason, into: &buffer)
        if wire.includeUsage { wire.writeUsageChunk(completionTokens: answer.completionTokens, into: &buffer) }
        FakeWire.writeDone(into: &buffer)
        var response = Response(
            status: .ok, headers: Self.headers(contentType: Self.eventStreamType, requestID: exchange.requestID),
            body: ResponseBody(byteBuffer: buffer))
        // Without a content-length, NIO's encoder frames the body with chunked transfer encoding.
        response.headers[.contentLength] = nil
        return response
    }

    static func chunk(_ wire: FakeWire, _ delta: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        wire.writeChunk(delta: delta, into: &buffer)
        return buffer
    }

    /// The final chunk, the usage chunk when the request asked for it, and `[DONE]`.
    static func closing(_ answer: FakeAnswer, _ wire: FakeWire) -> [ByteBuffer] {
        var final = ByteBuffer()
        wire.writeFinalChunk(finishReason: answer.finishReason, into: &final)
        var events = [final]
        if wire.includeUsage {
            var usage = ByteBuffer()
            wire.writeUsageChunk(completionTokens: answer.completionTokens, into: &usage)
            events.append(usage)
        }
        var done = ByteBuffer()
        FakeWire.writeDone(into: &done)
        events.append(done)
        return events
    }
}
