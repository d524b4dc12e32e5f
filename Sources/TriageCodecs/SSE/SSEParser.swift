/// One server-sent event: its fields and the exact bytes it arrived as, so a relay can forward
/// it unchanged.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or `nil` for the default `message` type.
    public var event: String?
    /// All `data:` lines joined with `\n`.
    public var data: String
    public var id: String?
    /// The event as received, up to and including the blank line that ended it.
    public var raw: [UInt8]

    public init(event: String? = nil, data: String, id: String? = nil, raw: [UInt8] = []) {
        self.event = event
        self.data = data
        self.id = id
        self.raw = raw
    }
}

/// Errors of the SSE reader.
public enum SSEParseError: Error, Sendable, Equatable {
    /// One event grew past the configured limit (a hostile or broken upstream).
    case eventTooLarge(limit: Int)
}

/// An incremental reader for the `text/event-stream` format (WHATWG HTML §9.2): feed it bytes as
/// they arrive, in chunks of any size, and it returns each event once its blank line is seen.
/// Accepts `\n`, `\r\n` and `\r` line endings; comment-only blocks are not events.
public struct SSEParser: Sendable {
    public let maxEventBytes: Int

    private var line: [UInt8] = []
    private var raw: [UInt8] = []
    private var dataLines: [String] = []
    private var hasData = false
    private var eventName: String?
    private var eventID: String?
    private var skipNextLineFeed = false
    private var isFirstLine = true

    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Consumes `bytes` and returns the events completed by them, in order.
    public mutating func push<Bytes: Sequence>(_ bytes: Bytes) throws(SSEParseError) -> [SSEEvent] where Bytes.Element == UInt8 {
        var events: [SSEEvent] = []
        for byte in bytes {
            if skipNextLineFeed {
                skipNextLineFeed = false
                if byte == 0x0A {
                    raw.append(byte)
                    continue
                }
            }
            raw.append(byte)
            if raw.count > maxEventBytes { throw .eventTooLarge(limit: maxEventBytes) }
            switch byte {
            case 0x0A:
                if let event = endLine() { events.append(event) }
            case 0x0D:
                skipNextLineFeed = true
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Whether bytes of an unfinished event are buffered (a stream that ends here was cut).
    public var hasPartialEvent: Bool { !raw.isEmpty && (hasData || !line.isEmpty || eventName != nil) }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if isFirstLine {
            isFirstLine = false
            // A UTF-8 byte order mark may open the stream.
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.count)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event": eventName = value
        case "id": if !value.contains("\0") { eventID = value }
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            raw.removeAll(keepingCapacity: true)
            dataLines.removeAll(keepingCapacity: true)
            hasData = false
            eventName = nil
        }
        guard hasData else { return nil }
        let data = dataLines.count == 1 ? dataLines[0] : dataLines.joined(separator: "\n")
        return SSEEvent(event: eventName, data: data, id: eventID, raw: raw)
    }
}

/// Writes server-sent events in the framing OpenAI-compatible clients expect.
public enum SSEWriter {
    /// `data: <payload>\n\n` (multi-line payloads become several `data:` lines).
    public static func data(_ payload: String, event: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.utf8.count + 16)
        if let event {
            out.append(contentsOf: "event: ".utf8)
            out.append(contentsOf: event.utf8)
            out.append(0x0A)
        }
        var lineStart = true
        for byte in payload.utf8 {
            if lineStart {
                out.append(contentsOf: "data: ".utf8)
                lineStart = false
            }
            if byte == 0x0A {
                out.append(0x0A)
                lineStart = true
            } else if byte != 0x0D {
                out.append(byte)
            }
        }
        if lineStart { out.append(contentsOf: "data: ".utf8) }
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }

    /// A comment line, ignored by every SSE client; used to carry trailing gateway facts.
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(text)\n\n".utf8)
    }

    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
