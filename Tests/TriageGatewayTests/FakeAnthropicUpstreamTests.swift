import AsyncHTTPClient
import NIOCore
import Testing
import TriageCodecs
import TriageCore
import TriageFakeUpstream

/// The fake Anthropic upstream over real HTTP: Anthropic's wire shapes, read back through the
/// Anthropic provider codec, and the scripted failures.
@Suite struct FakeAnthropicUpstreamTests {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
        let failure: (any Error)?

        var json: JSONValue? { try? JSONParser.parse(body) }
        var events: [SSEEvent] {
            var parser = SSEParser()
            return (try? parser.push(Array(body.utf8))) ?? []
        }
    }

    static func post(
        _ fake: FakeAnthropicUpstream, _ body: String, key: String? = "sk-ant-test", version: String? = "2023-06-01"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: fake.baseURL + "/messages")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let key { request.headers.add(name: "x-api-key", value: key) }
        if let version { request.headers.add(name: "anthropic-version", value: version) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        var text = ""
        var failure: (any Error)?
        do {
            for try await part in response.body { text += String(buffer: part) }
        } catch {
            failure = error
        }
        return Reply(status: Int(response.status.code), headers: headers, body: text, failure: failure)
    }

    static func messages(model: String = "claude-test", stream: Bool = false) -> String {
        #"{"model":"\#(model)","max_tokens":100,"messages":[{"role":"user","content":"Say hello to the whole team."}],"stream":\#(stream)}"#
    }

    static func withFake(_ fake: FakeAnthropicUpstream = FakeAnthropicUpstream(), _ body: (FakeAnthropicUpstream) async throws -> Void) async throws {
        try await fake.start()
        do {
            try await body(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    /// The canonical chunks the provider codec's decoder makes of a streamed reply.
    static func decode(_ reply: Reply) throws -> (chunks: [JSONObject], complete: Bool) {
        var decoder = AnthropicProviderCodec().streamDecoder(model: "triage/auto")
        var chunks: [JSONObject] = []
        for event in reply.events { chunks += try decoder.decode(event) }
        return (chunks, decoder.isComplete)
    }

    @Test func answersWithAMessageObject() async throws {
        try await Self.withFake(FakeAnthropicUpstream(cachedTokens: 3)) { fake in
            let reply = try await Self.post(fake, Self.messages())
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["request-id"]?.hasPrefix("req_") == true)
            let json = try #require(reply.json)
            #expect(json["id"]?.stringValue?.hasPrefix("msg_") == true)
            #expect(json["type"] == "message")
            #expect(json["role"] == "assistant")
            #expect(json["model"] == "claude-test")
            #expect(json["content"] == [["type": "text", "text": "Hello from the fake upstream."]])
            #expect(json["stop_reason"] == "end_turn")
            #expect(json["stop_sequence"] == .null)
            // 28 characters / 4 + 1 = 8 input tokens, 3 of them read from the cache.
            #expect(json["usage"] == ["input_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 3, "output_tokens": 5])
            let completion = try AnthropicProviderCodec().completion(from: json, model: "triage/auto")
            #expect(completion["usage"]?["prompt_tokens"] == 8)
            #expect(fake.requests.first?.headers["anthropic-version"] == "2023-06-01")
        }
    }

    @Test func streamsTheDocumentedEventSequence() async throws {
        try await Self.withFake(FakeAnthropicUpstream(cachedTokens: 2)) { fake in
            let reply = try await Self.post(fake, Self.messages(stream: true))
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/event-stream; charset=utf-8")
            #expect(
                reply.events.map(\.event) == [
                    "message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
                    "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
                ])
            let (chunks, complete) = try Self.decode(reply)
            #expect(complete)
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Hello from the fake upstream.")
            #expect(chunks.last?["usage"]?["prompt_tokens"] == 8)
            #expect(chunks.last?["usage"]?["prompt_tokens_details"]?["cached_tokens"] == 2)
            #expect(chunks.last?["usage"]?["completion_tokens"] == 5)
        }
    }

    @Test func parallelToolCallsStreamAsToolUseBlocks() async throws {
        try await Self.withFake { fake in
            fake.enqueue(
                .toolCalls([FakeToolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#), FakeToolCall(name: "get_time", arguments: #"{"tz":"CET"}"#)]),
                forModel: "claude-test")
            fake.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Rome"}"#), forModel: "claude-test")
            let (chunks, _) = try Self.decode(try await Self.post(fake, Self.messages(stream: true)))
            let calls = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first }
            func arguments(_ index: Int) -> String {
                calls.filter { $0["index"]?.intValue == index }.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
            }
            #expect(arguments(0) == #"{"city":"Paris"}"#)
            #expect(arguments(1) == #"{"tz":"CET"}"#)
            #expect(chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue } == ["tool_calls"])

            let single = try #require(try await Self.post(fake, Self.messages()).json)
            #expect(single["stop_reason"] == "tool_use")
            #expect(single["content"]?.arrayValue?.first?["input"] == ["city": "Rome"])
            #expect(single["content"]?.arrayValue?.first?["id"]?.stringValue?.hasPrefix("toolu_") == true)
        }
    }

    @Test func requiresTheAnthropicHeaders() async throws {
        try await Self.withFake(FakeAnthropicUpstream(apiKey: "sk-ant-right")) { fake in
            let missing = try await Self.post(fake, Self.messages(), key: nil)
            #expect(missing.status == 401)
            #expect(missing.json?["type"] == "error")
            #expect(missing.json?["error"]?["type"] == "authentication_error")
            let wrong = try await Self.post(fake, Self.messages(), key: "sk-ant-wrong")
            #expect(wrong.status == 401)
            #expect(wrong.json?["error"]?["message"] == "invalid x-api-key")
            let noVersion = try await Self.post(fake, Self.messages(), key: "sk-ant-right", version: nil)
            #expect(noVersion.status == 400)
            #expect(noVersion.json?["error"]?["type"] == "invalid_request_error")
            let noMaxTokens = try await Self.post(fake, #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, key: "sk-ant-right")
            #expect(noMaxTokens.status == 400)
            #expect(noMaxTokens.json?["error"]?["message"] == "max_tokens: Field required")
        }
    }

    @Test func scriptedErrorsUseAnthropicBodies() async throws {
        try await Self.withFake { fake in
            fake.enqueue(.anthropicOverloaded(retryAfterSeconds: 2), forModel: "claude-test")
            fake.enqueue(.rateLimited(retryAfterSeconds: 1), forModel: "claude-test")
            fake.enqueue(.anthropicPromptTooLong(), forModel: "claude-test")
            let codec = AnthropicProviderCodec()
            let overloaded = try await Self.post(fake, Self.messages())
            #expect(overloaded.status == 529)
            #expect(overloaded.headers["retry-after"] == "2")
            #expect(codec.errorDetail(status: overloaded.status, body: overloaded.json).isOverloaded)
            let limited = try await Self.post(fake, Self.messages())
            #expect(limited.status == 429)
            #expect(limited.json?["error"]?["type"] == "rate_limit_error")
            let tooLong = try await Self.post(fake, Self.messages())
            #expect(codec.errorDetail(status: tooLong.status, body: tooLong.json).isContextLength)
        }
    }

    @Test func cutStreamNeverCompletes() async throws {
        try await Self.withFake { fake in
            fake.enqueue(.cutStream(afterChunks: 2), forModel: "claude-test")
            let reply = try await Self.post(fake, Self.messages(stream: true))
            let (chunks, complete) = try Self.decode(reply)
            #expect(!complete)
            #expect(chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined() == "part0 part1 ")
        }
    }

    @Test func gatedStreamWaitsForItsGate() async throws {
        try await Self.withFake { fake in
            let gate = FakeGate()
            fake.enqueue(.gatedStream(first: "One", rest: [" two"], gate: gate), forModel: "claude-test")
            Task {
                try? await Task.sleep(for: .milliseconds(100))
                gate.open()
            }
            let (chunks, complete) = try Self.decode(try await Self.post(fake, Self.messages(stream: true)))
            #expect(complete)
            #expect(chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined() == "One two")
        }
    }

    /// A canonical request encoded by the provider codec is accepted by the fake.
    @Test func providerCodecRequestsAreAccepted() async throws {
        try await Self.withFake { fake in
            let canonical = try #require(
                try JSONParser.parse(#"{"model":"triage/auto","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}"#).objectValue)
            let request = try AnthropicProviderCodec().request(from: canonical, upstreamModel: "claude-test", stream: false)
            let reply = try await Self.post(fake, String(decoding: request.body, as: UTF8.self))
            #expect(reply.status == 200)
            #expect(fake.requests.last?.json?["system"] == "Be brief.")
            #expect(fake.requests.last?.json?["max_tokens"] == 4096)
        }
    }
}
