import TriageCore

/// An assistant reply in wire form, encoded once and reused for every call that gives it: the
/// non-streamed `message` object and the streamed `delta` objects (the first carries the role).
struct FakeAnswer: Sendable {
    /// `{"role":"assistant","content":…,"refusal":null,"annotations":[]}` (with `tool_calls` for a call).
    let message: [UInt8]
    /// Delta objects in stream order; `deltas[0]` is the role delta.
    let deltas: [[UInt8]]
    let finishReason: String
    let completionTokens: Int
    /// The choice's `logprobs` object (`{"content": [...], "refusal": null}`), when the answer
    /// carries log-probabilities; `deltaLogprobs[i]` is the one for `deltas[i]`.
    var logprobs: [UInt8]? = nil
    var deltaLogprobs: [[UInt8]?]? = nil

    static let roleDelta: [UInt8] = Array(#"{"role":"assistant","content":"","refusal":null}"#.utf8)

    /// A text reply streamed one word per chunk.
    static func text(_ text: String) -> FakeAnswer {
        Self.text(pieces: words(of: text))
    }

    /// A text reply streamed as exactly these pieces; usage counts one token per piece.
    static func text(pieces: [String]) -> FakeAnswer {
        let text = pieces.joined()
        var message: [UInt8] = Array(#"{"role":"assistant","content":"#.utf8)
        JSONWriter.writeString(text, into: &message)
        message += Array(#","refusal":null,"annotations":[]}"#.utf8)
        var deltas = [roleDelta]
        for piece in pieces {
            var delta: [UInt8] = Array(#"{"content":"#.utf8)
            JSONWriter.writeString(piece, into: &delta)
            delta.append(UInt8(ascii: "}"))
            deltas.append(delta)
        }
        return FakeAnswer(message: message, deltas: deltas, finishReason: "stop", completionTokens: max(1, pieces.count))
    }

    /// A text reply whose every token has log-probability `logprob` (one token per word).
    static func text(_ text: String, logprob: Double) -> FakeAnswer {
        let pieces = words(of: text)
        var answer = Self.text(pieces: pieces)
        func entries(_ pieces: [String]) -> JSONValue {
            .array(pieces.map { ["token": .string($0), "logprob": JSONValue(logprob), "bytes": .array($0.utf8.map { JSONValue(Int($0)) }), "top_logprobs": []] })
        }
        answer.logprobs = JSONWriter.bytes(["content": entries(pieces), "refusal": nil])
        answer.deltaLogprobs = [nil] + pieces.map { JSONWriter.bytes(["content": entries([$0]), "refusal": nil]) }
        return answer
    }

    /// An assistant tool call. Streamed, the first delta names the function with empty arguments
    /// and the arguments follow in pieces, as OpenAI streams them.
    static func toolCall(id: String, name: String, arguments: String) -> FakeAnswer {
        toolCalls([(id: id, name: name, arguments: arguments)])
    }

    /// Parallel tool calls in one assistant message. Streamed, each call opens with a delta that
    /// carries its `index`, id, type and name, and its arguments follow in pieces.
    static func toolCalls(_ calls: [(id: String, name: String, arguments: String)]) -> FakeAnswer {
        let message: JSONValue = [
            "role": "assistant", "content": nil,
            "tool_calls": .array(calls.map { ["id": .string($0.id), "type": "function", "function": ["name": .string($0.name), "arguments": .string($0.arguments)]] }),
            "refusal": nil, "annotations": [],
        ]
        var deltas: [[UInt8]] = []
        for (index, call) in calls.enumerated() {
            let opening: JSONValue = ["index": JSONValue(index), "id": .string(call.id), "type": "function", "function": ["name": .string(call.name), "arguments": ""]]
            if index == 0 {
                deltas.append(JSONWriter.bytes(["role": "assistant", "content": nil, "tool_calls": [opening], "refusal": nil]))
            } else {
                deltas.append(JSONWriter.bytes(["tool_calls": [opening]]))
            }
            for piece in argumentPieces(of: call.arguments) {
                deltas.append(JSONWriter.bytes(["tool_calls": [["index": JSONValue(index), "function": ["arguments": .string(piece)]]]]))
            }
        }
        let characters = calls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count }
        return FakeAnswer(message: JSONWriter.bytes(message), deltas: deltas, finishReason: "tool_calls", completionTokens: max(1, characters / 4))
    }

    /// Word-sized pieces that concatenate back to the text: "Hello from" → ["Hello", " from"].
    static func words(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces.isEmpty ? [""] : pieces
    }

    /// Arguments split into short pieces (at least three when the text allows), as providers
    /// stream them: `{"city":"Paris"}` → `{"ci`, `ty":"P`, `aris"}`.
    static func argumentPieces(of arguments: String) -> [String] {
        let characters = Array(arguments)
        guard !characters.isEmpty else { return [] }
        let size = max(1, min(8, characters.count / 3))
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
