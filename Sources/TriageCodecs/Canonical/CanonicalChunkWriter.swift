import TriageCore

/// Writes the canonical chunk events nearly every streamed answer is made of — the role chunk,
/// plain text deltas, the chunk with the finish reason and the usage-only chunk — from a head
/// rendered once per stream, so a translating decoder builds no JSON tree for them. The bytes
/// are those `SSEWriter.json` writes for the same chunk objects (members in the order `id`,
/// `object`, `created`, `model`, `choices`, then `usage`).
public struct CanonicalChunkWriter: Sendable {
    /// `data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":`
    private let head: [UInt8]

    public init(id: String, created: Int, model: String) {
        var head = Array(#"data: {"id":"#.utf8)
        head.reserveCapacity(head.count + id.utf8.count + model.utf8.count + 80)
        JSONWriter.writeString(id, into: &head)
        head += #","object":"chat.completion.chunk","created":"#.utf8
        JSONWriter.write(JSONValue(created), into: &head)
        head += #","model":"#.utf8
        JSONWriter.writeString(model, into: &head)
        head += #","choices":"#.utf8
        self.head = head
    }

    /// The first chunk: `"delta":{"role":"assistant","content":""}`.
    public func writeRole(into out: inout [UInt8]) {
        out += head
        out += Self.roleChoice
    }

    /// A chunk whose delta is `text` as `content`.
    public func writeText(_ text: String, into out: inout [UInt8]) {
        write(Self.textChoiceHead, text, Self.textChoiceTail, into: &out)
    }

    /// `writeText(_:into:)` for text that is already the inside of a JSON string as it would be
    /// written (ASCII, nothing to escape), copied as it is.
    public func writeText(jsonStringContent text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out += head
        out += Self.textChoiceHead
        out.append(0x22)
        out.append(contentsOf: text)
        out.append(0x22)
        out += Self.textChoiceTail
    }

    /// The chunk that ends the choice: an empty delta and `finish_reason`.
    public func writeFinish(_ reason: String, into out: inout [UInt8]) {
        write(Self.finishChoiceHead, reason, Self.finishChoiceTail, into: &out)
    }

    /// A chunk whose choice is `choiceHead`, `string` as a JSON string, then `choiceTail`.
    private func write(_ choiceHead: [UInt8], _ string: String, _ choiceTail: [UInt8], into out: inout [UInt8]) {
        out += head
        out += choiceHead
        JSONWriter.writeString(string, into: &out)
        out += choiceTail
    }

    /// The usage-only chunk: `"choices":[]` and `usage`.
    public func writeUsage(_ usage: JSONValue, into out: inout [UInt8]) {
        out += head
        out += Self.usageHead
        JSONWriter.write(usage, into: &out)
        out += Self.eventEnd
    }

    private static let roleChoice = Array(#"[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#.utf8) + [0x0a, 0x0a]
    private static let textChoiceHead = Array(#"[{"index":0,"delta":{"content":"#.utf8)
    private static let textChoiceTail = Array(#"},"logprobs":null,"finish_reason":null}]}"#.utf8) + [0x0a, 0x0a]
    private static let finishChoiceHead = Array(#"[{"index":0,"delta":{},"logprobs":null,"finish_reason":"#.utf8)
    private static let finishChoiceTail = Array("}]}".utf8) + [0x0a, 0x0a]
    private static let usageHead = Array(#"[],"usage":"#.utf8)
    private static let eventEnd = Array("}".utf8) + [0x0a, 0x0a]
}
