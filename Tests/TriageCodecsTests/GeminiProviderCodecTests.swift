import Testing
@testable import TriageCodecs
import TriageCore

/// Fixtures under `Fixtures/gemini/`, found next to this file (no package resources).
enum GeminiFixture {
    static func bytes(_ name: String, file: String = #filePath) throws -> [UInt8] {
        let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let path = directory + "/Fixtures/gemini/" + name
        guard let handle = fopen(path, "rb") else { throw FixtureMissing(path: path) }
        defer { fclose(handle) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count <= 0 { break }
            out += buffer[0..<count]
        }
        return out
    }

    struct FixtureMissing: Error { var path: String }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct GeminiProviderCodecTests {
    let codec = GeminiProviderCodec(now: { 1_700_000_000 })

    func body(_ canonical: JSONValue, stream: Bool = false) throws -> (path: String, body: JSONValue) {
        let request = try codec.request(from: canonical.objectValue!, upstreamModel: "gemini-2.5-flash", stream: stream)
        return (request.path, try JSONParser.parse(request.body))
    }

    func rejects(_ canonical: JSONValue, param: String) {
        do {
            _ = try codec.request(from: canonical.objectValue!, upstreamModel: "gemini-2.5-flash", stream: false)
            Issue.record("expected a 400 for \(param)")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(error.httpStatus == 400)
            #expect(error.param == param, "\(error.message)")
        }
    }

    @Test func pathsAndSystemInstruction() throws {
        let canonical: JSONValue = [
            "model": "triage/auto", "stream": true,
            "messages": [["role": "system", "content": "Be brief."], ["role": "developer", "content": [["type": "text", "text": "No emoji."]]], ["role": "user", "content": "Hi"]],
        ]
        let (path, body) = try self.body(canonical, stream: true)
        #expect(path == "/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(try self.body(canonical).path == "/models/gemini-2.5-flash:generateContent")
        #expect(body["systemInstruction"] == ["parts": [["text": "Be brief."], ["text": "No emoji."]]])
        #expect(body["contents"] == [["role": "user", "parts": [["text": "Hi"]]]])
        #expect(body["generationConfig"] == nil)
        let tuned = try codec.request(from: canonical.objectValue!, upstreamModel: "tunedModels/mine", stream: false)
        #expect(tuned.path == "/tunedModels/mine:generateContent")
        #expect(tuned.headers.isEmpty)
        // A model name goes into the path: only names Gemini could have.
        for bad in ["", "/models/x", "models/../admin", "a..b", "x?alt=json", "x y", "gémini"] {
            #expect(throws: GatewayError.self, "\(bad)") { try codec.request(from: canonical.objectValue!, upstreamModel: bad, stream: false) }
        }
        #expect(try codec.request(from: canonical.objectValue!, upstreamModel: "gemini-2.5-flash-lite.v1_x", stream: false).path == "/models/gemini-2.5-flash-lite.v1_x:generateContent")
    }

    @Test func multiTurnAndImages() throws {
        let (_, body) = try self.body([
            "model": "m",
            "messages": [
                ["role": "user", "content": [["type": "text", "text": "What is this?", "cache_control": ["type": "ephemeral"]], ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBORw0KGgo="]]]],
                ["role": "assistant", "content": "A cat."],
                ["role": "user", "content": [["type": "image_url", "image_url": ["url": "https://example.com/dog.jpg", "detail": "high"]]]],
            ],
        ])
        #expect(
            body["contents"] == [
                ["role": "user", "parts": [["text": "What is this?"], ["inlineData": ["mimeType": "image/png", "data": "iVBORw0KGgo="]]]],
                ["role": "model", "parts": [["text": "A cat."]]],
                ["role": "user", "parts": [["fileData": ["mimeType": "image/jpeg", "fileUri": "https://example.com/dog.jpg"]]]],
            ])
    }

    @Test func toolsToolCallsAndResultsWithResolvedNames() throws {
        let (_, body) = try self.body([
            "model": "m",
            "messages": [
                ["role": "user", "content": "Weather and time in Paris?"],
                [
                    "role": "assistant", "content": nil,
                    "tool_calls": [
                        ["id": "call_a", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]],
                        ["id": "call_b", "type": "function", "function": ["name": "get_time", "arguments": #"{"zone":"CET"}"#]],
                    ],
                ],
                ["role": "tool", "tool_call_id": "call_a", "content": #"{"temp":21}"#],
                ["role": "tool", "tool_call_id": "call_b", "content": "12:00"],
            ],
            "tools": [
                [
                    "type": "function",
                    "function": [
                        "name": "get_weather", "description": "Weather", "strict": true,
                        "parameters": ["$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": ["city": ["type": "string"]], "additionalProperties": false],
                    ],
                ],
                ["type": "function", "function": ["name": "get_time"]],
            ],
            "tool_choice": ["type": "function", "function": ["name": "get_weather"]],
        ])
        #expect(
            body["contents"]?.arrayValue?.dropFirst() == [
                ["role": "model", "parts": [["functionCall": ["name": "get_weather", "args": ["city": "Paris"]]], ["functionCall": ["name": "get_time", "args": ["zone": "CET"]]]]],
                [
                    "role": "user",
                    "parts": [
                        ["functionResponse": ["name": "get_weather", "response": ["temp": 21]]],
                        ["functionResponse": ["name": "get_time", "response": ["result": "12:00"]]],
                    ],
                ],
            ])
        #expect(
            body["tools"] == [
                [
                    "functionDeclarations": [
                        ["name": "get_weather", "description": "Weather", "parametersJsonSchema": ["type": "object", "properties": ["city": ["type": "string"]], "additionalProperties": false]],
                        ["name": "get_time"],
                    ]
                ]
            ])
        #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["get_weather"]]])
    }

    @Test(arguments: [("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")])
    func toolChoiceModes(choice: String, mode: String) throws {
        let (_, body) = try self.body(["model": "m", "messages": [["role": "user", "content": "x"]], "tool_choice": .string(choice)])
        #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": .string(mode)]])
    }

    @Test func generationConfigJSONSchemaStopAndThinking() throws {
        let (_, body) = try self.body([
            "model": "m", "messages": [["role": "user", "content": "x"]],
            "response_format": ["type": "json_schema", "json_schema": ["name": "answer", "strict": true, "schema": ["type": "object", "properties": ["a": ["type": "integer"]]]]],
            "stop": ["END", "STOP"], "max_completion_tokens": 100, "temperature": .number("0.2"), "top_p": .number("0.9"), "seed": 7,
            "presence_penalty": .number("0.5"), "frequency_penalty": .number("0.25"), "n": 1, "logprobs": false,
            "thinking": ["type": "enabled", "budget_tokens": 2048], "user": "u1", "metadata": ["k": "v"],
        ])
        #expect(
            body["generationConfig"] == [
                "responseMimeType": "application/json", "responseJsonSchema": ["type": "object", "properties": ["a": ["type": "integer"]]],
                "stopSequences": ["END", "STOP"], "maxOutputTokens": 100, "temperature": .number("0.2"), "topP": .number("0.9"), "seed": 7,
                "presencePenalty": .number("0.5"), "frequencyPenalty": .number("0.25"), "thinkingConfig": ["thinkingBudget": 2048],
            ])
        let (_, json) = try self.body(["model": "m", "messages": [["role": "user", "content": "x"]], "response_format": ["type": "json_object"], "stop": "X", "max_tokens": 5])
        #expect(json["generationConfig"] == ["responseMimeType": "application/json", "stopSequences": ["X"], "maxOutputTokens": 5])
    }

    @Test func inexpressibleFieldsAre400s() {
        let user: JSONValue = ["role": "user", "content": "x"]
        rejects(["model": "m", "messages": [user], "n": 2], param: "n")
        rejects(["model": "m", "messages": [user], "logprobs": true], param: "logprobs")
        rejects(["model": "m", "messages": [user], "logit_bias": ["1": 2]], param: "logit_bias")
        rejects(["model": "m", "messages": [user], "parallel_tool_calls": false], param: "parallel_tool_calls")
        rejects(["model": "m", "messages": [user], "tools": [["type": "web_search"]]], param: "tools[0]")
        rejects(["model": "m", "messages": [["role": "user", "name": "bob", "content": "x"]]], param: "messages[0].name")
        rejects(["model": "m", "messages": [user, ["role": "assistant", "content": "y", "thinking_blocks": [["type": "thinking", "thinking": "t", "signature": "s"]]]]], param: "messages[1].thinking_blocks")
        rejects(["model": "m", "messages": [user, ["role": "tool", "tool_call_id": "call_unknown", "content": "r"]]], param: "messages[1].tool_call_id")
        rejects(["model": "m", "messages": [["role": "user", "content": [["type": "image_url", "image_url": ["url": "ftp://x/y.png"]]]]]], param: "messages[0].content[0].image_url.url")
        rejects(["model": "m", "messages": [["role": "user", "content": [["type": "file", "file": ["file_id": "file-1"]]]]]], param: "messages[0].content[0].file")
        rejects(["model": "m", "messages": [["role": "system", "content": "only system"]]], param: "messages")
        rejects(["model": "m", "messages": [user], "response_format": ["type": "json_schema", "json_schema": ["name": "x"]]], param: "response_format.json_schema.schema")
    }

    @Test func responseTranslation() throws {
        let body = try JSONParser.parse(
            #"{"candidates":[{"content":{"parts":[{"text":"Hello"},{"text":" there"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"abc"}"#)
        let completion = try codec.completion(from: body, model: "triage/auto")
        #expect(completion["id"] == "chatcmpl-abc")
        #expect(completion["object"] == "chat.completion")
        #expect(completion["created"] == 1_700_000_000)
        #expect(completion["model"] == "triage/auto")
        #expect(completion["choices"] == [["index": 0, "message": ["role": "assistant", "content": "Hello there", "refusal": nil], "logprobs": nil, "finish_reason": "stop"]])
        #expect(
            completion["usage"] == [
                "prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "prompt_tokens_details": ["cached_tokens": 0],
                "completion_tokens_details": ["reasoning_tokens": 0],
            ])
    }

    @Test func functionCallResponseHasDeterministicIDs() throws {
        let body = try JSONParser.parse(
            #"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}],"role":"model"},"finishReason":"STOP"}],"responseId":"r1"}"#)
        let first = try codec.completion(from: body, model: "m")
        let message = first["choices"]?.geminiAt(0)?["message"]
        #expect(message?["content"] == .null)
        let call = message?["tool_calls"]?.geminiAt(0)
        #expect(call?["function"] == ["name": "get_weather", "arguments": #"{"city":"Paris"}"#])
        #expect(call?["id"]?.stringValue?.hasPrefix("call_") == true)
        #expect(call?["id"]?.stringValue?.count == 29)
        #expect(try codec.completion(from: body, model: "m")["choices"]?.geminiAt(0)?["message"]?["tool_calls"]?.geminiAt(0)?["id"] == call?["id"])
        #expect(first["choices"]?.geminiAt(0)?["finish_reason"] == "tool_calls")
    }

    @Test func thoughtsAreReasoningAndCountedAsCompletionTokens() throws {
        let completion = try codec.completion(from: try JSONParser.parse(try GeminiFixture.bytes("response-thinking.json")), model: "m")
        #expect(completion["choices"]?.geminiAt(0)?["message"]?["content"] == "9.11 is smaller than 9.9.")
        #expect(
            completion["usage"] == [
                "prompt_tokens": 12, "completion_tokens": 309, "total_tokens": 321, "prompt_tokens_details": ["cached_tokens": 8],
                "completion_tokens_details": ["reasoning_tokens": 300],
            ])
    }

    @Test(arguments: [("MAX_TOKENS", "length"), ("SAFETY", "content_filter"), ("RECITATION", "content_filter"), ("PROHIBITED_CONTENT", "content_filter"), ("STOP", "stop")])
    func finishReasons(gemini: String, canonical: String) throws {
        let body: JSONValue = ["candidates": [["content": ["parts": [["text": "x"]], "role": "model"], "finishReason": .string(gemini)]]]
        #expect(try codec.completion(from: body, model: "m")["choices"]?.geminiAt(0)?["finish_reason"] == .string(canonical))
    }

    @Test func blockedPromptIsAFilteredEmptyAnswer() throws {
        let body: JSONValue = ["promptFeedback": ["blockReason": "SAFETY"], "usageMetadata": ["promptTokenCount": 4, "totalTokenCount": 4]]
        let completion = try codec.completion(from: body, model: "m")
        #expect(completion["choices"]?.geminiAt(0)?["finish_reason"] == "content_filter")
        #expect(completion["choices"]?.geminiAt(0)?["message"]?["content"] == .null)
        #expect(completion["usage"]?["prompt_tokens"] == 4)
    }

    func decode(_ fixture: String) throws -> (chunks: [JSONObject], complete: Bool) {
        var parser = SSEParser()
        var decoder = codec.streamDecoder(model: "triage/auto")
        var chunks: [JSONObject] = []
        for event in try parser.push(try GeminiFixture.bytes(fixture)) { chunks += try decoder.decode(event) }
        return (chunks, decoder.isComplete)
    }

    /// Events read in place, with their common chunks written as bytes, give what decoding each
    /// `SSEEvent` gives, for the recorded streams and for a changing response id, escapes, a
    /// blocked prompt, an error event and garbage — however the stream is cut.
    @Test func streamFastPathWritesWhatDecodingWrites() throws {
        var streams = try ["stream-text.sse", "stream-function-calls.sse"].map { try GeminiFixture.bytes($0) }
        let events = [
            #"{"candidates":[{"content":{"parts":[{"text":"say \"hi\"\n"}],"role":"model"},"index":0}],"responseId":"r1"}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"caf\u00e9 東京"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":3},"responseId":"r2"}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"end"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"responseId":"r2"}"#,
        ]
        streams.append(Array(events.map { "data: \($0)\r\n\r\n" }.joined().utf8))
        streams.append(Array(events.map { "data: \($0)\n\n" }.joined().utf8))
        streams.append(Array(#"data: {"promptFeedback":{"blockReason":"SAFETY"},"responseId":"b"}\#n\#n"#.utf8))
        streams.append(Array((#"data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}\#n\#n"# + #"data: {"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}\#n\#n"#).utf8))
        streams.append(Array((#"data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}\#n\#n"# + "data: {nope\n\n").utf8))
        for stream in streams {
            var slow = CanonicalStreamTranscoder(decoder: AnthropicStreamDecoderTests.SlowPathOnly(inner: codec.streamDecoder(model: "m")))
            let slowOut = slow.push(stream)
            #expect(slowOut.count > 100)
            for cut in [1, 7, 64, stream.count] {
                var fast = CanonicalStreamTranscoder(decoder: codec.streamDecoder(model: "m"))
                var fastOut: [UInt8] = []
                for start in stride(from: 0, to: stream.count, by: cut) { fastOut += fast.push(Array(stream[start..<min(stream.count, start + cut)])) }
                #expect(fastOut == slowOut, "cut every \(cut)")
            }
        }
    }

    /// Text events read in place (`GeminiTextEvent`) against the same events parsed as trees, on
    /// thousands of generated events: every shape of parts, strings with escapes, raw UTF-8 and
    /// bad bytes, usage, ids and finish reasons of the right and the wrong type, duplicate and
    /// escaped keys, spacing, and random damage. Both paths must write the same bytes.
    @Test func textEventsReadInPlaceMatchTheParsedEvents() {
        var random = SystemRandomNumberGenerator()
        let texts = [
            #""plain words""#, #""""#, #""say \"hi\"\n""#, #""caf\u00e9 \ud83d\ude00""#, "\"café 東京\"", "\"bad \u{1}\"", #""\ud800 alone""#, #""\x""#,
        ]
        let parts = [
            "[{\"text\": TEXT}]", "[{\"text\":TEXT},{\"text\":TEXT}]", "[]", "[{\"text\":TEXT,\"thought\":true}]", "[{\"thought\":true,\"text\":TEXT}]",
            #"[{"functionCall":{"name":"f","args":{"a":1}}}]"#, "[{\"text\":TEXT,\"text\":TEXT}]", "[{\"te\\u0078t\":TEXT}]", "[TEXT]", "{\"text\":TEXT}",
        ]
        let candidates = [
            "[{\"content\":{\"parts\":PARTS,\"role\":\"model\"},\"index\":0}]", "[{\"content\":{\"role\":\"model\",\"parts\":PARTS},\"finishReason\":FINISH}]",
            "[{\"content\":{\"parts\":PARTS},\"safetyRatings\":[{\"category\":\"X\",\"probability\":\"NEGLIGIBLE\"}]},{\"content\":{}}]", "[]", "[7]",
            "[{\"content\":\"no\"}]", "[{\"content\":{\"parts\":PARTS},\"content\":{\"parts\":PARTS}}]",
        ]
        let finishes = [#""STOP""#, #""MAX_TOKENS""#, #""SAFETY""#, "3", "null"]
        let tails = [
            "", #","usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5,"promptTokensDetails":[{"modality":"TEXT","tokenCount":3}]}"#,
            #","usageMetadata":7"#, #","responseId":"r1""#, #","responseId":"r\u0031""#, #","responseId":5"#, #","modelVersion":"gemini-2.5-flash","responseId":"r2""#,
            #","responseId":"r1","responseId":"r3""#, #","promptFeedback":{"blockReason":"SAFETY"}"#, #","error":{"code":500,"message":"x"}"#, #","candid\u0061tes":[]"#,
        ]
        /// The first option half of the time (the common, valid shape), else any.
        func pick(_ options: [String]) -> String { Bool.random(using: &random) ? options[0] : options[Int.random(in: 0..<options.count, using: &random)] }
        func event() -> String {
            var parts = pick(parts)
            while let range = parts.range(of: "TEXT") { parts.replaceSubrange(range, with: pick(texts)) }
            var candidate = pick(candidates).replacingOccurrences(of: "PARTS", with: parts)
            if Bool.random(using: &random) { candidate = candidate.replacingOccurrences(of: ",\"index\":0", with: ",\"finishReason\":\(pick(finishes))") }
            candidate = candidate.replacingOccurrences(of: "FINISH", with: pick(finishes))
            var text = Bool.random(using: &random) ? "{\"candidates\":\(candidate)\(pick(tails))}" : "{\"responseId\":\"r0\"\(pick(tails)),\"candidates\":\(candidate)}"
            if Int.random(in: 0..<4, using: &random) == 0 { text = text.replacingOccurrences(of: ":", with: ": ").replacingOccurrences(of: ",", with: " ,\t") }
            var bytes = Array(text.utf8)
            switch Int.random(in: 0..<16, using: &random) {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0x20...0x7e, using: &random)
            case 1: bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
            case 2: bytes.insert(0xff, at: Int.random(in: 0...bytes.count, using: &random))
            default: break
            }
            return String(decoding: bytes.filter { $0 != 0x0a && $0 != 0x0d }, as: UTF8.self)
        }
        var inPlace = 0
        var events = 0
        for _ in 0..<4_000 {
            let generated = (0..<Int.random(in: 1...4, using: &random)).map { _ in event() }
            events += generated.count
            for event in generated where (try? Array(event.utf8).withUnsafeBufferPointer { try GeminiTextEvent($0) }) != nil { inPlace += 1 }
            let stream = Array(generated.map { "data: \($0)\n\n" }.joined().utf8)
            var slow = CanonicalStreamTranscoder(decoder: AnthropicStreamDecoderTests.SlowPathOnly(inner: codec.streamDecoder(model: "m")))
            var fast = CanonicalStreamTranscoder(decoder: codec.streamDecoder(model: "m"))
            let expected = slow.push(stream)
            #expect(fast.push(stream) == expected, "\(String(decoding: stream, as: UTF8.self))")
        }
        // The generator makes both kinds: events read in place, and events left to the parser.
        #expect(inPlace > events / 10)
        #expect(inPlace < events * 4 / 5)
    }

    @Test func streamedText() throws {
        let (chunks, complete) = try decode("stream-text.sse")
        #expect(complete)
        #expect(chunks.count == 6)
        #expect(chunks.map { $0["choices"]?.geminiAt(0)?["delta"] } == [["role": "assistant", "content": ""], ["content": "The"], ["content": " quick brown fox"], ["content": " jumps."], [:], nil])
        #expect(chunks[4]["choices"]?.geminiAt(0)?["finish_reason"] == "stop")
        #expect(chunks.allSatisfy { $0["id"] == "chatcmpl-Xy9ZaOKvJbSo1MkP1tWJ0QY" && $0["object"] == "chat.completion.chunk" })
        #expect(chunks[5]["choices"] == [])
        #expect(
            chunks[5]["usage"] == [
                "prompt_tokens": 8, "completion_tokens": 32, "total_tokens": 40, "prompt_tokens_details": ["cached_tokens": 4],
                "completion_tokens_details": ["reasoning_tokens": 26],
            ])
    }

    @Test func streamedParallelFunctionCalls() throws {
        let (chunks, complete) = try decode("stream-function-calls.sse")
        #expect(complete)
        #expect(chunks.count == 5)
        let calls = chunks[1...2].map { $0["choices"]?.geminiAt(0)?["delta"]?["tool_calls"]?.geminiAt(0) }
        #expect(calls.map { $0?["index"] } == [0, 1])
        #expect(calls.map { $0?["function"] } == [["name": "get_weather", "arguments": #"{"city":"Paris"}"#], ["name": "get_time", "arguments": #"{"zone":"Europe/Paris"}"#]])
        #expect(calls.allSatisfy { $0?["id"]?.stringValue?.hasPrefix("call_") == true && $0?["type"] == "function" })
        #expect(chunks[3]["choices"]?.geminiAt(0)?["finish_reason"] == "tool_calls")
        #expect(chunks[4]["usage"]?["completion_tokens"] == 18)
    }

    @Test func streamThatStopsEarlyIsIncompleteAndInStreamErrorsThrow() throws {
        var decoder = codec.streamDecoder(model: "m")
        _ = try decoder.decode(SSEEvent(data: #"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}"#))
        #expect(!decoder.isComplete)
        do {
            _ = try decoder.decode(SSEEvent(data: #"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unavailable)
        }
    }

    @Test func errorDetails() throws {
        let quota = codec.errorDetail(status: 429, body: try JSONParser.parse(try GeminiFixture.bytes("error-429.json")))
        #expect(quota.type == "RESOURCE_EXHAUSTED")
        #expect(quota.message?.hasPrefix("You exceeded your current quota") == true)
        #expect(!quota.isContextLength && !quota.isOverloaded)
        let overloaded = codec.errorDetail(status: 503, body: ["error": ["code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"]])
        #expect(overloaded.isOverloaded)
        let long = codec.errorDetail(
            status: 400, body: ["error": ["code": 400, "message": "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", "status": "INVALID_ARGUMENT"]])
        #expect(long.isContextLength && long.type == "INVALID_ARGUMENT")
        let key = codec.errorDetail(status: 400, body: ["error": ["code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"]])
        #expect(!key.isContextLength && !key.isOverloaded)
        #expect(codec.errorDetail(status: 500, body: nil) == ProviderErrorDetail())
    }
}

extension JSONValue {
    /// The array element at `index`, or `nil`.
    func geminiAt(_ index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
