import NIOCore
import TriageCore

/// JSON pieces written straight into a response buffer, for the fakes' wires that write their
/// objects member by member instead of building a JSON tree per event.
extension ByteBuffer {
    /// `string` as a JSON string literal, escaped as `JSONWriter` escapes it.
    mutating func writeJSONString(_ string: String) {
        var string = string
        let clean = string.withUTF8 { utf8 in
            !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if clean {
            writeInteger(UInt8(ascii: "\""))
            writeString(string)
            writeInteger(UInt8(ascii: "\""))
        } else {
            var escaped: [UInt8] = []
            JSONWriter.writeString(string, into: &escaped)
            writeBytes(escaped)
        }
    }

    /// `value` as compact JSON.
    mutating func writeJSON(_ value: JSONValue) {
        writeBytes(JSONWriter.bytes(value))
    }
}
