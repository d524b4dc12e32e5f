import Foundation
import TriageCore

/// An ingress wire format as a client speaks it: how the matrix's requests are written in it and
/// how its answers — JSON, SSE and errors — are read back into one comparable shape.
enum ClientFormat: String, CaseIterable, CustomStringConvertible, Sendable {
    case chat
    case messages
    case responses

    var description: String { rawValue }

    var path: String {
        switch self {
        case .chat: "/v1/chat/completions"
        case .messages: "/v1/messages"
        case .responses: "/v1/responses"
        }
    }

    /// What a client got, whatever its format.
    struct Answer: Equatable {
        var text = ""
        var toolCalls: [Call] = []
        var inputTokens = 0
        var outputTokens = 0
        var cachedTokens = 0
        var finish: String?
        /// The error type, for error bodies and error events.
        var error: String?
        /// The stream ended the way the format ends a complete answer.
        var completed = false

        struct Call: Equatable {
            var id: String
            var name: String
            var arguments: JSONValue?
        }
    }

    static let weatherSchema: JSONValue = ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]

    // MARK: Requests

    /// A request body: `turns` are user text, or a tool round trip (the assistant's call
    /// `call_1` to get_weather for Paris and its result).
    func body(model: String, prompt: String = "Say hello.", stream: Bool = false, tools: Bool = false, toolResult: String? = nil, jsonSchema: Bool = false) -> String {
        var object = JSONObject()
        object["model"] = .string(model)
        let arguments = #"{"city":"Paris"}"#
        switch self {
        case .chat:
            var messages: [JSONValue] = [["role": "user", "content": .string(prompt)]]
            if let toolResult {
                messages.append(["role": "assistant", "content": nil, "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": .string(arguments)]]]])
                messages.append(["role": "tool", "tool_call_id": "call_1", "content": .string(toolResult)])
            }
            object["messages"] = .array(messages)
            if tools || toolResult != nil {
                object["tools"] = [["type": "function", "function": ["name": "get_weather", "description": "Weather of a city", "parameters": Self.weatherSchema]]]
            }
            if jsonSchema { object["response_format"] = ["type": "json_schema", "json_schema": ["name": "city", "schema": Self.weatherSchema, "strict": true]] }
            if stream {
                object["stream"] = true
                object["stream_options"] = ["include_usage": true]
            }
        case .messages:
            object["max_tokens"] = 256
            var messages: [JSONValue] = [["role": "user", "content": .string(prompt)]]
            if let toolResult {
                messages.append(["role": "assistant", "content": [["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]]]])
                messages.append(["role": "user", "content": [["type": "tool_result", "tool_use_id": "call_1", "content": .string(toolResult)]]])
            }
            object["messages"] = .array(messages)
            if tools || toolResult != nil {
                object["tools"] = [["name": "get_weather", "description": "Weather of a city", "input_schema": Self.weatherSchema]]
            }
            if stream { object["stream"] = true }
        case .responses:
            if let toolResult {
                object["input"] = [
                    ["role": "user", "content": .string(prompt)],
                    ["type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": .string(arguments)],
                    ["type": "function_call_output", "call_id": "call_1", "output": .string(toolResult)],
                ]
            } else {
                object["input"] = .string(prompt)
            }
            if tools || toolResult != nil {
                object["tools"] = [["type": "function", "name": "get_weather", "description": "Weather of a city", "parameters": Self.weatherSchema]]
            }
            if jsonSchema { object["text"] = ["format": ["type": "json_schema", "name": "city", "schema": Self.weatherSchema, "strict": true]] }
            if stream { object["stream"] = true }
        }
        return JSONWriter.string(.object(object))
    }

    /// Whether the format can ask for JSON-schema output at all.
    var hasStructuredOutput: Bool { self != .messages }

    // MARK: Answers

    func read(json body: String) -> Answer {
        guard let value = try? JSONParser.parse(body) else { return Answer(error: "unparseable") }
        var answer = Answer()
        switch self {
        case .chat:
            if let error = value["error"] { return Answer(error: error["type"]?.stringValue ?? "error") }
            let message = value["choices"]?.arrayValue?.first?["message"]
            answer.text = message?["content"]?.stringValue ?? ""
            answer.toolCalls = (message?["tool_calls"]?.arrayValue ?? []).map {
                Answer.Call(id: $0["id"]?.stringValue ?? "", name: $0["function"]?["name"]?.stringValue ?? "", arguments: $0["function"]?["arguments"]?.stringValue.flatMap { try? JSONParser.parse($0) })
            }
            answer.finish = value["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue
            answer.inputTokens = value["usage"]?["prompt_tokens"]?.intValue ?? 0
            answer.outputTokens = value["usage"]?["completion_tokens"]?.intValue ?? 0
            answer.cachedTokens = value["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
        case .messages:
            if value["type"]?.stringValue == "error" { return Answer(error: value["error"]?["type"]?.stringValue ?? "error") }
            for block in value["content"]?.arrayValue ?? [] {
                switch block["type"]?.stringValue {
                case "text": answer.text += block["text"]?.stringValue ?? ""
                case "tool_use": answer.toolCalls.append(Answer.Call(id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "", arguments: block["input"]))
                default: break
                }
            }
            answer.finish = value["stop_reason"]?.stringValue
            let usage = value["usage"]
            answer.cachedTokens = usage?["cache_read_input_tokens"]?.intValue ?? 0
            answer.inputTokens = (usage?["input_tokens"]?.intValue ?? 0) + answer.cachedTokens + (usage?["cache_creation_input_tokens"]?.intValue ?? 0)
            answer.outputTokens = usage?["output_tokens"]?.intValue ?? 0
        case .responses:
            if let error = value["error"], !error.isNull { return Answer(error: error["type"]?.stringValue ?? error["code"]?.stringValue ?? "error") }
            answer = Self.readResponse(value)
        }
        answer.completed = true
        return answer
    }

    static func readResponse(_ value: JSONValue) -> Answer {
        var answer = Answer()
        for item in value["output"]?.arrayValue ?? [] {
            switch item["type"]?.stringValue {
            case "message":
                for part in item["content"]?.arrayValue ?? [] where part["type"]?.stringValue == "output_text" { answer.text += part["text"]?.stringValue ?? "" }
            case "function_call":
                answer.toolCalls.append(Answer.Call(id: item["call_id"]?.stringValue ?? "", name: item["name"]?.stringValue ?? "", arguments: item["arguments"]?.stringValue.flatMap { try? JSONParser.parse($0) }))
            default: break
            }
        }
        answer.finish = value["status"]?.stringValue
        answer.inputTokens = value["usage"]?["input_tokens"]?.intValue ?? 0
        answer.outputTokens = value["usage"]?["output_tokens"]?.intValue ?? 0
        answer.cachedTokens = value["usage"]?["input_tokens_details"]?["cached_tokens"]?.intValue ?? 0
        return answer
    }

    /// Reads a whole SSE body, reassembling text and tool-call arguments in arrival order.
    func read(stream body: String) -> Answer {
        var answer = Answer()
        var arguments: [Int: String] = [:]
        var callOrder: [Int] = []
        func noteCall(_ key: Int, id: String, name: String) {
            if !callOrder.contains(key) {
                callOrder.append(key)
                answer.toolCalls.append(Answer.Call(id: id, name: name, arguments: nil))
            }
        }
        for event in Self.events(body) {
            guard let data = try? JSONParser.parse(event.data) else {
                if event.data == "[DONE]" { answer.completed = true }
                continue
            }
            switch self {
            case .chat:
                if let error = data["error"] { answer.error = error["type"]?.stringValue ?? "error"; continue }
                if let usage = data["usage"], !usage.isNull {
                    answer.inputTokens = usage["prompt_tokens"]?.intValue ?? 0
                    answer.outputTokens = usage["completion_tokens"]?.intValue ?? 0
                    answer.cachedTokens = usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
                }
                guard let choice = data["choices"]?.arrayValue?.first else { continue }
                answer.text += choice["delta"]?["content"]?.stringValue ?? ""
                for call in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    let index = call["index"]?.intValue ?? 0
                    if let name = call["function"]?["name"]?.stringValue { noteCall(index, id: call["id"]?.stringValue ?? "", name: name) }
                    arguments[index, default: ""] += call["function"]?["arguments"]?.stringValue ?? ""
                }
                if let finish = choice["finish_reason"]?.stringValue { answer.finish = finish }
            case .messages:
                switch data["type"]?.stringValue {
                case "message_start":
                    let usage = data["message"]?["usage"]
                    answer.cachedTokens = usage?["cache_read_input_tokens"]?.intValue ?? 0
                    answer.inputTokens = (usage?["input_tokens"]?.intValue ?? 0) + answer.cachedTokens + (usage?["cache_creation_input_tokens"]?.intValue ?? 0)
                case "content_block_start":
                    if data["content_block"]?["type"]?.stringValue == "tool_use" {
                        noteCall(data["index"]?.intValue ?? 0, id: data["content_block"]?["id"]?.stringValue ?? "", name: data["content_block"]?["name"]?.stringValue ?? "")
                    }
                case "content_block_delta":
                    let delta = data["delta"]
                    if delta?["type"]?.stringValue == "text_delta" { answer.text += delta?["text"]?.stringValue ?? "" }
                    if delta?["type"]?.stringValue == "input_json_delta" { arguments[data["index"]?.intValue ?? 0, default: ""] += delta?["partial_json"]?.stringValue ?? "" }
                case "message_delta":
                    answer.finish = data["delta"]?["stop_reason"]?.stringValue
                    answer.outputTokens = data["usage"]?["output_tokens"]?.intValue ?? 0
                    if let input = data["usage"]?["input_tokens"]?.intValue, answer.inputTokens == 0 { answer.inputTokens = input }
                case "message_stop": answer.completed = true
                case "error": answer.error = data["error"]?["type"]?.stringValue ?? "error"
                default: break
                }
            case .responses:
                switch data["type"]?.stringValue {
                case "response.output_text.delta": answer.text += data["delta"]?.stringValue ?? ""
                case "response.output_item.added":
                    if data["item"]?["type"]?.stringValue == "function_call" {
                        noteCall(data["output_index"]?.intValue ?? 0, id: data["item"]?["call_id"]?.stringValue ?? "", name: data["item"]?["name"]?.stringValue ?? "")
                    }
                case "response.function_call_arguments.delta": arguments[data["output_index"]?.intValue ?? 0, default: ""] += data["delta"]?.stringValue ?? ""
                case "response.completed", "response.incomplete":
                    let final = Self.readResponse(data["response"] ?? .null)
                    answer.inputTokens = final.inputTokens
                    answer.outputTokens = final.outputTokens
                    answer.cachedTokens = final.cachedTokens
                    answer.finish = final.finish
                    answer.completed = true
                case "response.failed": answer.error = data["response"]?["error"]?["code"]?.stringValue ?? "failed"
                case "error": answer.error = data["code"]?.stringValue ?? "error"
                default: break
                }
            }
        }
        for (position, key) in callOrder.enumerated() {
            answer.toolCalls[position].arguments = arguments[key].flatMap { try? JSONParser.parse($0) }
        }
        return answer
    }

    struct Event {
        var name: String?
        var data: String
    }

    /// The events of an SSE body (comments skipped).
    static func events(_ body: String) -> [Event] {
        var events: [Event] = []
        for block in body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            var name: String?
            var data: [String] = []
            for line in block.components(separatedBy: "\n") {
                if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("data:") { data.append(String(line.dropFirst(line.hasPrefix("data: ") ? 6 : 5))) }
            }
            if !data.isEmpty { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
        }
        return events
    }
}
