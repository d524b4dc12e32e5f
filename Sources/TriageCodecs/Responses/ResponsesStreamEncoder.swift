import TriageCore

/// Canonical `chat.completion.chunk`s → Responses API server-sent events, each with an `event:`
/// line and a `sequence_number`: `response.created` and `response.in_progress` first; a message
/// item (`output_item.added`, `content_part.added`, `output_text.delta`…, `output_text.done`,
/// `content_part.done`, `output_item.done`) for text; a `function_call` item per tool call
/// (`output_item.added` with empty arguments, `function_call_arguments.delta`…, `.done`,
/// `output_item.done`), each item closed before the next opens; and `response.completed` (or
/// `response.incomplete` when the answer hit its token limit) with the whole response and usage.
///
/// A stream that breaks off ends with `response.failed` — the response with `status: "failed"`
/// and `error: {code, message}` — rather than the bare `error` event: it is the terminal
/// lifecycle event the SDKs' stream helpers finish on, and it carries the output so far.
/// Refusal and thinking deltas are not streamed as events.
public struct ResponsesStreamEncoder: ClientStreamEncoder {
    private enum OpenItem {
        case message
        case call(index: Int, callID: String, name: String)
    }

    private var sequence = 0
    private var started = false
    private var ids = ResponsesIDs(completionID: nil)
    private var createdAt = 0
    private var model = ""
    private var output: [JSONValue] = []
    private var open: OpenItem?
    /// The open item's text or arguments so far, appended to in place (rebuilding the string per
    /// delta would make a long answer cost quadratic time).
    private var openText = ""
    private var finishReason: String?
    private var usage: JSONValue?
    private var finished = false

    /// An encoder for one streamed answer.
    public init() {}

    public mutating func encode(_ chunk: JSONObject) -> [UInt8] {
        guard !finished else { return [] }
        var out = start(chunk)
        if let chunkUsage = chunk["usage"], !chunkUsage.isNull { usage = chunkUsage }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return out }
        let delta = choice["delta"]
        if let text = delta?["content"]?.stringValue, !text.isEmpty {
            if case .message = open {} else {
                out += close()
                out += openMessage()
            }
            openText += text
            out += event("response.output_text.delta", [
                ("item_id", .string(ids.message)), ("output_index", JSONValue(output.count)), ("content_index", 0),
                ("delta", .string(text)), ("logprobs", []),
            ])
        }
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            let index = call["index"]?.intValue ?? 0
            let piece = call["function"]?["arguments"]?.stringValue ?? ""
            if case .call(let openIndex, _, _) = open, openIndex == index {
                openText += piece
            } else {
                out += close()
                let callID = call["id"]?.stringValue ?? ids.functionCall(index)
                let name = call["function"]?["name"]?.stringValue ?? ""
                open = .call(index: index, callID: callID, name: name)
                openText = piece
                let item = ResponsesObject.functionCallItem(id: ids.functionCall(index), callID: callID, name: name, arguments: "", status: "in_progress")
                out += event("response.output_item.added", [("output_index", JSONValue(output.count)), ("item", item)])
            }
            if !piece.isEmpty {
                out += event("response.function_call_arguments.delta", [
                    ("item_id", .string(ids.functionCall(index))), ("output_index", JSONValue(output.count)), ("delta", .string(piece)),
                ])
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            finishReason = reason
            out += close()
        }
        return out
    }

    /// A piece of text while the message item is open is one `response.output_text.delta`
    /// event, written straight into `out` (the bytes `event(_:_:)` would give).
    public mutating func encodeText(_ text: String, into out: inout [UInt8]) -> Bool {
        guard started, !finished, case .message = open, !text.isEmpty else { return false }
        openText += text
        out += Self.textDeltaHead
        JSONWriter.writeString(ids.message, into: &out)
        out += Self.textDeltaOutputIndex
        out += String(output.count).utf8
        out += Self.textDeltaMiddle
        JSONWriter.writeString(text, into: &out)
        out += Self.textDeltaSequence
        out += String(sequence).utf8
        out += Self.textDeltaEnd
        sequence += 1
        return true
    }

    private static let textDeltaHead = Array(#"event: response.output_text.delta\#ndata: {"type":"response.output_text.delta","item_id":"#.utf8)
    private static let textDeltaOutputIndex = Array(#","output_index":"#.utf8)
    private static let textDeltaMiddle = Array(#","content_index":0,"delta":"#.utf8)
    private static let textDeltaSequence = Array(#","logprobs":[],"sequence_number":"#.utf8)
    private static let textDeltaEnd = Array("}\n\n".utf8)

    public mutating func finish() -> [UInt8] {
        guard !finished else { return [] }
        var out = start(JSONObject())
        out += close()
        finished = true
        let reason = ResponsesObject.incompleteReason(finishReason)
        let response = ResponsesObject.response(
            id: ids.response, createdAt: createdAt, model: model, status: reason == nil ? "completed" : "incomplete",
            incompleteReason: reason, output: output, usage: usage)
        out += event(reason == nil ? "response.completed" : "response.incomplete", [("response", .object(response))])
        return out
    }

    public mutating func fail(_ error: GatewayError) -> [UInt8] {
        guard !finished else { return [] }
        var out = start(JSONObject())
        finished = true
        let code: String =
            switch error.kind {
            case .rateLimited: "rate_limit_exceeded"
            case .invalidRequest: "invalid_prompt"
            default: "server_error"
            }
        let response = ResponsesObject.response(
            id: ids.response, createdAt: createdAt, model: model, status: "failed",
            error: ["code": .string(code), "message": .string(error.message)], output: output, usage: usage)
        out += event("response.failed", [("response", .object(response))])
        return out
    }

    /// `response.created` and `response.in_progress`, once, from the first chunk's id, model and time.
    private mutating func start(_ chunk: JSONObject) -> [UInt8] {
        guard !started else { return [] }
        started = true
        ids = ResponsesIDs(completionID: chunk["id"]?.stringValue)
        createdAt = chunk["created"]?.intValue ?? 0
        model = chunk["model"]?.stringValue ?? ""
        let response = ResponsesObject.response(id: ids.response, createdAt: createdAt, model: model, status: "in_progress", output: [], usage: nil)
        return event("response.created", [("response", .object(response))]) + event("response.in_progress", [("response", .object(response))])
    }

    private mutating func openMessage() -> [UInt8] {
        open = .message
        openText = ""
        let item = ResponsesObject.messageItem(id: ids.message, status: "in_progress", parts: [])
        let part = ResponsesObject.outputText("")
        return event("response.output_item.added", [("output_index", JSONValue(output.count)), ("item", item)])
            + event("response.content_part.added", [
                ("item_id", .string(ids.message)), ("output_index", JSONValue(output.count)), ("content_index", 0), ("part", part),
            ])
    }

    /// The closing events of the open item, which then joins `output`.
    private mutating func close() -> [UInt8] {
        guard let item = open else { return [] }
        open = nil
        let index = JSONValue(output.count)
        let status = ResponsesObject.incompleteReason(finishReason) == nil ? "completed" : "incomplete"
        switch item {
        case .message:
            let text = openText
            let part = ResponsesObject.outputText(text)
            let done = ResponsesObject.messageItem(id: ids.message, status: status, parts: [part])
            output.append(done)
            return event("response.output_text.done", [
                ("item_id", .string(ids.message)), ("output_index", index), ("content_index", 0), ("text", .string(text)), ("logprobs", []),
            ])
                + event("response.content_part.done", [("item_id", .string(ids.message)), ("output_index", index), ("content_index", 0), ("part", part)])
                + event("response.output_item.done", [("output_index", index), ("item", done)])
        case .call(let callIndex, let callID, let name):
            let arguments = openText
            let id = ids.functionCall(callIndex)
            let done = ResponsesObject.functionCallItem(id: id, callID: callID, name: name, arguments: arguments, status: "completed")
            output.append(done)
            return event("response.function_call_arguments.done", [
                ("item_id", .string(id)), ("output_index", index), ("name", .string(name)), ("arguments", .string(arguments)),
            ])
                + event("response.output_item.done", [("output_index", index), ("item", done)])
        }
    }

    /// `event: <type>` and `data: {"type": <type>, …members, "sequence_number": n}`.
    private mutating func event(_ type: String, _ members: [(key: String, value: JSONValue)]) -> [UInt8] {
        var object = JSONObject([("type", .string(type))])
        for member in members { object[member.key] = member.value }
        object["sequence_number"] = JSONValue(sequence)
        sequence += 1
        return SSEWriter.json(.object(object), event: type)
    }
}
