import Testing
@testable import TriageCodecs
import TriageCore

@Suite struct AnthropicStreamEncoderTests {
    /// The text-delta event written directly is byte for byte the one built as a JSON tree.
    @Test(arguments: ["The ", "two\nlines\r\n", #"say "hi" \ now"#, "é😀\u{1}\t", ""], [0, 7, 123])
    func textDeltaFastPathWritesTheTreeBytes(text: String, index: Int) {
        var direct: [UInt8] = []
        AnthropicStreamEncoder.writeTextDelta(index, text, into: &direct)
        #expect(direct == AnthropicStreamEncoder.blockDelta(index, ["type": "text_delta", "text": .string(text)]))
    }

    static func chunk(_ choices: String, usage: String? = nil) -> JSONObject {
        let usageMember = usage.map { #", "usage": \#($0)"# } ?? ""
        return AnthropicTest.object(
            #"{"id": "chatcmpl-s1", "object": "chat.completion.chunk", "created": 1, "model": "claude-x", "choices": \#(choices)\#(usageMember)}"#)
    }

    static func delta(_ delta: String, finish: String? = nil) -> JSONObject {
        chunk(#"[{"index": 0, "delta": \#(delta), "finish_reason": \#(finish.map { "\"\($0)\"" } ?? "null")}]"#)
    }

    static let usage = chunk(
        "[]", usage: #"{"prompt_tokens": 25, "completion_tokens": 15, "total_tokens": 40, "prompt_tokens_details": {"cached_tokens": 5, "cache_write_tokens": 3}}"#)

    func run(_ chunks: [JSONObject]) throws -> [(name: String?, data: JSONValue)] {
        var encoder = AnthropicClientCodec().streamEncoder()
        var bytes: [UInt8] = []
        for chunk in chunks { bytes += encoder.encode(chunk) }
        bytes += encoder.finish()
        return try AnthropicTest.events(bytes)
    }

    @Test func textStreamHasTheDocumentedEventSequence() throws {
        let events = try run([
            Self.delta(#"{"role": "assistant", "content": ""}"#), Self.delta(#"{"content": "Hello"}"#), Self.delta(#"{"content": " world"}"#),
            Self.delta("{}", finish: "stop"), Self.usage,
        ])
        #expect(
            events.map(\.name) == [
                "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ])
        #expect(events.allSatisfy { $0.data["type"]?.stringValue == $0.name })
        let message = events[0].data["message"]
        #expect(message?["id"] == "msg_s1")
        #expect(message?["model"] == "claude-x")
        #expect(message?["content"] == [])
        #expect(AnthropicTest.same(events[2].data, #"{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}"#))
        #expect(AnthropicTest.same(events[3].data, #"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}"#))
        #expect(
            AnthropicTest.same(
                events[6].data,
                #"""
                {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                 "usage": {"input_tokens": 17, "output_tokens": 15, "cache_creation_input_tokens": 3, "cache_read_input_tokens": 5}}
                """#))
    }

    @Test func messageDeltaWaitsForTheUsageChunk() throws {
        var encoder = AnthropicClientCodec().streamEncoder()
        _ = encoder.encode(Self.delta(#"{"role": "assistant", "content": "Hi"}"#))
        let atFinish = try AnthropicTest.events(encoder.encode(Self.delta("{}", finish: "length")))
        #expect(atFinish.map(\.name) == ["content_block_stop"])
        let atUsage = try AnthropicTest.events(encoder.encode(Self.usage))
        #expect(atUsage.map(\.name) == ["message_delta"])
        #expect(atUsage[0].data["usage"]?["output_tokens"] == 15)
        #expect(atUsage[0].data["delta"]?["stop_reason"] == "max_tokens")
        let closing = try AnthropicTest.events(encoder.finish())
        #expect(closing.map(\.name) == ["message_stop"])
    }

    /// A provider that repeats (partial) usage on every chunk: the final usage is the usage-only chunk's.
    @Test func partialUsageOnContentChunksIsNotFinal() throws {
        let partial = #"{"prompt_tokens": 25, "completion_tokens": 0, "total_tokens": 25}"#
        let finishWithUsage = Self.chunk(#"[{"index": 0, "delta": {}, "finish_reason": "stop"}]"#, usage: partial)
        var encoder = AnthropicClientCodec().streamEncoder()
        var names = try AnthropicTest.events(encoder.encode(Self.chunk(#"[{"index": 0, "delta": {"content": "Hi"}}]"#, usage: partial))).map(\.name)
        names += try AnthropicTest.events(encoder.encode(finishWithUsage)).map(\.name)
        #expect(!names.contains("message_delta"))
        let final = try AnthropicTest.events(encoder.encode(Self.usage))
        #expect(final.map(\.name) == ["message_delta"])
        #expect(final[0].data["usage"]?["output_tokens"] == 15)
        // Without a usage-only chunk, the last usage seen is reported at finish.
        var other = AnthropicClientCodec().streamEncoder()
        _ = other.encode(finishWithUsage)
        let closing = try AnthropicTest.events(other.finish())
        #expect(closing.map(\.name) == ["message_delta", "message_stop"])
        #expect(closing[0].data["usage"]?["input_tokens"] == 25)
    }

    @Test func parallelToolCallsBecomeSeparateBlocks() throws {
        let events = try run([
            Self.delta(#"{"role": "assistant", "content": "Let me check."}"#),
            Self.delta(#"{"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}"#),
            Self.delta(#"{"tool_calls": [{"index": 0, "function": {"arguments": "{\"ci"}}]}"#),
            Self.delta(#"{"tool_calls": [{"index": 0, "function": {"arguments": "ty\":\"P"}}]}"#),
            Self.delta(#"{"tool_calls": [{"index": 0, "function": {"arguments": "aris\"}"}}]}"#),
            Self.delta(#"{"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": "{\"tz\":"}}]}"#),
            Self.delta(#"{"tool_calls": [{"index": 1, "function": {"arguments": "\"CET\"}"}}]}"#),
            Self.delta("{}", finish: "tool_calls"), Self.usage,
        ])
        #expect(
            events.map(\.name) == [
                "message_start", "ping",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ])
        let starts = events.filter { $0.name == "content_block_start" }.map(\.data)
        #expect(starts.map { $0["index"] } == [0, 1, 2])
        #expect(AnthropicTest.same(starts[1]["content_block"], #"{"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {}}"#))
        #expect(AnthropicTest.same(starts[2]["content_block"], #"{"type": "tool_use", "id": "call_b", "name": "get_time", "input": {}}"#))
        func arguments(_ index: Int) -> String {
            events.filter { $0.name == "content_block_delta" && $0.data["index"]?.intValue == index }
                .compactMap { $0.data["delta"]?["partial_json"]?.stringValue }.joined()
        }
        #expect(arguments(1) == #"{"city":"Paris"}"#)
        #expect(arguments(2) == #"{"tz":"CET"}"#)
        #expect(events[14].data["delta"]?["stop_reason"] == "tool_use")
    }

    @Test func thinkingStreamsBeforeText() throws {
        let events = try run([
            Self.delta(#"{"role": "assistant", "thinking": "Hmm"}"#), Self.delta(#"{"thinking": ", ok."}"#),
            Self.delta(#"{"thinking_signature": "sig"}"#), Self.delta(#"{"content": "42"}"#), Self.delta("{}", finish: "stop"), Self.usage,
        ])
        let blockEvents = events.filter { $0.name?.hasPrefix("content_block") == true }.map(\.data)
        #expect(blockEvents[0]["content_block"]?["type"] == "thinking")
        #expect(blockEvents[1]["delta"] == AnthropicTest.json(#"{"type": "thinking_delta", "thinking": "Hmm"}"#))
        #expect(blockEvents[2]["delta"] == AnthropicTest.json(#"{"type": "thinking_delta", "thinking": ", ok."}"#))
        #expect(blockEvents[3]["delta"] == AnthropicTest.json(#"{"type": "signature_delta", "signature": "sig"}"#))
        #expect(blockEvents[4]["type"] == "content_block_stop")
        #expect(blockEvents[5]["content_block"]?["type"] == "text")
        #expect(blockEvents[5]["index"] == 1)
    }

    @Test func stopSequenceIsReported() throws {
        let finish = Self.chunk(#"[{"index": 0, "delta": {}, "finish_reason": "stop", "stop_sequence": "END"}]"#)
        let events = try run([Self.delta(#"{"content": "a"}"#), finish, Self.usage])
        let delta = events.first { $0.name == "message_delta" }?.data["delta"]
        #expect(AnthropicTest.same(delta, #"{"stop_reason": "stop_sequence", "stop_sequence": "END"}"#))
    }

    @Test func finishWithoutAnyChunkStillClosesTheMessage() throws {
        let events = try run([])
        #expect(events.map(\.name) == ["message_start", "ping", "message_delta", "message_stop"])
    }

    @Test func failSendsAnErrorEvent() throws {
        var encoder = AnthropicClientCodec().streamEncoder()
        _ = encoder.encode(Self.delta(#"{"content": "Hel"}"#))
        let events = try AnthropicTest.events(encoder.fail(GatewayError(.unavailable, "Overloaded")))
        #expect(events.count == 1)
        #expect(events[0].name == "error")
        #expect(events[0].data == AnthropicTest.json(#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#))
    }

    /// An Anthropic stream decoded to canonical chunks and encoded back is the same transcript.
    @Test func decodeThenEncodeRoundTripsARecordedStream() throws {
        let original = try AnthropicTest.sseEvents(AnthropicTest.fixture("tool_use_stream.sse"))
        var decoder = AnthropicProviderCodec(now: { 1 }).streamDecoder(model: "claude-opus-4-1-20250805")
        var encoder = AnthropicClientCodec().streamEncoder()
        var bytes: [UInt8] = []
        for event in original {
            for chunk in try decoder.decode(event) { bytes += encoder.encode(chunk) }
        }
        bytes += encoder.finish()
        // Pings may come anywhere; the empty first input_json_delta carries nothing and is not reproduced.
        let encoded = try AnthropicTest.events(bytes).filter { $0.name != "ping" }
        let kept = original.filter { $0.event != "ping" && !$0.data.contains(#""partial_json":"""#) }
        #expect(encoded.map(\.name) == kept.map(\.event))
        for (mine, theirs) in zip(encoded, kept) where mine.name?.hasPrefix("content_block") == true {
            #expect(AnthropicTest.sorted(mine.data) == AnthropicTest.sorted(AnthropicTest.json(theirs.data)))
        }
        let usage = encoded.first { $0.name == "message_delta" }?.data["usage"]
        #expect(AnthropicTest.same(usage, #"{"input_tokens": 472, "output_tokens": 89, "cache_creation_input_tokens": 10, "cache_read_input_tokens": 400}"#))
    }
}
