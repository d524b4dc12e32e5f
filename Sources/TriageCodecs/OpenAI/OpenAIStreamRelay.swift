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
    public enum Forward: Sendable, Equatable {
        /// The piece exactly as received: it held whole events only, all of them forwarded.
        case input
        /// These bytes (possibly none).
        case bytes([UInt8])
    }

    /// Like `consume(_:observe:)`, but says `.input` when the piece can be sent on unchanged —
    /// the common case of an upstream write carrying whole content events — so the caller can
    /// forward the buffer it already has without copying.
    public mutating func relay(_ bytes: UnsafeRawBufferPointer, observe: ((SSEEvent) -> Void)? = nil) throws(SSEParseError) -> Forward {
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
