import PropertyBased
import Testing
import TriageCodecs
import TriageCore

/// Every codec of the canonical chat, fed 100,000 generated inputs each (see `FuzzInput`): client
/// request decoders, provider request encoders, provider response and stream decoders and client
/// stream encoders. None may crash or hang, and each keeps its contract.
@Suite struct CodecFuzzTests {
    static let count = FuzzInput.count
    static let anthropicProvider = AnthropicProviderCodec(now: { 1_700_000_000 })
    static let geminiProvider = GeminiProviderCodec(now: { 1_700_000_000 })

    // MARK: Client request decoders

    @Test func anthropicClientRequestsDecodeOrAnswerAClientError() async {
        await checkClientRequests(AnthropicClientCodec(), input: FuzzInput.document(seeds: Seeds.anthropicRequests), name: "Anthropic")
    }

    @Test func responsesClientRequestsDecodeOrAnswerAClientError() async {
        await checkClientRequests(ResponsesClientCodec(), input: FuzzInput.document(seeds: Seeds.responsesRequests), name: "Responses")
    }

    /// bytes → JSON object (others skipped) → canonical body that `OpenAIChatRequest` accepts, or a 4xx.
    func checkClientRequests(_ codec: some ClientCodec, input: Generator<[UInt8], Shrink.None<[UInt8]>>, name: String) async {
        var decoded = 0
        var refused: Set<String> = []  // why OpenAIChatRequest refused canonical bodies (acceptable, reported)
        await propertyCheck(count: Self.count, input: input) { bytes in
            guard case .object(let body)? = try? JSONParser.parse(bytes) else { return }
            let canonical: JSONObject
            do throws(GatewayError) {
                canonical = try codec.canonicalRequest(from: body)
            } catch {
                #expect((400..<500).contains(error.httpStatus), "\(error)")
                return
            }
            decoded += 1
            do throws(GatewayError) {
                let request = try OpenAIChatRequest(body: canonical)
                #expect(!request.model.isEmpty)
            } catch {
                #expect([400, 404, 413].contains(error.httpStatus), "\(error)")
                if refused.count < 12 { refused.insert(error.message) }
            }
        }
        print("\(name) client codec: \(decoded) of \(Self.count) inputs decoded; OpenAIChatRequest refused canonical bodies with: \(refused.sorted())")
        #expect(decoded > Self.count / 20, "the generator should reach past validation")
    }

    // MARK: Provider request encoders

    @Test func anthropicProviderRequestsAreJSONOrAClientError() async {
        await checkProviderRequests(Self.anthropicProvider)
    }

    @Test func geminiProviderRequestsAreJSONOrAClientError() async {
        await checkProviderRequests(Self.geminiProvider)
    }

    func checkProviderRequests(_ codec: some ProviderCodec) async {
        var encoded = 0
        await propertyCheck(count: Self.count, input: FuzzInput.value(seeds: Seeds.canonicalRequests), Gen.bool(), Gen.int(in: 0...(Seeds.upstreamModels.count - 1))) {
            value, stream, model in
            guard case .object(let canonical) = value else { return }
            do throws(GatewayError) {
                let request = try codec.request(from: canonical, upstreamModel: Seeds.upstreamModels[model], stream: stream)
                guard case .object? = try? JSONParser.parse(request.body) else {
                    Issue.record("request body is not a JSON object: \(String(decoding: request.body, as: UTF8.self))")
                    return
                }
                #expect(request.path.hasPrefix("/"))
                encoded += 1
            } catch {
                #expect((400..<500).contains(error.httpStatus), "\(error)")
            }
        }
        #expect(encoded > Self.count / 20, "the generator should reach past validation")
    }

    // MARK: Provider response decoders

    @Test func anthropicCompletionsDecodeOrFail() async {
        await checkCompletions(Self.anthropicProvider, seeds: Seeds.anthropicResponses)
    }

    @Test func geminiCompletionsDecodeOrFail() async {
        await checkCompletions(Self.geminiProvider, seeds: Seeds.geminiResponses)
    }

    /// A canonical `chat.completion` or a `GatewayError`; a completion then encodes for both
    /// client formats (a JSON value or a `GatewayError`).
    func checkCompletions(_ codec: some ProviderCodec, seeds: [JSONValue]) async {
        var decoded = 0
        await propertyCheck(count: Self.count, input: FuzzInput.value(seeds: seeds)) { value in
            guard let completion = try? codec.completion(from: value, model: "m") else { return }
            decoded += 1
            #expect(completion["object"] == "chat.completion")
            #expect(completion["choices"]?.arrayValue?.first?["message"]?.objectValue != nil, "\(JSONWriter.string(.object(completion)))")
            #expect((try? JSONParser.parse(JSONWriter.bytes(.object(completion)))) == .object(completion))
            for client in [AnthropicClientCodec() as any ClientCodec, ResponsesClientCodec()] {
                if let body = try? client.response(from: completion) { #expect(body.objectValue != nil) }
            }
        }
        #expect(decoded > Self.count / 20, "the generator should reach past validation")
    }

    // MARK: Provider stream decoders

    @Test func anthropicStreamTranscodesTheSameWhateverTheSplit() async {
        await checkProviderStream(Self.anthropicProvider, seeds: Seeds.anthropicEvents)
    }

    @Test func geminiStreamTranscodesTheSameWhateverTheSplit() async {
        await checkProviderStream(Self.geminiProvider, seeds: Seeds.geminiEvents)
    }

    /// Canonical SSE out (`data:` JSON objects or `[DONE]`), the same bytes for one push as for
    /// the stream cut at two random points.
    func checkProviderStream(_ codec: some ProviderCodec, seeds: [SSEEvent]) async {
        var done = 0
        await propertyCheck(count: Self.count, input: FuzzInput.stream(seeds: seeds), Gen.int(in: 0...4096), Gen.int(in: 0...4096)) {
            bytes, first, second in
            var whole = CanonicalStreamTranscoder(decoder: codec.streamDecoder(model: "m"))
            let out = whole.push(bytes)
            let cuts = [min(first, second), max(first, second)].map { min($0, bytes.count) }
            var split = CanonicalStreamTranscoder(decoder: codec.streamDecoder(model: "m"))
            let pieces = split.push(Array(bytes[..<cuts[0]])) + split.push(Array(bytes[cuts[0]..<cuts[1]])) + split.push(Array(bytes[cuts[1]...]))
            #expect(out == pieces, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(whole.isFinished == split.isFinished)
            if Self.checkCanonicalSSE(out) { done += 1 }
        }
        #expect(done > Self.count / 50, "the generator should produce complete streams")
    }

    /// Whether `bytes` is whole SSE events whose data are JSON objects, ending with `[DONE]`.
    static func checkCanonicalSSE(_ bytes: [UInt8]) -> Bool {
        var parser = SSEParser()
        guard let events = try? parser.push(bytes) else {
            Issue.record("canonical output is not SSE: \(String(decoding: bytes, as: UTF8.self))")
            return false
        }
        #expect(!parser.hasPartialEvent, "\(String(decoding: bytes, as: UTF8.self))")
        for (index, event) in events.enumerated() {
            if event.data == "[DONE]" {
                #expect(index == events.count - 1, "[DONE] is the last event")
                continue
            }
            guard case .object? = try? JSONParser.parse(event.data) else {
                Issue.record("canonical data is not a JSON object: \(event.data)")
                continue
            }
        }
        return events.last?.data == "[DONE]"
    }

    // MARK: Client stream encoders

    @Test func anthropicClientStreamIsFramedAsSSE() async {
        await checkClientStream(AnthropicClientCodec())
    }

    @Test func responsesClientStreamIsFramedAsSSE() async {
        await checkClientStream(ResponsesClientCodec())
    }

    /// Canonical bytes (cut at a random point, sometimes broken off with `fail`) → whole SSE
    /// events of `event:` and `data:` lines whose data are JSON objects.
    func checkClientStream(_ codec: some ClientCodec) async {
        await propertyCheck(count: Self.count, input: FuzzInput.stream(seeds: Seeds.canonicalEvents), Gen.int(in: 0...4096), Gen.bool(0.2)) {
            bytes, cut, breaksOff in
            var transcoder = ClientStreamTranscoder(encoder: codec.streamEncoder())
            let at = min(cut, bytes.count)
            var out = transcoder.push(Array(bytes[..<at]))
            out += transcoder.push(Array(bytes[at...]))
            if breaksOff { out += transcoder.fail(GatewayError(.upstream, "broke off")) }
            Self.checkClientSSE(out, parsingData: cut % 4 == 0)  // JSON-parsing every fourth output keeps debug runs short
        }
    }

    /// Every line is `event: …` or `data: …`, every event has data and ends with a blank line;
    /// with `parsingData`, every event's data is a JSON object too.
    static func checkClientSSE(_ bytes: [UInt8], parsingData: Bool) {
        guard !bytes.isEmpty else { return }
        let eventPrefix = Array("event: ".utf8), dataPrefix = Array("data: ".utf8)
        var lineStart = 0
        var sawData = false
        var events = 0
        bytes.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index] == 0x0A {
                let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<index])
                lineStart = index + 1
                if line.isEmpty {
                    #expect(sawData, "event without data: \(String(decoding: bytes, as: UTF8.self))")
                    sawData = false
                    events += 1
                } else if line.starts(with: dataPrefix) {
                    sawData = true
                } else if !line.starts(with: eventPrefix) {
                    Issue.record("bad SSE line: \(String(decoding: line, as: UTF8.self))")
                }
            }
        }
        #expect(lineStart == bytes.count && !sawData, "output does not end with a whole event: \(String(decoding: bytes, as: UTF8.self))")
        guard parsingData else { return }
        var parser = SSEParser()
        let parsed = (try? parser.push(bytes)) ?? []
        #expect(parsed.count == events)
        for event in parsed where (try? JSONParser.parse(event.data))?.objectValue == nil {
            Issue.record("data is not a JSON object: \(event.data)")
        }
    }
}

/// Realistic documents of each format, the starting points of the mutator.
enum Seeds {
    static let upstreamModels = ["m", "claude-sonnet-4-5", "gemini-2.5-flash", "models/gemini-2.5-pro", "", "../x", "a b"]

    static let anthropicRequests: [JSONValue] = [
        #"""
        {"model": "claude-sonnet-4-5", "max_tokens": 1024,
         "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Big doc", "cache_control": {"type": "ephemeral"}}],
         "messages": [
           {"role": "user", "content": "Hello"},
           {"role": "assistant", "content": "Hi!"},
           {"role": "user", "content": [{"type": "text", "text": "Again", "cache_control": {"type": "ephemeral", "ttl": "5m"}},
             {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
             {"type": "image", "source": {"type": "url", "url": "https://x/cat.png"}}]}
         ],
         "stop_sequences": ["END"], "temperature": 0.2, "top_p": 0.9, "top_k": 40, "metadata": {"user_id": "u-1"}, "stream": true}
        """#,
        #"""
        {"model": "m", "max_tokens": 64000, "system": "Use tools.", "service_tier": "auto",
         "thinking": {"type": "enabled", "budget_tokens": 2048},
         "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}, "cache_control": {"type": "ephemeral"}},
                   {"name": "t2", "input_schema": {"type": "object"}}],
         "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
         "messages": [
           {"role": "user", "content": "Weather in Paris?"},
           {"role": "assistant", "content": [{"type": "thinking", "thinking": "Call the tool.", "signature": "sig"},
             {"type": "redacted_thinking", "data": "abc"},
             {"type": "text", "text": "Checking."},
             {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
             {"type": "tool_use", "id": "toolu_2", "name": "t2", "input": {}}]},
           {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
             {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": true, "content": [{"type": "text", "text": "boom"}]},
             {"type": "text", "text": "Thanks"}]}
         ]}
        """#,
        #"{"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}], "tool_choice": {"type": "tool", "name": "f"}, "tools": [{"name": "f", "input_schema": {"type": "object"}}]}"#,
        #"{"model": "m", "max_tokens": 5, "messages": [], "tool_choice": {"type": "none"}, "thinking": {"type": "disabled"}}"#,
    ].map(FuzzInput.json)

    static let responsesRequests: [JSONValue] = [
        #"{"model": "triage/auto", "instructions": "Be brief.", "input": "Hi", "max_output_tokens": 50, "temperature": 1, "user": "u", "store": false}"#,
        #"""
        {"model": "m", "stream": true,
         "input": [
           {"role": "developer", "content": "Use tools."},
           {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Look:"}, {"type": "input_image", "image_url": "https://x/cat.png", "detail": "low"}]},
           {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking.", "annotations": []}]},
           {"type": "function_call", "call_id": "call_1", "name": "a", "arguments": "{}"},
           {"type": "function_call", "call_id": "call_2", "name": "b", "arguments": "{\"x\":1}"},
           {"type": "function_call_output", "call_id": "call_1", "output": "one"},
           {"type": "function_call_output", "call_id": "call_2", "output": "two"},
           {"type": "reasoning", "id": "rs_1", "summary": []}
         ],
         "tools": [{"type": "function", "name": "a", "description": "A", "parameters": {"type": "object"}, "strict": true}, {"type": "function", "name": "b"}],
         "tool_choice": {"type": "function", "name": "a"},
         "parallel_tool_calls": true,
         "reasoning": {"effort": "low"},
         "text": {"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": true}},
         "truncation": "disabled", "include": [], "previous_response_id": null}
        """#,
        #"{"model": "m", "input": [{"role": "user", "content": "x"}], "tool_choice": "required", "text": {"format": {"type": "json_object"}}, "metadata": {"a": "b"}}"#,
        #"{"model": "m", "input": [{"role": "system", "content": "s"}], "tool_choice": "none", "text": {"format": {"type": "text"}, "verbosity": "low"}}"#,
    ].map(FuzzInput.json)

    /// Canonical requests: hand-written ones and what the client codecs make of their seeds.
    static let canonicalRequests: [JSONValue] = [
        #"""
        {"model": "triage/auto", "messages": [
           {"role": "system", "content": "You are a careful coding agent."},
           {"role": "developer", "content": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]},
           {"role": "user", "content": [{"type": "text", "text": "Look"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
             {"type": "image_url", "image_url": {"url": "https://x/cat.jpg"}}]},
           {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\":\"a\"}"}}],
            "thinking_blocks": [{"type": "thinking", "thinking": "t", "signature": "s"}]},
           {"role": "tool", "tool_call_id": "call_1", "content": "file contents"},
           {"role": "assistant", "content": "Done.", "refusal": null},
           {"role": "user", "content": "Thanks", "name": "bob"}],
         "tools": [{"type": "function", "function": {"name": "read_file", "description": "Read", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}, "strict": true}, "cache_control": {"type": "ephemeral"}}],
         "tool_choice": {"type": "function", "function": {"name": "read_file"}}, "parallel_tool_calls": true,
         "temperature": 0.2, "top_p": 1, "stop": ["END"], "max_completion_tokens": 100, "stream": true, "stream_options": {"include_usage": true},
         "metadata": {"role": "worker"}, "user": "u", "thinking": {"type": "enabled", "budget_tokens": 1024}, "seed": 7, "n": 1}
        """#,
        #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}, "max_tokens": 5, "stop": "X", "reasoning_effort": "low", "top_k": 3}"#,
        #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}, "tool_choice": "required", "logprobs": false, "presence_penalty": 0.5, "frequency_penalty": 0}"#,
    ].map(FuzzInput.json) + derivedCanonicalRequests

    static var derivedCanonicalRequests: [JSONValue] {
        let anthropic = anthropicRequests.compactMap { try? AnthropicClientCodec().canonicalRequest(from: $0.objectValue!) }
        let responses = responsesRequests.compactMap { try? ResponsesClientCodec().canonicalRequest(from: $0.objectValue!) }
        return (anthropic + responses).map(JSONValue.object)
    }

    static let anthropicResponses: [JSONValue] = [
        FuzzInput.json(String(decoding: FuzzInput.fixture("anthropic/message_tool_use.json"), as: UTF8.self)),
        FuzzInput.json(
            #"{"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [{"type": "text", "text": "Hi"}], "stop_reason": "stop_sequence", "stop_sequence": "END", "usage": {"input_tokens": 3, "output_tokens": 1}}"#),
        FuzzInput.json(
            #"{"id": "msg_2", "type": "message", "role": "assistant", "model": "m", "content": [{"type": "tool_use", "id": "t", "name": "triage_json_out", "input": {"a": 1}}], "stop_reason": "tool_use", "usage": {"input_tokens": 3, "output_tokens": 1}}"#),
        FuzzInput.json(String(decoding: FuzzInput.fixture("anthropic/error_prompt_too_long.json"), as: UTF8.self)),
    ]

    static let geminiResponses: [JSONValue] = [
        FuzzInput.json(String(decoding: FuzzInput.fixture("gemini/response-thinking.json"), as: UTF8.self)),
        FuzzInput.json(
            #"{"candidates": [{"content": {"parts": [{"text": "a"}, {"functionCall": {"id": "c1", "name": "f", "args": {"x": 1}}}, {"functionCall": {"name": "g"}}], "role": "model"}, "finishReason": "MAX_TOKENS"}], "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 2, "thoughtsTokenCount": 3}, "responseId": "r"}"#),
        FuzzInput.json(#"{"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 4}}"#),
        FuzzInput.json(String(decoding: FuzzInput.fixture("gemini/error-429.json"), as: UTF8.self)),
    ]

    static let anthropicEvents: [SSEEvent] =
        ["text_stream.sse", "thinking_stream.sse", "tool_use_stream.sse", "overloaded_stream.sse"].flatMap { FuzzInput.fixtureEvents("anthropic/" + $0) }
        + [
            SSEEvent(event: "content_block_start", data: #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"triage_json_out","input":{}}}"#),
            SSEEvent(event: "content_block_delta", data: #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#),
            SSEEvent(event: "message_delta", data: #"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":5,"input_tokens":3,"cache_read_input_tokens":2,"cache_creation_input_tokens":1}}"#),
            SSEEvent(event: "content_block_start", data: #"{"type":"content_block_start","index":2,"content_block":{"type":"redacted_thinking","data":"x"}}"#),
        ]

    static let geminiEvents: [SSEEvent] =
        ["stream-text.sse", "stream-function-calls.sse"].flatMap { FuzzInput.fixtureEvents("gemini/" + $0) }
        + [
            SSEEvent(data: #"{"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"}}]}"#),
            SSEEvent(data: #"{"candidates":[{"content":{"parts":[{"text":"hmm","thought":true}],"role":"model"}}],"responseId":"r1"}"#),
            SSEEvent(data: #"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#),
            SSEEvent(data: #"{"promptFeedback":{"blockReason":"SAFETY"}}"#),
            SSEEvent(data: #"{"candidates":[{"content":{"parts":[],"role":"model"},"finishReason":"SAFETY"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}"#),
        ]

    /// Canonical chunk events: what the provider stream decoders make of their seeds, plus chunks
    /// only other providers send (stop sequences, interleaved tool calls, errors).
    static let canonicalEvents: [SSEEvent] = {
        var events: [SSEEvent] = []
        for (codec, seeds) in [(CodecFuzzTests.anthropicProvider as any ProviderCodec, anthropicEvents), (CodecFuzzTests.geminiProvider, geminiEvents)] {
            var transcoder = CanonicalStreamTranscoder(decoder: codec.streamDecoder(model: "m"))
            var parser = SSEParser()
            for seed in seeds {
                events += (try? parser.push(transcoder.push(SSEWriter.data(seed.data, event: seed.event)))) ?? []
            }
        }
        let chunk = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"#
        return events + [
            #"\#(chunk){"role":"assistant","content":"","refusal":null},"finish_reason":null}]}"#,
            #"\#(chunk){"tool_calls":[{"index":0,"id":"c0","type":"function","function":{"name":"a","arguments":""}}]},"finish_reason":null}]}"#,
            #"\#(chunk){"tool_calls":[{"index":1,"id":"c1","type":"function","function":{"name":"b","arguments":"{\"x\""}}]},"finish_reason":null}]}"#,
            #"\#(chunk){"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}"#,
            #"\#(chunk){"thinking":"hmm","thinking_signature":"sig"},"finish_reason":null}]}"#,
            #"\#(chunk){},"finish_reason":"stop","stop_sequence":"END"}]}"#,
            #"\#(chunk){},"finish_reason":"length"}]}"#,
            #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4,"cache_write_tokens":2},"completion_tokens_details":{"reasoning_tokens":1}}}"#,
            #"{"error":{"message":"overloaded","type":"service_unavailable","code":"overloaded_error"}}"#,
            #"{"error":{"message":"x","type":"nope"}}"#,
        ].map { SSEEvent(data: $0) }
    }()
}
