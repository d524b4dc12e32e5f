import Testing
import TriageCodecs
import TriageCore

@Suite struct ResponsesClientCodecTests {
    let codec = ResponsesClientCodec()

    func canonical(_ body: JSONValue) throws -> JSONObject {
        try codec.canonicalRequest(from: body.objectValue!)
    }

    func rejects(_ body: JSONValue, param: String) {
        do {
            _ = try codec.canonicalRequest(from: body.objectValue!)
            Issue.record("expected a 400 for \(param)")
        } catch {
            #expect(error.httpStatus == 400)
            #expect(error.param == param, "\(error.message)")
        }
    }

    @Test func stringInputAndInstructions() throws {
        let request = try canonical(["model": "triage/auto", "instructions": "Be brief.", "input": "Hi", "max_output_tokens": 50, "temperature": 1, "user": "u"])
        #expect(request["messages"] == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]])
        #expect(request["max_completion_tokens"] == 50)
        #expect(request["temperature"] == 1)
        #expect(request["user"] == "u")
        #expect(request["stream"] == false)
        #expect(request["model"] == "triage/auto")
    }

    @Test func itemsWithFunctionCallsAndOutputs() throws {
        let request = try canonical([
            "model": "m", "stream": true,
            "input": [
                ["role": "developer", "content": "Use tools."],
                ["type": "message", "role": "user", "content": [["type": "input_text", "text": "Look:"], ["type": "input_image", "image_url": "https://x/cat.png", "detail": "low"]]],
                ["type": "message", "role": "assistant", "content": [["type": "output_text", "text": "Checking.", "annotations": []]]],
                ["type": "function_call", "call_id": "call_1", "name": "a", "arguments": "{}"],
                ["type": "function_call", "call_id": "call_2", "name": "b", "arguments": #"{"x":1}"#],
                ["type": "function_call_output", "call_id": "call_1", "output": "one"],
                ["type": "function_call_output", "call_id": "call_2", "output": "two"],
            ],
            "tools": [["type": "function", "name": "a", "description": "A", "parameters": ["type": "object"], "strict": true], ["type": "function", "name": "b"]],
            "tool_choice": ["type": "function", "name": "a"],
            "parallel_tool_calls": true,
            "reasoning": ["effort": "low"],
            "text": ["format": ["type": "json_schema", "name": "out", "schema": ["type": "object"], "strict": true]],
        ])
        #expect(
            request["messages"] == [
                ["role": "developer", "content": "Use tools."],
                ["role": "user", "content": [["type": "text", "text": "Look:"], ["type": "image_url", "image_url": ["url": "https://x/cat.png", "detail": "low"]]]],
                [
                    "role": "assistant", "content": "Checking.",
                    "tool_calls": [
                        ["id": "call_1", "type": "function", "function": ["name": "a", "arguments": "{}"]],
                        ["id": "call_2", "type": "function", "function": ["name": "b", "arguments": #"{"x":1}"#]],
                    ],
                ],
                ["role": "tool", "tool_call_id": "call_1", "content": "one"],
                ["role": "tool", "tool_call_id": "call_2", "content": "two"],
            ])
        #expect(
            request["tools"] == [
                ["type": "function", "function": ["name": "a", "description": "A", "parameters": ["type": "object"], "strict": true]],
                ["type": "function", "function": ["name": "b"]],
            ])
        #expect(request["tool_choice"] == ["type": "function", "function": ["name": "a"]])
        #expect(request["reasoning_effort"] == "low")
        #expect(request["response_format"] == ["type": "json_schema", "json_schema": ["name": "out", "schema": ["type": "object"], "strict": true]])
        #expect(request["stream"] == true)
        #expect(request["stream_options"] == ["include_usage": true])
    }

    @Test func statefulAndHostedFeaturesAre400s() {
        rejects(["model": "m", "input": "x", "previous_response_id": "resp_1"], param: "previous_response_id")
        rejects(["model": "m", "input": "x", "store": true], param: "store")
        rejects(["model": "m", "input": "x", "background": true], param: "background")
        rejects(["model": "m", "input": "x", "include": ["reasoning.encrypted_content"]], param: "include")
        rejects(["model": "m", "input": "x", "conversation": "conv_1"], param: "conversation")
        rejects(["model": "m", "input": "x", "tools": [["type": "web_search"]]], param: "tools[0].type")
        rejects(["model": "m", "input": [["type": "message", "role": "user", "content": [["type": "input_image", "file_id": "file-1"]]]]], param: "input[0].content[0].file_id")
        rejects(["model": "m", "input": [["type": "item_reference", "id": "msg_1"]]], param: "input[0]")
        rejects(["model": "m", "input": "x", "reasoning": ["effort": "high", "summary": "auto"]], param: "reasoning.summary")
        rejects(["model": "m", "input": "x", "frobnicate": 1], param: "frobnicate")
        rejects(["input": "x"], param: "model")
    }

    @Test func completionBecomesAResponseObject() throws {
        let completion: JSONValue = [
            "id": "chatcmpl-abc", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-x",
            "choices": [
                [
                    "index": 0, "finish_reason": "tool_calls",
                    "message": ["role": "assistant", "content": "Sure.", "tool_calls": [["id": "call_9", "type": "function", "function": ["name": "f", "arguments": "{}"]]]],
                ]
            ],
            "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "prompt_tokens_details": ["cached_tokens": 4], "completion_tokens_details": ["reasoning_tokens": 2]],
        ]
        let response = try codec.response(from: completion.objectValue!)
        #expect(response["id"] == "resp_abc")
        #expect(response["object"] == "response")
        #expect(response["created_at"] == 1_700_000_000)
        #expect(response["status"] == "completed")
        #expect(response["error"] == .null)
        #expect(response["incomplete_details"] == .null)
        #expect(response["output_text"] == nil)
        #expect(
            response["output"] == [
                ["type": "message", "id": "msg_abc", "status": "completed", "role": "assistant", "content": [["type": "output_text", "text": "Sure.", "annotations": [], "logprobs": []]]],
                ["type": "function_call", "id": "fc_abc_0", "call_id": "call_9", "name": "f", "arguments": "{}", "status": "completed"],
            ])
        #expect(
            response["usage"] == [
                "input_tokens": 10, "input_tokens_details": ["cached_tokens": 4], "output_tokens": 5, "output_tokens_details": ["reasoning_tokens": 2], "total_tokens": 15,
            ])
        for key in ["parallel_tool_calls", "tool_choice", "tools", "temperature", "top_p", "text", "instructions", "metadata", "model"] {
            #expect(response[key] != nil, "missing \(key)")
        }
    }

    @Test func lengthIsIncomplete() throws {
        let completion: JSONValue = ["id": "chatcmpl-x", "created": 1, "model": "m", "choices": [["index": 0, "finish_reason": "length", "message": ["role": "assistant", "content": "Trunc"]]]]
        let response = try codec.response(from: completion.objectValue!)
        #expect(response["status"] == "incomplete")
        #expect(response["incomplete_details"] == ["reason": "max_output_tokens"])
    }

    /// The events of a stream as (event line, data object) pairs.
    func events(_ bytes: [UInt8]) throws -> [(String?, JSONValue)] {
        var parser = SSEParser()
        return try parser.push(bytes).map { ($0.event, try JSONParser.parse($0.data)) }
    }

    func chunk(_ delta: JSONValue, finish: String? = nil) -> JSONObject {
        let value: JSONValue = ["id": "chatcmpl-s1", "object": "chat.completion.chunk", "created": 5, "model": "m",
         "choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]]]
        return value.objectValue!
    }

    let usageChunk: JSONObject = (["id": "chatcmpl-s1", "choices": [], "usage": ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5]] as JSONValue).objectValue!

    @Test func streamedTextEventSequence() throws {
        var encoder = codec.streamEncoder()
        var bytes = encoder.encode(chunk(["role": "assistant", "content": ""]))
        bytes += encoder.encode(chunk(["content": "Hel"]))
        bytes += encoder.encode(chunk(["content": "lo"]))
        bytes += encoder.encode(chunk([:], finish: "stop"))
        bytes += encoder.encode(usageChunk)
        bytes += encoder.finish()
        let events = try self.events(bytes)
        #expect(
            events.map(\.0) == [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
            ])
        #expect(events.map { $0.1["type"]?.stringValue } == events.map(\.0))
        #expect(events.map { $0.1["sequence_number"] } == (0..<events.count).map { JSONValue($0) })
        #expect(events[4].1["item_id"] == "msg_s1" && events[4].1["output_index"] == 0 && events[4].1["content_index"] == 0 && events[4].1["delta"] == "Hel")
        #expect(events[6].1["text"] == "Hello")
        let response = events[9].1["response"]
        #expect(response?["status"] == "completed")
        #expect(response?["id"] == "resp_s1")
        #expect(response?["usage"]?["total_tokens"] == 5)
        #expect(response?["output"]?.arrayValue?.count == 1)
        #expect(response?["output"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"] == "Hello")
    }

    @Test func streamedParallelToolCalls() throws {
        var encoder = codec.streamEncoder()
        var bytes = encoder.encode(chunk(["role": "assistant", "content": nil, "tool_calls": [["index": 0, "id": "call_a", "type": "function", "function": ["name": "a", "arguments": ""]]]]))
        bytes += encoder.encode(chunk(["tool_calls": [["index": 0, "function": ["arguments": #"{"x":"#]]]]))
        bytes += encoder.encode(chunk(["tool_calls": [["index": 0, "function": ["arguments": "1}"]]]]))
        bytes += encoder.encode(chunk(["tool_calls": [["index": 1, "id": "call_b", "type": "function", "function": ["name": "b", "arguments": "{}"]]]]))
        bytes += encoder.encode(chunk([:], finish: "tool_calls"))
        bytes += encoder.encode(usageChunk)
        bytes += encoder.finish()
        let events = try self.events(bytes)
        #expect(
            events.map(\.0) == [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ])
        #expect(events[2].1["item"] == ["type": "function_call", "id": "fc_s1_0", "call_id": "call_a", "name": "a", "arguments": "", "status": "in_progress"])
        #expect(events[5].1["arguments"] == #"{"x":1}"#)
        #expect(events[7].1["output_index"] == 1)
        #expect(events[10].1["item"]?["call_id"] == "call_b")
        #expect(events[11].1["response"]?["output"]?.arrayValue?.map { $0["name"] } == ["a", "b"])
    }

    @Test func brokenStreamEndsWithResponseFailed() throws {
        var encoder = codec.streamEncoder()
        var bytes = encoder.encode(chunk(["content": "Hi"]))
        bytes += encoder.fail(GatewayError(.upstream, "upstream went away"))
        #expect(encoder.finish().isEmpty)
        let events = try self.events(bytes)
        #expect(events.last?.0 == "response.failed")
        #expect(events.last?.1["response"]?["status"] == "failed")
        #expect(events.last?.1["response"]?["error"] == ["code": "server_error", "message": "upstream went away"])
    }

    @Test func errorsUseTheOpenAIShape() {
        let error = GatewayError(.rateLimited, "slow down", code: "rate_limit_exceeded")
        #expect(codec.errorBody(for: error) == error.openAIBody)
        #expect(codec.httpStatus(for: error) == 429)
    }
}
