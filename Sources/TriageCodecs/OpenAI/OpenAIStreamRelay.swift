import TriageCore

/// Relays an OpenAI chat completion stream event by event: forwards each complete event's bytes
/// unchanged, drops the usage-only chunk the gateway asked for when the client did not, and
/// remembers the usage, a terminal `[DONE]` and any in-stream error.
public struct OpenAIStreamRelay: Sendable {
    public let clientWantsUsage: Bool
    public private(set) var usage: Usage?
    public private(set) var sawDone = false
    public private(set) var upstreamErrorMessage: String?
    public private(set) var forwardedEvents = 0
    private var parser: SSEParser

    public init(clientWantsUsage: Bool, maxEventBytes: Int = 16 << 20) {
        self.clientWantsUsage = clientWantsUsage
        self.parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// Consumes upstream bytes and returns what to send to the client now. The terminal
    /// `[DONE]` event is not included: the caller writes it once it has finished its own
    /// bookkeeping (see `sawDone`). `observe` sees every event before `[DONE]`, usage-only ones
    /// included (e.g. to rebuild the answer for validation).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, observe: ((SSEEvent) -> Void)? = nil) throws(SSEParseError) -> [UInt8] {
        switch try relay(bytes, observe: observe) {
        case .input: Array(bytes)
        case .bytes(let out): out
        }
    }

    /// What to send the client for one piece of upstream bytes.
    public typealias Forward = SSEForward

    /// Like `consume(_:observe:)`, but says `.input` when the piece can be sent on unchanged —
    /// the common case of an upstream write carrying whole content events — so the caller can
    /// forward the buffer it already has without copying.
    public mutating func relay(_ bytes: UnsafeRawBufferPointer, observe: ((SSEEvent) -> Void)? = nil) throws(SSEParseError) -> Forward {
        if observe == nil, !sawDone, parser.isAtEventBoundary, let forward = relayInPlace(bytes.assumingMemoryBound(to: UInt8.self)) {
            return forward
        }
        let startedClean = !parser.hasPartialEvent
        let events = try parser.push(bytes)
        var forwarded = [Bool](repeating: false, count: events.count)
        var dropped = false
        for (index, event) in events.enumerated() {
            guard !sawDone else {  // nothing may follow [DONE]
                dropped = true
                continue
            }
            let chunk = OpenAIStreamChunk.inspect(event.data)
            if chunk.isDone {
                sawDone = true
                dropped = true
                continue
            }
            observe?(event)
            if let message = chunk.errorMessage { upstreamErrorMessage = message }
            if let chunkUsage = chunk.usage { usage = chunkUsage }
            if chunk.isUsageOnly && !clientWantsUsage {
                dropped = true
                continue
            }
            forwarded[index] = true
            forwardedEvents += 1
        }
        if startedClean, !dropped, !events.isEmpty, !parser.hasPartialEvent { return .input }
        var out: [UInt8] = []
        for (index, event) in events.enumerated() where forwarded[index] {
            if out.isEmpty { out = event.raw } else { out.append(contentsOf: event.raw) }
        }
        return .bytes(out)
    }

    /// The fast path for the common piece: whole `data: …` events, one line each, read where
    /// they lie without building an `SSEEvent` per event. Returns `nil` (having changed nothing)
    /// for anything else — comments, other fields, multi-line data, CR line ends, an event cut
    /// at the end — which the parser then reads.
    private mutating func relayInPlace(_ bytes: UnsafeBufferPointer<UInt8>) -> Forward? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let count = bytes.count
        // First the framing, so that nothing is changed when the piece is not this simple. Line
        // ends are found with `memchr`; a piece with any CR is left to the parser.
        guard ByteSearch.firstIndex(of: 0x0d, in: bytes) == nil else { return nil }
        var position = 0
        while position < count {
            guard position + 6 <= count, base[position] == 0x64, base[position + 1] == 0x61, base[position + 2] == 0x74, base[position + 3] == 0x61,
                base[position + 4] == 0x3a, base[position + 5] == 0x20, let end = ByteSearch.firstIndex(of: 0x0a, in: bytes, from: position + 6),
                end + 1 < count, base[end + 1] == 0x0a
            else { return nil }
            position = end + 2
        }
        parser.noteEventsReadInPlace()
        var kept: [Range<Int>] = []
        var dropped = false
        position = 0
        while position < count, let end = ByteSearch.firstIndex(of: 0x0a, in: bytes, from: position + 6) {
            let event = position..<(end + 2)
            let data = UnsafeBufferPointer(rebasing: bytes[(position + 6)..<end])
            position = end + 2
            guard !sawDone else {  // nothing may follow [DONE]
                dropped = true
                continue
            }
            let chunk = OpenAIStreamChunk.inspect(bytes: data)
            if chunk.isDone {
                sawDone = true
                dropped = true
                continue
            }
            if let message = chunk.errorMessage { upstreamErrorMessage = message }
            if let chunkUsage = chunk.usage { usage = chunkUsage }
            if chunk.isUsageOnly && !clientWantsUsage {
                dropped = true
                continue
            }
            forwardedEvents += 1
            if let last = kept.last, last.upperBound == event.lowerBound {
                kept[kept.count - 1] = last.lowerBound..<event.upperBound
            } else {
                kept.append(event)
            }
        }
        guard dropped else { return .input }
        var out: [UInt8] = []
        out.reserveCapacity(kept.reduce(0) { $0 + $1.count })
        for range in kept { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range])) }
        return .bytes(out)
    }

    /// Consumes bytes from any contiguous collection (see `consume(_:)`).
    public mutating func consume(_ bytes: [UInt8]) throws(SSEParseError) -> [UInt8] {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(SSEParseError) -> [UInt8] in try consume(buffer) }
        }.get()
    }

    /// The in-stream error event OpenAI clients understand: `data: {"error": {...}}`.
    public static func errorEvent(_ error: GatewayError) -> [UInt8] {
        SSEWriter.json(error.openAIBody)
    }
}
