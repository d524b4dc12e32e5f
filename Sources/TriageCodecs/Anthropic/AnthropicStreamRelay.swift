import TriageCore

/// Relays an Anthropic Messages stream to a client that speaks Anthropic Messages too, without
/// translating it: the provider's events go out as they came — `message_start` with its input
/// usage, `ping`, thinking blocks and their signatures, anything newer than the gateway — while
/// the usage, the closing `message_stop` and any `error` event are read on the way.
///
/// Only whole events are forwarded (a partial one waits for its end), so a stream that breaks
/// off can still be closed with a well-formed error event. The provider's own `error` event is
/// held back: the caller closes the stream with the gateway's error event instead, whose
/// message is redacted. Nothing after `message_stop` is forwarded. Comment lines (keep-alives)
/// go out with the events of a piece read in place and may be dropped from other pieces, as
/// the OpenAI relay does.
public struct AnthropicStreamRelay: Sendable {
    private var parser: SSEParser
    private var counts = AnthropicWire.Usage()
    private var sawUsage = false
    /// Whether `message_stop` arrived: the answer is complete.
    public private(set) var sawStop = false
    /// What a provider `error` event said (as the gateway words it), once one arrived.
    public private(set) var upstreamErrorMessage: String?

    public init(maxEventBytes: Int = 16 << 20) {
        parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// The usage the stream reported so far (`message_start` gives the input counts,
    /// `message_delta` the output count), or `nil` before any.
    public var usage: Usage? { sawUsage ? counts.usage : nil }

    /// What to send the client for one piece of provider bytes.
    public mutating func relay(_ bytes: UnsafeRawBufferPointer) throws(SSEParseError) -> SSEForward {
        guard !sawStop, upstreamErrorMessage == nil else { return .bytes([]) }
        let buffer = bytes.assumingMemoryBound(to: UInt8.self)
        if let base = buffer.baseAddress {
            // Whole plain events, read where they lie; `end` is where the forwarded part stops.
            var end = buffer.count
            var parser = self.parser
            let readInPlace = parser.readPlainEventsInPlace(buffer) { name, data in
                let dataEnd = data.baseAddress! - base + data.count
                switch inspect(name: name, data: data) {
                case .forward:
                    return true
                case .forwardAndStop:
                    end = Self.blockEnd(after: dataEnd, in: buffer)
                    return false
                case .stopBefore:
                    end = Self.blockStart(before: dataEnd - data.count, in: buffer, name: name)
                    return false
                }
            }
            self.parser = parser
            if readInPlace { return end == buffer.count ? .input : .bytes(Array(buffer[..<end])) }
        }
        var out: [UInt8] = []
        for event in try parser.push(bytes) {
            var data = event.data
            var name = event.event
            let verdict = data.withUTF8 { data in
                if name == nil { return inspect(name: nil, data: data) }
                return name!.withUTF8 { inspect(name: $0, data: data) }
            }
            switch verdict {
            case .forward: out += event.raw
            case .forwardAndStop: return .bytes(out + event.raw)
            case .stopBefore: return .bytes(out)
            }
        }
        return .bytes(out)
    }

    /// `relay(_:)` for an array of bytes.
    public mutating func relay(_ bytes: [UInt8]) throws(SSEParseError) -> [UInt8] {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(SSEParseError) -> [UInt8] in
                switch try relay(buffer) {
                case .input: Array(buffer)
                case .bytes(let out): out
                }
            }
        }.get()
    }

    private enum Verdict {
        case forward, forwardAndStop, stopBefore
    }

    /// Reads what the gateway needs from one event. Only the events that carry usage, the end or
    /// an error are parsed; deltas, pings and block starts and stops are passed on unread.
    private mutating func inspect(name: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>) -> Verdict {
        let type: EventType
        if let name {
            guard let known = EventType(name) else { return .forward }
            type = known
        } else {
            // A data-only event: its `type` member says what it is.
            guard case .object(let payload)? = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data)),
                let named = payload["type"]?.stringValue, let known = EventType(Array(named.utf8))
            else { return .forward }
            type = known
        }
        switch type {
        case .messageStop:
            sawStop = true
            return .forwardAndStop
        case .messageStart, .messageDelta:
            guard case .object(let payload)? = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data)) else { return .forward }
            let usage = type == .messageStart ? payload["message"]?["usage"] : payload["usage"]
            if case .object? = usage {
                counts.update(anthropic: usage)
                sawUsage = true
            }
            return .forward
        case .error:
            let payload = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data))
            upstreamErrorMessage = AnthropicWire.gatewayError(type: payload?["error"]?["type"]?.stringValue, message: payload?["error"]?["message"]?.stringValue).message
            return .stopBefore
        }
    }

    private enum EventType {
        case messageStart, messageDelta, messageStop, error

        init?(_ name: some Collection<UInt8>) {
            switch name.count {
            case 13 where name.elementsEqual(Names.messageStart): self = .messageStart
            case 13 where name.elementsEqual(Names.messageDelta): self = .messageDelta
            case 12 where name.elementsEqual(Names.messageStop): self = .messageStop
            case 5 where name.elementsEqual(Names.error): self = .error
            default: return nil
            }
        }

        private enum Names {
            static let messageStart = Array("message_start".utf8)
            static let messageDelta = Array("message_delta".utf8)
            static let messageStop = Array("message_stop".utf8)
            static let error = Array("error".utf8)
        }
    }

    /// The end of the event whose data line ends at `dataEnd`: just past its blank line.
    private static func blockEnd(after dataEnd: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var position = dataEnd
        while position + 1 < bytes.count {
            if bytes[position] == 0x0a, bytes[position + 1] == 0x0a { return position + 2 }
            position += 1
        }
        return bytes.count
    }

    /// The start of the event whose data line starts at `dataStart`: just past the blank line
    /// that ended the event before it, or the start of the piece.
    private static func blockStart(before dataStart: Int, in bytes: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>?) -> Int {
        var position = min(dataStart, name.map { $0.baseAddress! - bytes.baseAddress! } ?? dataStart)
        while position >= 2 {
            if bytes[position - 1] == 0x0a, bytes[position - 2] == 0x0a { return position }
            position -= 1
        }
        return 0
    }
}

extension AnthropicWire.Usage {
    /// The gateway's usage: input counts every input token, cache reads and writes included.
    var usage: Usage {
        Usage(
            inputTokens: input.clampedAdding(cacheWrite).clampedAdding(cacheRead), outputTokens: output, cachedInputTokens: cacheRead,
            cacheWriteInputTokens: cacheWrite)
    }
}
