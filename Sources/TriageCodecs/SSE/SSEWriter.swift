import TriageCore

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
        for line in payload.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            out.append(contentsOf: "data: ".utf8)
            out.append(contentsOf: line.lazy.filter { $0 != 0x0D })
            out.append(0x0A)
        }
        out.append(0x0A)
        return out
    }

    /// `data: <JSON>\n\n` written straight from the value (with an `event:` line first when
    /// named): JSON text never holds a raw line break (the writer escapes them), so it is one
    /// `data:` line, the same bytes as `data(JSONWriter.string(value), event:)` without the
    /// detour through a `String` and a line split.
    public static func json(_ value: JSONValue, event: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if let event {
            out.append(contentsOf: "event: ".utf8)
            out.append(contentsOf: event.utf8)
            out.append(0x0A)
        }
        out.append(contentsOf: "data: ".utf8)
        JSONWriter.write(value, into: &out)
        out.append(0x0A)
        out.append(0x0A)
        return out
    }

    /// A comment line, ignored by every SSE client; used to carry trailing gateway facts.
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(text)\n\n".utf8)
    }

    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
