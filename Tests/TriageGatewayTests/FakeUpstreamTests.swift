import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TriageCore
import TriageFakeUpstream

/// The fake OpenAI upstream over real HTTP: the wire shapes the gateway tests rely on, and each
/// scripted failure.
@Suite struct FakeUpstreamTests {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
        /// Set when the connection ended before the response did.
        let failure: (any Error)?

        var json: JSONValue? { try? JSONParser.parse(body) }
        var events: [String] { body.components(separatedBy: "\n\n").filter { !$0.isEmpty } }
        var chunks: [JSONValue] { events.dropLast().compactMap { try? JSONParser.parse(String($0.dropFirst(6))) } }
    }

    /// Sends a chat completions request and returns the response with its body unread.
    static func send(_ fake: FakeOpenAIUpstream, _ body: String, key: String? = "sk-test") async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: fake.baseURL + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(string: body))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    }

    static func post(_ fake: FakeOpenAIUpstream, _ body: String, key: String? = "sk-test") async throws -> Reply {
        let response = try await send(fake, body, key: key)
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

    static func chat(model: String = "gpt-test", stream: Bool = false, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"Say hello to the whole team."}],"stream":\#(stream)\#(extra)}"#
    }

    static func withFake(_ fake: FakeOpenAIUpstream = FakeOpenAIUpstream(), _ body: (FakeOpenAIUpstream) async throws -> Void) async throws {
        try await fake.start()
        do {
            try await body(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    @Test func answersWithAChatCompletionObject() async throws {
        try await Self.withFake(FakeOpenAIUpstream(cachedTokens: 3)) { fake in
            let reply = try await Self.post(fake, Self.chat())
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["x-request-id"]?.hasPrefix("req_") == true)
            let json = try #require(reply.json)
            #expect(json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            #expect(json["object"] == "chat.completion")
            #expect(json["model"] == "gpt-test")
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["index"] == 0)
            #expect(choice["message"]?["role"] == "assistant")
            #expect(choice["message"]?["content"] == "Hello from the fake upstream.")
            #expect(choice["message"]?["refusal"] == .null)
            #expect(choice["logprobs"] == .null)
            #expect(choice["finish_reason"] == "stop")
            // "Say hello to the whole team." is 28 characters: 28 / 4 + 1.
            #expect(json["usage"]?["prompt_tokens"] == 8)
            #expect(json["usage"]?["completion_tokens"] == 5)
            #expect(json["usage"]?["total_tokens"] == 13)
            #expect(json["usage"]?["prompt_tokens_details"]?["cached_tokens"] == 3)
            #expect(json["usage"]?["completion_tokens_details"]?["reasoning_tokens"] == 0)
            #expect(json["system_fingerprint"]?.stringValue != nil)
        }
    }

    @Test func streamsChunksAndUsageOnlyWhenAskedFor() async throws {
        try await Self.withFake { fake in
            let plain = try await Self.post(fake, Self.chat(stream: true))
            #expect(plain.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(plain.headers["content-length"] == nil)
            #expect(plain.events.allSatisfy { $0.hasPrefix("data: ") })
            #expect(plain.events.last == "data: [DONE]")
            let chunks = plain.chunks
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["usage"] == nil })
            #expect(chunks.first?["choices"]?.arrayValue?.first?["delta"] == ["role": "assistant", "content": "", "refusal": nil])
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Hello from the fake upstream.")
            #expect(chunks.count == 7)  // role, five words, final
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
            #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)

            let counted = try await Self.post(fake, Self.chat(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            let withUsage = counted.chunks
            #expect(withUsage.dropLast().allSatisfy { $0["usage"] == .null })
            let last = try #require(withUsage.last)
            #expect(last["choices"] == [])
            #expect(last["usage"]?["completion_tokens"] == 5)
            #expect(counted.events.last == "data: [DONE]")
        }
    }

    @Test func toolCallsAsJSONAndAsArgumentPieces() async throws {
        try await Self.withFake { fake in
            let arguments = #"{"city":"Paris","unit":"celsius"}"#
            fake.enqueue(.toolCall(name: "get_weather", arguments: arguments), forModel: "gpt-test")
            fake.enqueue(.toolCall(name: "get_weather", arguments: arguments), forModel: "gpt-test")
            let json = try #require(try await Self.post(fake, Self.chat()).json)
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "tool_calls")
            #expect(choice["message"]?["content"] == .null)
            let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
            #expect(call["id"]?.stringValue?.hasPrefix("call_") == true)
            #expect(call["type"] == "function")
            #expect(call["function"]?["name"] == "get_weather")
            #expect(call["function"]?["arguments"] == .string(arguments))

            let chunks = try await Self.post(fake, Self.chat(stream: true)).chunks
            let deltas = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first }
            #expect(deltas.first?["id"]?.stringValue?.hasPrefix("call_") == true)
            #expect(deltas.first?["function"]?["name"] == "get_weather")
            #expect(deltas.allSatisfy { $0["index"] == 0 })
            let pieces = deltas.compactMap { $0["function"]?["arguments"]?.stringValue }.filter { !$0.isEmpty }
            #expect(pieces.count >= 3)
            #expect(pieces.joined() == arguments)
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "tool_calls")

            // The queue is first in, first out, then the default answer again.
            #expect(try await Self.post(fake, Self.chat()).json?["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        }
    }

    @Test func errorsCarryOpenAIBodiesAndRetryAfter() async throws {
        try await Self.withFake(FakeOpenAIUpstream(apiKey: "sk-right-key-1234", models: ["gpt-test"])) { fake in
            fake.enqueue(.rateLimited(retryAfterSeconds: 2), forModel: "gpt-test")
            let limited = try await Self.post(fake, Self.chat(), key: "sk-right-key-1234")
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "2")
            #expect(limited.headers["retry-after-ms"] == "2000")
            #expect(limited.json?["error"]?["type"] == "requests")
            #expect(limited.json?["error"]?["code"] == "rate_limit_exceeded")
            #expect(limited.json?["error"]?["param"] == .null)

            let missing = try await Self.post(fake, Self.chat(), key: nil)
            #expect(missing.status == 401)
            #expect(missing.json?["error"]?["type"] == "invalid_request_error")
            let wrong = try await Self.post(fake, Self.chat(), key: "sk-wrong-key-9999")
            #expect(wrong.status == 401)
            #expect(wrong.json?["error"]?["code"] == "invalid_api_key")
            #expect(wrong.body.contains("sk-wrong-key-9999") == false)

            let unknown = try await Self.post(fake, Self.chat(model: "gpt-nope"), key: "sk-right-key-1234")
            #expect(unknown.status == 404)
            #expect(unknown.json?["error"]?["code"] == "model_not_found")
            let empty = try await Self.post(fake, #"{"model":"gpt-test","messages":[]}"#, key: "sk-right-key-1234")
            #expect(empty.status == 400)
            #expect(empty.json?["error"]?["param"] == "messages")
        }
    }

    @Test func cutStreamEndsTheConnectionWithoutATerminator() async throws {
        try await Self.withFake { fake in
            fake.enqueue(.cutStream(afterChunks: 2), forModel: "gpt-test")
            let reply = try await Self.post(fake, Self.chat(stream: true))
            #expect(reply.status == 200)
            #expect(reply.failure != nil, "the client must see the body end early")
            #expect(!reply.body.contains("[DONE]"))
            #expect(!reply.body.contains("finish_reason\":\"stop"))
            #expect(reply.body.contains("part1 "))
            // The fake keeps serving afterwards.
            #expect(try await Self.post(fake, Self.chat()).status == 200)
        }
    }

    @Test func gatedStreamHoldsTheRestUntilOpened() async throws {
        try await Self.withFake { fake in
            let gate = FakeGate()
            fake.enqueue(.gatedStream(first: "Hello", rest: [" there", "!"], gate: gate), forModel: "gpt-test")
            let response = try await Self.send(fake, Self.chat(stream: true))
            var iterator = response.body.makeAsyncIterator()
            var received = ""
            while !received.contains("Hello"), let part = try await iterator.next() { received += String(buffer: part) }
            #expect(received.contains("Hello"))
            #expect(!received.contains("[DONE]"))
            gate.open()
            while let part = try await iterator.next() { received += String(buffer: part) }
            #expect(received.hasSuffix("data: [DONE]\n\n"))
            #expect(received.contains("\"content\":\"!\""))
        }
    }

    @Test func slowFirstByteDelaysTheHead() async throws {
        try await Self.withFake { fake in
            fake.enqueue(.slowFirstByte(seconds: 0.3, then: .text("late")), forModel: "gpt-test")
            let started = ContinuousClock.now
            let reply = try await Self.post(fake, Self.chat())
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(reply.json?["choices"]?.arrayValue?.first?["message"]?["content"] == "late")
        }
    }

    @Test func countsStreamsWhoseClientWentAway() async throws {
        try await Self.withFake { fake in
            fake.enqueue(.slowStream(chunks: Array(repeating: "tick ", count: 100), delayMilliseconds: 10), forModel: "gpt-test")
            do {
                let response = try await Self.send(fake, Self.chat(stream: true))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
            }
            var cancelled = false
            for _ in 0..<200 where !cancelled {
                try await Task.sleep(for: .milliseconds(10))
                cancelled = fake.cancelledStreams == 1
            }
            #expect(cancelled)
        }
    }

    @Test func recordsRequestsWithLowercasedHeaders() async throws {
        try await Self.withFake { fake in
            _ = try await Self.post(fake, Self.chat(model: "gpt-recorded"))
            let recorded = try #require(fake.requests.last)
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.model == "gpt-recorded")
            #expect(recorded.headers["authorization"] == "Bearer sk-test")
            #expect(String(decoding: recorded.body, as: UTF8.self) == Self.chat(model: "gpt-recorded"))
        }
    }

    @Test func stopReturnsWithAGateNeverOpened() async throws {
        let fake = FakeOpenAIUpstream()
        try await fake.start()
        fake.enqueue(.gatedStream(first: "a", rest: ["b"], gate: FakeGate()), forModel: "gpt-test")
        let pending = Task { try? await Self.post(fake, Self.chat(stream: true)) }
        try await Task.sleep(for: .milliseconds(200))
        await fake.stop()
        _ = await pending.value
    }

    @Test func startThrowsWhenThePortIsTaken() async throws {
        try await Self.withFake { fake in
            await #expect(throws: FakeUpstreamStartError.self) {
                try await FakeOpenAIUpstream().start(port: fake.port)
            }
        }
    }
}
