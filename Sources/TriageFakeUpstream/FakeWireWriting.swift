import NIOCore
import TriageCore

/// JSON strings written straight into a response buffer, for the fakes' wires that write their
/// objects member by member instead of building a JSON tree per event.
extension ByteBuffer {
    /// `string` as a JSON string literal, escaped by `JSONWriter`.
    mutating func writeJSONString(_ string: String) {
        var literal: [UInt8] = []
        JSONWriter.writeString(string, into: &literal)
        writeBytes(literal)
    }
}
