import Testing
import TriageCodecs
import TriageCore

@Suite struct AnthropicProviderCodecTests {
    let codec = AnthropicProviderCodec(now: { 1_732_406_400 })

    func body(_ canonical: String, model: String = "claude-sonnet-4-5", stream: Bool = false) throws -> JSONValue {
        let request = try codec.request(from: AnthropicTest.object(canonical), upstreamModel: model, stream: stream)
        return try JSONParser.parse(request.body)
    }

    // MARK: Requests

    @Test func pathHeadersAndDefaults() throws {
        let request = try codec.request(
            from: AnthropicTest.object(#"{"model": "triage/auto", "messages": [{"role": "user", "content": "Hi"}], "stream": true, "stream_options": {"include_usage": true}}"#),
            upstreamModel: "claude-sonnet-4-5", stream: true)
        #expect(request.path == "/messages")
        #expect(request.headers.map(\.name) == ["anthropic-version"])
        #expect(request.headers.map(\.value) == ["2023-06-01"])
        let body = try JSONParser.parse(request.body)
        #expect(
            body
                == AnthropicTest.json(
                    #"{"model": "claude-sonnet-4-5", "max_tokens": 4096, "messages": [{"role": "user", "content": "Hi"}], "stream": true}"#))
    }

    @Test func systemToolsAndConversation() throws {
        let out = try body(
            #"""
            {"model": "x", "max_completion_tokens": 500, "stop": "END", "temperature": 0.5, "top_p": 0.9, "top_k": 5, "user": "u-1",
             "messages": [
               {"role": "system", "content": "Be terse."},
               {"role": "developer", "content": [{"type": "text", "text": "Long rules", "cache_control": {"type": "ephemeral"}}]},
               {"role": "user", "content": "Weather in Paris and the time?"},
               {"role": "assistant", "content": null, "tool_calls": [
                 {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                 {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
               {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "12:00", "cache_control": {"type": "ephemeral"}}]},
               {"role": "user", "content": "Thanks!"}],
             "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}, "cache_control": {"type": "ephemeral"}},
                       {"type": "function", "function": {"name": "get_time"}}],
             "tool_choice": "required", "parallel_tool_calls": false}
            """#)
        #expect(
            AnthropicTest.same(
                out,
                #"""
                {"model": "claude-sonnet-4-5", "max_tokens": 500,
                 "system": [{"type": "text", "text": "Be terse."}, {"type": "text", "text": "Long rules", "cache_control": {"type": "ephemeral"}}],
                 "messages": [
                   {"role": "user", "content": "Weather in Paris and the time?"},
                   {"role": "assistant", "content": [
                     {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                     {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}]},
                   {"role": "user", "content": [
                     {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
                     {"type": "tool_result", "tool_use_id": "call_2", "content": [{"type": "text", "text": "12:00", "cache_control": {"type": "ephemeral"}}]},
                     {"type": "text", "text": "Thanks!"}]}],
                 "stop_sequences": ["END"], "temperature": 0.5, "top_p": 0.9, "top_k": 5,
                 "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}},
                           {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}],
                 "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
                 "metadata": {"user_id": "u-1"}}
                """#))
    }

    @Test func imagesThinkingAndToolChoices() throws {
        let out = try body(
            #"""
            {"model": "x", "thinking": {"type": "enabled", "budget_tokens": 2000}, "messages": [
              {"role": "user", "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ", "detail": "high"}, "cache_control": {"type": "ephemeral"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]},
              {"role": "assistant", "content": "A cat.", "thinking_blocks": [{"type": "thinking", "thinking": "Fur.", "signature": "s"}]}],
             "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
             "tool_choice": {"type": "function", "function": {"name": "f"}}}
            """#)
        #expect(out["max_tokens"] == 6096)
        #expect(out["thinking"] == AnthropicTest.json(#"{"type": "enabled", "budget_tokens": 2000}"#))
        #expect(
            AnthropicTest.same(
                out["messages"],
                #"""
                [{"role": "user", "content": [
                   {"type": "text", "text": "Look"},
                   {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}, "cache_control": {"type": "ephemeral"}},
                   {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]},
                 {"role": "assistant", "content": [{"type": "thinking", "thinking": "Fur.", "signature": "s"}, {"type": "text", "text": "A cat."}]}]
                """#))
        #expect(out["tool_choice"] == AnthropicTest.json(#"{"type": "tool", "name": "f"}"#))
        let none = try body(#"{"model": "x", "messages": [{"role": "user", "content": "a"}], "tool_choice": "none", "parallel_tool_calls": false}"#)
        #expect(none["tool_choice"] == ["type": "none"])
        let auto = try body(
            #"{"model": "x", "messages": [{"role": "user", "content": "a"}], "tools": [{"type": "function", "function": {"name": "f"}}], "parallel_tool_calls": false}"#)
        #expect(auto["tool_choice"] == ["type": "auto", "disable_parallel_tool_use": true])
    }

    @Test func emptyAssistantTextIsNotSent() throws {
        let out = try body(
            #"""
            {"model": "x", "messages": [{"role": "user", "content": "a"},
              {"role": "assistant", "content": [{"type": "text", "text": ""}], "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
              {"role": "tool", "tool_call_id": "c", "content": "done"}]}
            """#)
        #expect(out["messages"]?.arrayValue?[1]["content"] == AnthropicTest.json(#"[{"type": "tool_use", "id": "c", "name": "f", "input": {}}]"#))
        #expect(out["messages"]?.arrayValue?[2]["content"] == AnthropicTest.json(#"[{"type": "tool_result", "tool_use_id": "c", "content": "done"}]"#))
    }

    @Test func jsonSchemaBecomesAForcedTool() throws {
        let out = try body(
            #"""
            {"model": "x", "messages": [{"role": "user", "content": "a"}],
             "response_format": {"type": "json_schema", "json_schema": {"name": "weather report", "strict": true, "schema": {"type": "object", "properties": {"t": {"type": "number"}}}}}}
            """#)
        #expect(out["tools"]?.arrayValue?.count == 1)
        let tool = out["tools"]?.arrayValue?.first
        #expect(tool?["name"] == "triage_json_weather_report")
        #expect(tool?["input_schema"] == AnthropicTest.json(#"{"type": "object", "properties": {"t": {"type": "number"}}}"#))
        #expect(out["tool_choice"] == ["type": "tool", "name": "triage_json_weather_report"])
        let object = try body(#"{"model": "x", "messages": [{"role": "user", "content": "a"}], "response_format": {"type": "json_object"}}"#)
        #expect(object["tools"]?.arrayValue?.first?["name"] == "triage_json_object")

        let answer = try codec.completion(
            from: AnthropicTest.json(
                #"""
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "tool_use", "stop_sequence": null,
                 "content": [{"type": "tool_use", "id": "toolu_1", "name": "triage_json_weather_report", "input": {"t": 21.5}}],
                 "usage": {"input_tokens": 10, "output_tokens": 5}}
                """#), model: "triage/auto")
        let choice = answer["choices"]?.arrayValue?.first
        #expect(choice?["message"]?["content"] == #"{"t":21.5}"#)
        #expect(choice?["message"]?["tool_calls"] == nil)
        #expect(choice?["finish_reason"] == "stop")
    }

    @Test func inexpressibleFieldsAreRejected() {
        let base = #""model": "x", "messages": [{"role": "user", "content": "a"}]"#
        for (field, value) in [
            ("n", "2"), ("logprobs", "true"), ("top_logprobs", "2"), ("seed", "7"), ("presence_penalty", "0.5"),
            ("frequency_penalty", "1"), ("logit_bias", #"{"50256": -100}"#), ("temperature", "1.5"), ("store", "true"),
            ("reasoning_effort", #""high""#), ("audio", "{}"), ("metadata", #"{"customer": "a"}"#),
        ] {
            AnthropicTest.expectInvalid(field) { _ = try body("{\(base), \"\(field)\": \(value)}") }
        }
        AnthropicTest.expectInvalid("messages[0].content[0]") {
            _ = try body(#"{"model": "x", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].name") { _ = try body(#"{"model": "x", "messages": [{"role": "user", "name": "bob", "content": "a"}]}"#) }
        AnthropicTest.expectInvalid("tools[0].function.strict") {
            _ = try body(#"{\#(base), "tools": [{"type": "function", "function": {"name": "f", "strict": true}}]}"#)
        }
        AnthropicTest.expectInvalid("tools[0].function.name") {
            _ = try body(#"{\#(base), "tools": [{"type": "function", "function": {"name": "triage_json_x"}}]}"#)
        }
        AnthropicTest.expectInvalid("response_format") {
            _ = try body(#"{\#(base), "response_format": {"type": "json_object"}, "tools": [{"type": "function", "function": {"name": "f"}}]}"#)
        }
        AnthropicTest.expectInvalid("response_format") {
            _ = try body(#"{\#(base), "response_format": {"type": "json_object"}, "thinking": {"type": "enabled", "budget_tokens": 1024}}"#)
        }
        AnthropicTest.expectInvalid("messages[1].tool_calls[0]") {
            _ = try body(
                #"{"model": "x", "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "[1]"}}]}]}"#)
        }
        // Defaults are fine.
        #expect(throws: Never.self) {
            _ = try body(#"{\#(base), "n": 1, "logprobs": false, "presence_penalty": 0, "frequency_penalty": 0, "logit_bias": {}, "seed": null, "metadata": {"triage_role": "chat"}}"#)
        }
    }

    // MARK: Responses

    @Test func messageBecomesCompletion() throws {
        let message = try JSONParser.parse(AnthropicTest.fixture("message_tool_use.json"))
        let completion = try codec.completion(from: message, model: "triage/auto")
        #expect(
            AnthropicTest.same(
                .object(completion),
                #"""
                {"id": "msg_01Aq9w938a90dw8q", "object": "chat.completion", "created": 1732406400, "model": "triage/auto",
                 "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
                   "role": "assistant", "content": "I'll check the current weather in San Francisco for you.", "refusal": null,
                   "tool_calls": [{"id": "toolu_01A09q90qw90lq917835lq9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}}],
                   "thinking_blocks": [{"type": "thinking", "thinking": "The user wants the weather.", "signature": "EqQBCgIYAhIM"}]}}],
                 "usage": {"prompt_tokens": 3995, "completion_tokens": 503, "total_tokens": 4498, "prompt_tokens_details": {"cached_tokens": 1800, "cache_write_tokens": 100}}}
                """#))
    }

    @Test func stopReasonsAndStopSequence() throws {
        func finish(_ stop: String, sequence: String = "null") throws -> JSONValue? {
            let completion = try codec.completion(
                from: AnthropicTest.json(
                    #"{"id": "m", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "a"}], "stop_reason": "\#(stop)", "stop_sequence": \#(sequence), "usage": {"input_tokens": 1, "output_tokens": 1}}"#),
                model: "m")
            return completion["choices"]?.arrayValue?.first
        }
        #expect(try finish("end_turn")?["finish_reason"] == "stop")
        #expect(try finish("max_tokens")?["finish_reason"] == "length")
        #expect(try finish("refusal")?["finish_reason"] == "content_filter")
        #expect(try finish("stop_sequence", sequence: #""END""#)?["stop_sequence"] == "END")
    }

    @Test func errorDetails() throws {
        let tooLong = try JSONParser.parse(AnthropicTest.fixture("error_prompt_too_long.json"))
        let detail = codec.errorDetail(status: 400, body: tooLong)
        #expect(detail.type == "invalid_request_error")
        #expect(detail.isContextLength)
        #expect(!detail.isOverloaded)
        let overloaded = codec.errorDetail(status: 529, body: AnthropicTest.json(#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#))
        #expect(overloaded == ProviderErrorDetail(message: "Overloaded", type: "overloaded_error", isOverloaded: true))
        #expect(codec.errorDetail(status: 529, body: nil).isOverloaded)
        #expect(!codec.errorDetail(status: 429, body: nil).isOverloaded)
    }

    /// An Anthropic client request through the client codec and back out through the provider
    /// codec is the request the client sent.
    @Test func clientToProviderRoundTrip() throws {
        let original = AnthropicTest.object(
            #"""
            {"model": "claude-sonnet-4-5", "max_tokens": 1024,
             "system": [{"type": "text", "text": "Rules", "cache_control": {"type": "ephemeral"}}],
             "messages": [
               {"role": "user", "content": [{"type": "text", "text": "Weather?"}, {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]},
               {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}, {"type": "text", "text": "Checking."}, {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {"c": "P"}}]},
               {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}, {"type": "text", "text": "ok"}]}],
             "stop_sequences": ["END"], "temperature": 0.3, "top_k": 3,
             "tools": [{"name": "w", "description": "d", "input_schema": {"type": "object"}}],
             "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
             "metadata": {"user_id": "u"}, "thinking": {"type": "enabled", "budget_tokens": 1024}}
            """#)
        let canonical = try AnthropicClientCodec().canonicalRequest(from: original)
        let request = try codec.request(from: canonical, upstreamModel: "claude-sonnet-4-5", stream: false)
        #expect(AnthropicTest.sorted(try JSONParser.parse(request.body)) == AnthropicTest.sorted(.object(original)))
    }
}
