import Testing
import TriageCodecs
import TriageCore

@Suite struct AnthropicClientCodecTests {
    let codec = AnthropicClientCodec()

    func canonical(_ text: String) throws(GatewayError) -> JSONObject {
        try codec.canonicalRequest(from: AnthropicTest.object(text))
    }

    // MARK: Requests

    @Test func systemBlocksAndMultiTurnConversation() throws {
        let out = try canonical(
            #"""
            {"model": "claude-sonnet-4-5", "max_tokens": 1024,
             "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Big doc", "cache_control": {"type": "ephemeral"}}],
             "messages": [
               {"role": "user", "content": "Hello"},
               {"role": "assistant", "content": "Hi!"},
               {"role": "user", "content": [{"type": "text", "text": "Again", "cache_control": {"type": "ephemeral", "ttl": "5m"}}]}
             ]}
            """#)
        #expect(out["model"] == "claude-sonnet-4-5")
        #expect(out["max_completion_tokens"] == 1024)
        #expect(out["stream"] == false)
        #expect(
            AnthropicTest.same(
                out["messages"],
                #"""
                [{"role": "system", "content": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Big doc", "cache_control": {"type": "ephemeral"}}]},
                 {"role": "user", "content": "Hello"},
                 {"role": "assistant", "content": "Hi!"},
                 {"role": "user", "content": [{"type": "text", "text": "Again", "cache_control": {"type": "ephemeral", "ttl": "5m"}}]}]
                """#))
    }

    @Test func stringSystemAndSamplingFields() throws {
        let out = try canonical(
            #"""
            {"model": "m", "max_tokens": 10, "system": "Be kind.", "messages": [{"role": "user", "content": "x"}],
             "stop_sequences": ["\n\nHuman:", "END"], "temperature": 0.2, "top_p": 0.9, "top_k": 40,
             "metadata": {"user_id": "u-123"}, "stream": true}
            """#)
        #expect(out["messages"]?.arrayValue?.first == AnthropicTest.json(#"{"role": "system", "content": "Be kind."}"#))
        #expect(out["stop"] == AnthropicTest.json(#"["\n\nHuman:", "END"]"#))
        #expect(out["temperature"] == .number("0.2"))
        #expect(out["top_p"] == .number("0.9"))
        #expect(out["top_k"] == 40)
        #expect(out["user"] == "u-123")
        #expect(out["stream"] == true)
        #expect(out["stream_options"] == ["include_usage": true])
    }

    @Test func imagesBecomeImageURLParts() throws {
        let out = try canonical(
            #"""
            {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}, "cache_control": {"type": "ephemeral"}},
              {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
              {"type": "text", "text": "What are these?"}]}]}
            """#)
        #expect(
            AnthropicTest.same(
                out["messages"],
                #"""
                [{"role": "user", "content": [
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}, "cache_control": {"type": "ephemeral"}},
                  {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                  {"type": "text", "text": "What are these?"}]}]
                """#))
    }

    @Test func toolUseAndToolResults() throws {
        let out = try canonical(
            #"""
            {"model": "m", "max_tokens": 10, "messages": [
              {"role": "user", "content": "Weather and time in Paris?"},
              {"role": "assistant", "content": [
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "toolu_2", "name": "get_time", "input": {}}]},
              {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C"},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "clock broke"}], "is_error": true, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Thanks"}]}]}
            """#)
        #expect(
            AnthropicTest.same(
                out["messages"],
                #"""
                [{"role": "user", "content": "Weather and time in Paris?"},
                 {"role": "assistant", "content": "Checking.", "tool_calls": [
                   {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                   {"id": "toolu_2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
                 {"role": "tool", "tool_call_id": "toolu_1", "content": "18°C"},
                 {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "Error: clock broke", "cache_control": {"type": "ephemeral"}}]},
                 {"role": "user", "content": [{"type": "text", "text": "Thanks"}]}]
                """#))
    }

    @Test func toolsAndToolChoice() throws {
        let out = try canonical(
            #"""
            {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}],
             "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}, "cache_control": {"type": "ephemeral"}}],
             "tool_choice": {"type": "any", "disable_parallel_tool_use": true}}
            """#)
        #expect(
            AnthropicTest.same(
                out["tools"],
                #"""
                [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}, "cache_control": {"type": "ephemeral"}}]
                """#))
        #expect(out["tool_choice"] == "required")
        #expect(out["parallel_tool_calls"] == false)
        let named = try canonical(#"{"model": "m", "max_tokens": 1, "messages": [], "tool_choice": {"type": "tool", "name": "get_weather"}}"#)
        #expect(AnthropicTest.same(named["tool_choice"], #"{"type": "function", "function": {"name": "get_weather"}}"#))
        #expect(named["parallel_tool_calls"] == nil)
        #expect(try canonical(#"{"model": "m", "max_tokens": 1, "messages": [], "tool_choice": {"type": "auto"}}"#)["tool_choice"] == "auto")
        #expect(try canonical(#"{"model": "m", "max_tokens": 1, "messages": [], "tool_choice": {"type": "none"}}"#)["tool_choice"] == "none")
    }

    @Test func thinkingRequestAndBlocks() throws {
        let out = try canonical(
            #"""
            {"model": "m", "max_tokens": 16000, "thinking": {"type": "enabled", "budget_tokens": 10000}, "messages": [
              {"role": "user", "content": "Hard sum"},
              {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Let me add.", "signature": "sig=="},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy"},
                {"type": "text", "text": "42"}]}]}
            """#)
        #expect(out["thinking"] == AnthropicTest.json(#"{"type": "enabled", "budget_tokens": 10000}"#))
        let assistant = out["messages"]?.arrayValue?.last
        #expect(assistant?["content"] == "42")
        #expect(
            assistant?["thinking_blocks"]
                == AnthropicTest.json(#"[{"type": "thinking", "thinking": "Let me add.", "signature": "sig=="}, {"type": "redacted_thinking", "data": "EmwKAhgBEgy"}]"#))
        let disabled = try canonical(#"{"model": "m", "max_tokens": 1, "messages": [], "thinking": {"type": "disabled"}}"#)
        #expect(disabled["thinking"] == nil)
    }

    @Test func inexpressibleFieldsAreRejected() {
        let base = #""model": "m", "messages": [{"role": "user", "content": "x"}]"#
        AnthropicTest.expectInvalid("max_tokens") { _ = try canonical("{\(base)}") }
        AnthropicTest.expectInvalid("model") { _ = try canonical(#"{"max_tokens": 5, "messages": []}"#) }
        AnthropicTest.expectInvalid("mcp_servers") { _ = try canonical(#"{\#(base), "max_tokens": 5, "mcp_servers": []}"#) }
        AnthropicTest.expectInvalid("container") { _ = try canonical(#"{\#(base), "max_tokens": 5, "container": "c"}"#) }
        AnthropicTest.expectInvalid("service_tier") { _ = try canonical(#"{\#(base), "max_tokens": 5, "service_tier": "standard_only"}"#) }
        AnthropicTest.expectInvalid("metadata.team") { _ = try canonical(#"{\#(base), "max_tokens": 5, "metadata": {"team": "a"}}"#) }
        AnthropicTest.expectInvalid("tools[0].type") {
            _ = try canonical(#"{\#(base), "max_tokens": 5, "tools": [{"type": "web_search_20250305", "name": "web_search"}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].content[0]") {
            _ = try canonical(
                #"{"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"}}]}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].content[0].source") {
            _ = try canonical(
                #"{"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "file", "file_id": "f"}}]}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].content[0].content[0]") {
            _ = try canonical(
                #"{"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "image", "source": {"type": "url", "url": "https://x"}}]}]}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].content[0].cache_control") {
            _ = try canonical(
                #"{"model": "m", "max_tokens": 5, "messages": [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "n", "input": {}, "cache_control": {"type": "ephemeral"}}]}]}"#)
        }
        AnthropicTest.expectInvalid("messages[0].role") { _ = try canonical(#"{"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}"#) }
        AnthropicTest.expectInvalid("thinking.type") { _ = try canonical(#"{\#(base), "max_tokens": 5, "thinking": {"type": "sometimes"}}"#) }
        AnthropicTest.expectInvalid("top_k") { _ = try canonical(#"{\#(base), "max_tokens": 5, "top_k": "many"}"#) }
    }

    // MARK: Responses

    @Test func completionBecomesMessage() throws {
        let completion = AnthropicTest.object(
            #"""
            {"id": "chatcmpl-abc123", "object": "chat.completion", "created": 1, "model": "claude-sonnet-4-5",
             "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": "Let me look.",
               "thinking_blocks": [{"type": "thinking", "thinking": "Need weather.", "signature": "s1"}],
               "tool_calls": [{"id": "toolu_9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}}],
             "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120, "prompt_tokens_details": {"cached_tokens": 60, "cache_write_tokens": 30}}}
            """#)
        let message = try codec.response(from: completion)
        #expect(
            AnthropicTest.same(
                message,
                #"""
                {"id": "msg_abc123", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "thinking", "thinking": "Need weather.", "signature": "s1"},
                             {"type": "text", "text": "Let me look."},
                             {"type": "tool_use", "id": "toolu_9", "name": "get_weather", "input": {"city": "Paris"}}],
                 "stop_reason": "tool_use", "stop_sequence": null,
                 "usage": {"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 30, "cache_read_input_tokens": 60}}
                """#))
    }

    @Test func stopReasons() throws {
        func stop(_ finish: String, stopSequence: String? = nil) throws -> JSONValue? {
            let sequence = stopSequence.map { #", "stop_sequence": "\#($0)""# } ?? ""
            let completion = AnthropicTest.object(
                #"{"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "\#(finish)"\#(sequence), "message": {"role": "assistant", "content": "a"}}]}"#)
            let message = try codec.response(from: completion)
            return message["stop_reason"]
        }
        #expect(try stop("stop") == "end_turn")
        #expect(try stop("stop", stopSequence: "END") == "stop_sequence")
        #expect(try stop("length") == "max_tokens")
        #expect(try stop("tool_calls") == "tool_use")
        #expect(try stop("content_filter") == "refusal")
        let withSequence = try codec.response(
            from: AnthropicTest.object(
                #"{"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "stop_sequence": "END", "message": {"role": "assistant", "content": "a"}}]}"#))
        #expect(withSequence["stop_sequence"] == "END")
        #expect(withSequence["usage"]?["input_tokens"] == 0)
    }

    @Test func badToolArgumentsAreAnUpstreamError() {
        let completion = AnthropicTest.object(
            #"{"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{oops"}}]}}]}"#)
        #expect(throws: GatewayError.self) { try codec.response(from: completion) }
    }

    // MARK: Errors

    @Test func errorBodiesAndStatuses() {
        let cases: [(GatewayError.Kind, String, Int)] = [
            (.invalidRequest, "invalid_request_error", 400), (.authentication, "authentication_error", 401),
            (.permission, "permission_error", 403), (.notFound, "not_found_error", 404), (.payloadTooLarge, "request_too_large", 413),
            (.rateLimited, "rate_limit_error", 429), (.internalError, "api_error", 500), (.upstream, "api_error", 502),
            (.upstreamTimeout, "api_error", 504), (.unavailable, "overloaded_error", 529),
        ]
        for (kind, type, status) in cases {
            let error = GatewayError(kind, "boom")
            #expect(codec.httpStatus(for: error) == status)
            #expect(codec.errorBody(for: error) == ["type": "error", "error": ["type": .string(type), "message": "boom"]])
        }
    }
}
