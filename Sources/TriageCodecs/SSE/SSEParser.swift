import TriageCore

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
/// Accepts `\n`, `\r\n` and `\r` line endings; comment-only blocks are not events. Lines are
/// found by scanning contiguous memory and copied in runs, never byte by byte.
public struct SSEParser: Sendable {
    public let maxEventBytes: Int

    private var line: [UInt8] = []
    private var raw: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    private var eventID: String?
    private var skipNextLineFeed = false
    private var isFirstLine = true

    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Consumes `bytes` and returns the events completed by them, in order.
    public mutating func push(_ bytes: UnsafeRawBufferPointer) throws(SSEParseError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var index = 0
        let count = bytes.count
        if skipNextLineFeed, count > 0 {
            skipNextLineFeed = false
            if bytes[0] == 0x0A {
                raw.append(0x0A)
                index = 1
            }
        }
        while index < count {
            var end = index
            while end < count, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
            let segment = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
            line.append(contentsOf: segment)
            raw.append(contentsOf: segment)
            guard end < count else { break }
            let terminator = bytes[end]
            raw.append(terminator)
            index = end + 1
            if terminator == 0x0D {
                if index < count {
                    if bytes[index] == 0x0A {
                        raw.append(0x0A)
                        index += 1
                    }
                } else {
                    skipNextLineFeed = true
                }
            }
            if raw.count > maxEventBytes { throw .eventTooLarge(limit: maxEventBytes) }
            if let event = endLine() { events.append(event) }
        }
        if raw.count > maxEventBytes { throw .eventTooLarge(limit: maxEventBytes) }
        return events
    }

    /// Consumes `bytes` (any collection of bytes) and returns the completed events.
    public mutating func push<Bytes: Collection>(_ bytes: Bytes) throws(SSEParseError) -> [SSEEvent] where Bytes.Element == UInt8 {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SSEParseError) -> [SSEEvent] in try push(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBytes { buffer in
            Result { () throws(SSEParseError) -> [SSEEvent] in try push(buffer) }
        }.get()
    }

    /// Whether no byte of an unfinished line or event is buffered: the next bytes start an event.
    public var isAtEventBoundary: Bool { raw.isEmpty && line.isEmpty && !hasData && eventName == nil && !skipNextLineFeed }

    /// Notes that whole events were read without the parser (a relay's in-place fast path), so
    /// the stream is no longer at its start where a byte order mark may stand.
    public mutating func noteEventsReadInPlace() {
        isFirstLine = false
    }

    /// Reads `bytes` where they lie when they hold only whole blocks of the plain form gateways
    /// and providers write — an optional `event: name` line, at most one `data: value` line,
    /// comment lines (`: text`), then a blank line — calling `body` with each event's name and
    /// data, in order, until it returns `false`. Returns `false` having read nothing, and
    /// without calling `body`, when the parser holds part of an event or the bytes are anything
    /// else (other fields, several data lines, a lone CR line end, a block cut at the end):
    /// `push` reads those. Lines may end with LF or CRLF (Google frames `alt=sse` with CRLF).
    public mutating func readPlainEventsInPlace(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (_ name: UnsafeBufferPointer<UInt8>?, _ data: UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        guard isAtEventBoundary, !bytes.isEmpty, bytes.count <= maxEventBytes else { return false }
        // First the framing, so that nothing is read when the bytes are not this plain. Line
        // ends are found with `memchr`; only bytes with a CR need a look at each line's end.
        let hasCR = ByteSearch.firstIndex(of: 0x0d, in: bytes) != nil
        var position = 0
        var blockHasData = false
        var blockStarted = false
        while position < bytes.count {
            guard let end = ByteSearch.firstIndex(of: 0x0a, in: bytes, from: position) else { return false }
            let line = Self.line(in: bytes, from: position, to: end, trimsCR: hasCR)
            // A CR anywhere but before the LF ends a line of its own: left to `push`.
            if hasCR, ByteSearch.firstIndex(of: 0x0d, in: line) != nil { return false }
            if line.isEmpty {
                blockHasData = false
                blockStarted = false
            } else if line[0] == 0x3a {
                blockStarted = true
            } else if line.starts(with: Self.dataPrefix), !blockHasData {
                blockHasData = true
                blockStarted = true
            } else if line.starts(with: Self.eventPrefix) {
                blockStarted = true
            } else {
                return false
            }
            position = end + 1
        }
        guard !blockStarted else { return false }
        isFirstLine = false
        position = 0
        var name: UnsafeBufferPointer<UInt8>?
        var data: UnsafeBufferPointer<UInt8>?
        while position < bytes.count, let end = ByteSearch.firstIndex(of: 0x0a, in: bytes, from: position) {
            let line = Self.line(in: bytes, from: position, to: end, trimsCR: hasCR)
            position = end + 1
            if line.isEmpty {
                if let data, !body(name, data) { return true }
                name = nil
                data = nil
            } else if line.starts(with: Self.dataPrefix) {
                data = UnsafeBufferPointer(rebasing: line[Self.dataPrefix.count...])
            } else if line.starts(with: Self.eventPrefix) {
                name = UnsafeBufferPointer(rebasing: line[Self.eventPrefix.count...])
            }
        }
        return true
    }

    /// The line from `start` to the LF at `end`, without the CR before the LF when `trimsCR`.
    private static func line(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, trimsCR: Bool) -> UnsafeBufferPointer<UInt8> {
        let last = trimsCR && end > start && bytes[end - 1] == 0x0d ? end - 1 : end
        return UnsafeBufferPointer(rebasing: bytes[start..<last])
    }

    private static let dataPrefix = Array("data: ".utf8)
    private static let eventPrefix = Array("event: ".utf8)

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
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        var valueStart = min(colon + 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        switch colon {
        case 4 where line[0] == UInt8(ascii: "d") && line[1] == UInt8(ascii: "a") && line[2] == UInt8(ascii: "t") && line[3] == UInt8(ascii: "a"):
            if hasData { data.append(0x0A) }
            data.append(contentsOf: line[valueStart...])
            hasData = true
        case 5 where line.starts(with: "event".utf8):
            eventName = String(decoding: line[valueStart...], as: UTF8.self)
        case 2 where line[0] == UInt8(ascii: "i") && line[1] == UInt8(ascii: "d"):
            if !line[valueStart...].contains(0) { eventID = String(decoding: line[valueStart...], as: UTF8.self) }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            raw.removeAll(keepingCapacity: true)
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventName = nil
        }
        guard hasData else { return nil }
        return SSEEvent(event: eventName, data: String(decoding: data, as: UTF8.self), id: eventID, raw: raw)
    }
}
