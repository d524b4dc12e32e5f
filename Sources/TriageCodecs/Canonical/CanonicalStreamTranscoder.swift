import TriageCore

/// Turns a provider's event stream into the canonical one: provider SSE bytes in, canonical
/// `chat.completion.chunk` events (`data: {…}`) and a closing `data: [DONE]` out, so the relay,
/// usage accounting and validation downstream only ever read one format.
///
/// A provider error event becomes the canonical in-stream error (`data: {"error": {…}}`) and
/// ends the stream; a stream that stops before the provider said it was complete simply ends
/// without `[DONE]`, which the relay reports as broken off.
public struct CanonicalStreamTranscoder: Sendable {
    private var parser: SSEParser
    private var decoder: any ProviderStreamDecoder
    /// Whether the canonical stream is closed (`[DONE]` or an error was written).
    public private(set) var isFinished = false

    public init(decoder: any ProviderStreamDecoder, maxEventBytes: Int = 16 << 20) {
        self.decoder = decoder
        self.parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// The canonical bytes for one piece of provider bytes (possibly none). Plain whole events
    /// (nearly every piece) are read in place, without an `SSEEvent` for those the decoder
    /// handles without parsing.
    public mutating func push(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard !isFinished else { return [] }
        var out: [UInt8] = []
        var parser = self.parser
        let readInPlace = parser.readPlainEventsInPlace(bytes.assumingMemoryBound(to: UInt8.self)) { name, data in
            if decoder.writeWithoutParsing(name: name, data: data, into: &out) { return !closeIfComplete(&out) }
            let event = SSEEvent(event: name.map { String(decoding: $0, as: UTF8.self) }, data: String(decoding: data, as: UTF8.self))
            return decode(event, into: &out)
        }
        self.parser = parser
        if readInPlace { return out }
        let events: [SSEEvent]
        do {
            events = try self.parser.push(bytes)
        } catch {
            isFinished = true
            return OpenAIStreamRelay.errorEvent(GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response"))
        }
        for event in events {
            var data = event.data
            var name = event.event
            let handled = data.withUTF8 { data in
                name == nil
                    ? decoder.writeWithoutParsing(name: nil, data: data, into: &out)
                    : name!.withUTF8 { decoder.writeWithoutParsing(name: $0, data: data, into: &out) }
            }
            if handled ? closeIfComplete(&out) : !decode(event, into: &out) { break }
        }
        return out
    }

    /// Writes the canonical events for one provider event; `false` once the stream is closed
    /// (an error, or the provider said it is complete).
    private mutating func decode(_ event: SSEEvent, into out: inout [UInt8]) -> Bool {
        do {
            for chunk in try decoder.decode(event) {
                out += SSEWriter.json(.object(chunk))
            }
        } catch {
            isFinished = true
            out += OpenAIStreamRelay.errorEvent(error)
            return false
        }
        return !closeIfComplete(&out)
    }

    /// Closes the canonical stream with `[DONE]` once the provider said it is complete.
    private mutating func closeIfComplete(_ out: inout [UInt8]) -> Bool {
        guard decoder.isComplete else { return false }
        isFinished = true
        out += SSEWriter.done
        return true
    }

    /// `push(_:)` for an array of bytes.
    public mutating func push(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { push($0) }
    }
}

/// Turns canonical stream bytes (as the relay writes them: chunk events, gateway comments,
/// `[DONE]`) into the client's own stream format through a `ClientStreamEncoder`.
public struct ClientStreamTranscoder: Sendable {
    private var parser = SSEParser()
    private var encoder: any ClientStreamEncoder
    private var closed = false

    public init(encoder: any ClientStreamEncoder) {
        self.encoder = encoder
    }

    /// The client's bytes for canonical bytes (possibly none). Comments are dropped; `[DONE]`
    /// closes the client's stream; a canonical error event becomes the client's error event.
    /// Plain whole events (nearly every piece) are read in place, without an `SSEEvent` each.
    public mutating func push(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard !closed else { return [] }
        var out: [UInt8] = []
        var parser = self.parser
        let readInPlace = parser.readPlainEventsInPlace(bytes.assumingMemoryBound(to: UInt8.self)) { _, data in
            encode(data, into: &out)
        }
        self.parser = parser
        if readInPlace { return out }
        let events: [SSEEvent]
        do {
            events = try self.parser.push(bytes)
        } catch {
            closed = true
            return encoder.fail(GatewayError(.upstream, "The provider sent an oversized stream event.", code: "upstream_invalid_response"))
        }
        for event in events {
            var data = event.data
            guard data.withUTF8({ encode($0, into: &out) }) else { break }
        }
        return out
    }

    /// Writes the client's bytes for one canonical event's data; `false` once the stream closed.
    private mutating func encode(_ data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        if ByteSearch.equal(data, Self.doneMarker) {
            closed = true
            out += encoder.finish()
            return false
        }
        if let text = CanonicalTextChunk.text(inChunk: data), encoder.encodeText(text, into: &out) { return true }
        guard case .object(let chunk)? = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(data)) else { return true }
        if let error = chunk["error"] {
            closed = true
            out += encoder.fail(Self.gatewayError(from: error))
            return false
        }
        out += encoder.encode(chunk)
        return true
    }

    private static let doneMarker = Array("[DONE]".utf8)

    /// `push(_:)` for an array of bytes.
    public mutating func push(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { push($0) }
    }

    /// The client's error event for a stream that broke off.
    public mutating func fail(_ error: GatewayError) -> [UInt8] {
        guard !closed else { return [] }
        closed = true
        return encoder.fail(error)
    }

    /// The gateway error a canonical `{"error": {…}}` event stands for.
    static func gatewayError(from error: JSONValue) -> GatewayError {
        let type = error["type"]?.stringValue.flatMap(GatewayError.Kind.init(rawValue:)) ?? .upstream
        return GatewayError(type, error["message"]?.stringValue ?? "The provider's stream failed.", code: error["code"]?.stringValue)
    }
}
