import Hummingbird
import NIOCore

/// One Anthropic call in flight.
struct FakeAnthropicExchange: Sendable {
    let wire: FakeAnthropicWire
    let stream: Bool
    let requestID: String
    let call: Int
}

/// Turning a behavior into an Anthropic response.
extension FakeAnthropicUpstream {
    func respond(_ behavior: FakeBehavior, _ exchange: FakeAnthropicExchange) async -> Response {
        switch behavior {
        case .text(let text), .textWithLogprob(let text, _):
            return respond(with: .text(text), exchange)

        case .toolCall(let name, let arguments):
            return respond(with: .toolUses([(id: toolID(exchange.call, 0), name: name, arguments: arguments)]), exchange)

        case .toolCalls(let calls):
            let identified = calls.enumerated().map { (id: toolID(exchange.call, $0.offset), name: $0.element.name, arguments: $0.element.arguments) }
            return respond(with: .toolUses(identified), exchange)

        case .error(let status, let type, _, let message, let retryAfter):
            let error = FakeAnthropicError(
                status: status, type: FakeAnthropicWire.errorType(type, status: status), message: message, retryAfterSeconds: retryAfter)
            return Self.response(for: error, requestID: exchange.requestID)

        case .slowFirstByte(let seconds, let then):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return await respond(then, exchange)

        case .cutStream(let afterChunks):
            let answer = FakeAnthropicAnswer.text(pieces: (0..<afterChunks).map { "part\($0) " })
            let wire = exchange.wire
            guard exchange.stream else {
                let full = wire.message(answer)
                let partial = full.getSlice(at: full.readerIndex, length: full.readableBytes / 2)!
                return Self.stream(requestID: exchange.requestID, contentType: Self.jsonType) { writer in
                    try await writer.write(partial)
                    try await Task.sleep(for: .milliseconds(50))
                    throw FakeStreamCut()
                }
            }
            return Self.stream(requestID: exchange.requestID) { writer in
                var events = wire.opening() + [FakeAnthropicWire.blockStart(0, answer.blocks[0])]
                events += FakeAnthropicWire.blockDeltas(0, answer.blocks[0])
                try await writer.write(contentsOf: events)
                // Let the events reach the client before the cut, as bytes in flight do.
                try await Task.sleep(for: .milliseconds(50))
                throw FakeStreamCut()
            }

        case .gatedStream(let first, let rest, let gate):
            let answer = FakeAnthropicAnswer.text(pieces: [first] + rest)
            guard exchange.stream else {
                await gate.wait()
                return respond(with: answer, exchange)
            }
            let wire = exchange.wire
            return Self.stream(requestID: exchange.requestID) { writer in
                do {
                    let deltas = FakeAnthropicWire.blockDeltas(0, answer.blocks[0])
                    try await writer.write(contentsOf: wire.opening() + [FakeAnthropicWire.blockStart(0, answer.blocks[0]), deltas[0]])
                    await gate.wait()
                    try await writer.write(contentsOf: deltas.dropFirst() + [FakeAnthropicWire.blockStop(0)] + wire.closing(answer))
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }

        case .slowStream(let chunks, let delay):
            let answer = FakeAnthropicAnswer.text(pieces: chunks)
            guard exchange.stream else {
                try? await Task.sleep(for: .milliseconds(delay * chunks.count))
                return respond(with: answer, exchange)
            }
            let wire = exchange.wire
            return Self.stream(requestID: exchange.requestID) { writer in
                do {
                    try await writer.write(contentsOf: wire.opening() + [FakeAnthropicWire.blockStart(0, answer.blocks[0])])
                    for delta in FakeAnthropicWire.blockDeltas(0, answer.blocks[0]) {
                        try await Task.sleep(for: .milliseconds(delay))
                        try await writer.write(delta)
                    }
                    try await writer.write(contentsOf: [FakeAnthropicWire.blockStop(0)] + wire.closing(answer))
                    try await writer.finish(nil)
                } catch {
                    self.countCancelledStream()
                    throw error
                }
            }
        }
    }

    /// A complete answer: the `message` object, or every event of the stream in one buffer.
    func respond(with answer: FakeAnthropicAnswer, _ exchange: FakeAnthropicExchange) -> Response {
        let wire = exchange.wire
        guard exchange.stream else {
            return Self.json(wire.message(answer), status: .ok, requestID: exchange.requestID)
        }
        var response = Self.json(wire.stream(answer), status: .ok, requestID: exchange.requestID)
        response.headers[.contentType] = Self.eventStreamType
        response.headers[.cacheControl] = "no-cache"
        // Without a content-length, NIO's encoder frames the body with chunked transfer encoding.
        response.headers[.contentLength] = nil
        return response
    }

    /// `toolu_fake…`, unique per call and position.
    func toolID(_ call: Int, _ position: Int) -> String {
        "toolu_fake\(FakeOpenAIUpstream.padded(call, width: 12))\(FakeOpenAIUpstream.padded(position, width: 2))"
    }
}
