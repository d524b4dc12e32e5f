import Testing
import TriageCodecs
import TriageCore

@Suite struct AnthropicStreamDecoderTests {
    /// Every canonical chunk the decoder makes of a recorded transcript, and whether it completed.
    func decode(_ fixture: String, model: String = "triage/auto") throws -> (chunks: [JSONObject], complete: Bool) {
        var decoder = AnthropicProviderCodec(now: { 7 }).streamDecoder(model: model)
        var chunks: [JSONObject] = []
        for event in try AnthropicTest.sseEvents(AnthropicTest.fixture(fixture)) { chunks += try decoder.decode(event) }
        return (chunks, decoder.isComplete)
    }

    func deltas(_ chunks: [JSONObject]) -> [JSONValue] {
        chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"] }
    }

    @Test func textStream() throws {
        let (chunks, complete) = try decode("text_stream.sse")
        #expect(complete)
        #expect(chunks.allSatisfy { $0["id"] == "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY" && $0["object"] == "chat.completion.chunk" && $0["model"] == "triage/auto" && $0["created"] == 7 })
        #expect(
            deltas(chunks) == [
                ["role": "assistant", "content": ""], ["content": "Hello"], ["content": "!"], [:],
            ])
        #expect(chunks[3]["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        #expect(chunks.count == 5)
        #expect(chunks[4]["choices"] == [])
        #expect(
            AnthropicTest.same(
                chunks[4]["usage"],
                #"{"prompt_tokens": 25, "completion_tokens": 15, "total_tokens": 40, "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}}"#))
    }

    @Test func parallelToolUseStream() throws {
        let (chunks, complete) = try decode("tool_use_stream.sse")
        #expect(complete)
        let calls = deltas(chunks).compactMap { $0["tool_calls"]?.arrayValue?.first }
        #expect(
            AnthropicTest.same(
                calls.first,
                #"{"index": 0, "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "type": "function", "function": {"name": "get_weather", "arguments": ""}}"#))
        func arguments(_ index: Int) -> String {
            calls.filter { $0["index"]?.intValue == index }.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
        }
        #expect(arguments(0) == #"{"location": "San Francisco, CA"}"#)
        #expect(arguments(1) == #"{"tz": "America/Los_Angeles"}"#)
        #expect(calls.filter { $0["id"] != nil }.map { $0["function"]?["name"] } == ["get_weather", "get_time"])
        let text = deltas(chunks).compactMap { $0["content"]?.stringValue }.joined()
        #expect(text == "Okay, let's check the weather.")
        let finish = chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
        #expect(finish == ["tool_calls"])
        #expect(chunks.last?["choices"] == [])
        #expect(
            AnthropicTest.same(
                chunks.last?["usage"],
                #"{"prompt_tokens": 882, "completion_tokens": 89, "total_tokens": 971, "prompt_tokens_details": {"cached_tokens": 400, "cache_write_tokens": 10}}"#))
    }

    @Test func thinkingStream() throws {
        let (chunks, _) = try decode("thinking_stream.sse")
        let all = deltas(chunks)
        #expect(all.compactMap { $0["thinking"]?.stringValue }.joined() == "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3")
        #expect(all.compactMap { $0["thinking_signature"]?.stringValue } == ["EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"])
        #expect(all.compactMap { $0["content"]?.stringValue }.joined() == "27 * 453 = 12,231")
        #expect(chunks.last?["usage"]?["completion_tokens"] == 140)
    }

    @Test func overloadedErrorEventIsThrown() throws {
        var decoder = AnthropicProviderCodec().streamDecoder(model: "m")
        var chunks: [JSONObject] = []
        var thrown: GatewayError?
        for event in try AnthropicTest.sseEvents(AnthropicTest.fixture("overloaded_stream.sse")) {
            do { chunks += try decoder.decode(event) } catch { thrown = error }
        }
        #expect(thrown?.kind == .unavailable)
        #expect(thrown?.code == "overloaded_error")
        #expect(!decoder.isComplete)
        #expect(deltas(chunks).last == ["content": "Hel"])
    }

    @Test func stopSequenceAndUsageUpdatesInMessageDelta() throws {
        var decoder = AnthropicProviderCodec(now: { 1 }).streamDecoder(model: "m")
        _ = try decoder.decode(SSEEvent(event: "message_start", data: #"{"type":"message_start","message":{"id":"msg_x","usage":{"input_tokens":5,"output_tokens":1}}}"#))
        let out = try decoder.decode(
            SSEEvent(
                event: "message_delta",
                data: #"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"input_tokens":7,"cache_read_input_tokens":3,"output_tokens":4}}"#))
        #expect(out.count == 2)
        #expect(out[0]["choices"]?.arrayValue?.first?["stop_sequence"] == "END")
        #expect(out[0]["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        #expect(out[1]["usage"]?["prompt_tokens"] == 10)
        #expect(out[1]["usage"]?["completion_tokens"] == 4)
        #expect(try decoder.decode(SSEEvent(event: "message_stop", data: #"{"type":"message_stop"}"#)).isEmpty)
        #expect(decoder.isComplete)
        #expect(try decoder.decode(SSEEvent(event: "brand_new_event", data: #"{"type":"brand_new_event"}"#)).isEmpty)
    }

    @Test func structuredOutputToolStreamsAsContent() throws {
        var decoder = AnthropicProviderCodec(now: { 1 }).streamDecoder(model: "m")
        var chunks: [JSONObject] = []
        for data in [
            #"{"type":"message_start","message":{"id":"msg_j","usage":{"input_tokens":5,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_j","name":"triage_json_report","input":{}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"t\":"}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"21}"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}"#,
            #"{"type":"message_stop"}"#,
        ] {
            chunks += try decoder.decode(SSEEvent(data: data))
        }
        #expect(deltas(chunks).compactMap { $0["content"]?.stringValue }.joined() == #"{"t":21}"#)
        #expect(deltas(chunks).allSatisfy { $0["tool_calls"] == nil })
        #expect(chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue } == ["stop"])
    }

    @Test func garbageIsAnUpstreamError() {
        var decoder = AnthropicProviderCodec().streamDecoder(model: "m")
        #expect(throws: GatewayError.self) { try decoder.decode(SSEEvent(event: "message_start", data: "{nope")) }
    }

    /// The decoder with its text fast path switched off: `decode(_:)` for every event.
    struct SlowPathOnly: ProviderStreamDecoder {
        var inner: any ProviderStreamDecoder
        mutating func decode(_ event: SSEEvent) throws(GatewayError) -> [JSONObject] { try inner.decode(event) }
        var isComplete: Bool { inner.isComplete }
    }

    /// Text deltas written straight through, and pings and block stops skipped unread, give the
    /// bytes the parsed path writes, for recorded streams and for texts that must fall back
    /// (escapes, control bytes, other shapes) — whether a piece is read in place or by the
    /// parser, however the stream is cut.
    @Test func textFastPathWritesWhatDecodingWrites() throws {
        let start = #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\#n\#n"#
        var streams: [[UInt8]] = ["text_stream.sse", "tool_use_stream.sse", "thinking_stream.sse"].compactMap { try? AnthropicTest.fixture($0) }
        #expect(streams.count >= 2)
        let texts = ["Hello", "", " caf\u{e9} 東京 🚀", #"say \"hi\""#, #"line\nbreak"#, #"tab\u0009"#, "a/b <c> & d", String(repeating: "long ", count: 400)]
        var events = start + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        for (index, text) in texts.enumerated() {
            events += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":\(index),\"delta\":{\"type\":\"text_delta\",\"text\":\"\(text)\"}}\n\n"
        }
        events += #"event: content_block_delta\#ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "spaced"}}\#n\#n"#
        events += #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"no event name"}}\#n\#n"#
        events += #"event: message_stop\#ndata: {"type":"message_stop"}\#n\#n"#
        streams.append(Array(events.utf8))
        events = start + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
        events += "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":12,\"content_block\":{\"type\":\"text\",\"text\":\"pre\"}}\n\n"
        events += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":12,\"delta\":{\"type\":\"text_delta\",\"text\":\"post\"}}\n\n"
        events += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        events += #"event: message_stop\#ndata: {"type":"message_stop"}\#n\#n"#
        streams.append(Array(events.utf8))
        // The message events whose chunks are written as bytes, and those that fall back: a
        // stop sequence, no type, an id or usage missing, cache counts, a forced JSON tool.
        let deltas = [
            #"{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":9}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":4}}"#,
            #"{"delta":{"stop_reason":"refusal"},"usage":{"output_tokens":2,"cache_read_input_tokens":7,"input_tokens":30}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null}}"#,
        ]
        let starts = [
            #"{"type":"message_start","message":{"id":"msg_\u00e9\"q","usage":{"input_tokens":5,"cache_creation_input_tokens":3,"cache_read_input_tokens":2,"output_tokens":1}}}"#,
            #"{"type":"message_start","message":{"model":"x"}}"#,
            #"{"message":{"id":"msg_notype","usage":{"input_tokens":1}}}"#,
        ]
        for start in starts {
            for delta in deltas {
                var events = "event: message_start\ndata: \(start)\n\n"
                events += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
                events += "event: message_delta\ndata: \(delta)\n\n"
                events += #"event: message_stop\#ndata: {"type":"message_stop"}\#n\#n"#
                streams.append(Array(events.utf8))
            }
        }
        var structured = "event: message_start\ndata: \(starts[0])\n\n"
        structured += #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"triage_json_answer","input":{}}}\#n\#n"#
        structured += #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}\#n\#n"#
        structured += "event: message_delta\ndata: \(deltas[3])\n\n"
        structured += #"event: message_stop\#ndata: {"type":"message_stop"}\#n\#n"#
        streams.append(Array(structured.utf8))
        for stream in streams {
            for model in ["m", #"model "quoted" \ é"#] {
                var slow = CanonicalStreamTranscoder(decoder: SlowPathOnly(inner: AnthropicProviderCodec(now: { 7 }).streamDecoder(model: model)))
                let slowOut = slow.push(stream)
                #expect(slowOut.count > 150)
                #expect(String(decoding: slowOut, as: UTF8.self).hasSuffix("data: [DONE]\n\n"))
                for cut in [1, 7, 64, stream.count] {
                    var fast = CanonicalStreamTranscoder(decoder: AnthropicProviderCodec(now: { 7 }).streamDecoder(model: model))
                    var fastOut: [UInt8] = []
                    for start in stride(from: 0, to: stream.count, by: cut) { fastOut += fast.push(Array(stream[start..<min(stream.count, start + cut)])) }
                    #expect(fastOut == slowOut, "cut every \(cut)")
                }
            }
        }
    }
}
