import Foundation
import Testing
import TriageCore
import TriageFakeUpstream

extension ProviderFormat: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// Every ingress format × every provider format, through the real gateway over loopback, for the
/// cases of the conformance matrix (README, "Conformance matrix"): each fake upstream speaks its
/// provider's documented wire format, and each answer is read back the way that client format's
/// SDKs read it.
@Suite("Conformance matrix")
struct ConformanceMatrixTests {
    static let ingress = ClientFormat.allCases
    static let providers = ProviderFormat.allCases

    static func run(_ client: ClientFormat, _ provider: ProviderFormat, cachedTokens: Int = 0, script: (CrossFormatHarness) -> Void, body: (ClientFormat, String) -> String)
        async throws -> (HTTPResult, CrossFormatHarness)
    {
        let harness = try await CrossFormatHarness.start(cachedTokens: cachedTokens)
        script(harness)
        let response = try await harness.gateway.post(client.path, body: body(client, CrossFormatHarness.model(provider)), headers: ["anthropic-version": "2023-06-01"])
        return (response, harness)
    }

    @Test("plain text", arguments: ingress, providers)
    func plainText(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.text("Paris is the capital of France."), provider) }) { $0.body(model: $1) }
        #expect(response.status == 200, "\(response.body)")
        let answer = client.read(json: response.body)
        #expect(answer.text == "Paris is the capital of France.")
        #expect(answer.toolCalls.isEmpty)
        #expect(answer.finish == ["chat": "stop", "messages": "end_turn", "responses": "completed"][client.rawValue])
        #expect(response.header("X-Triage-Model") == CrossFormatHarness.model(provider))
        try await harness.stop()
    }

    @Test("streamed text", arguments: ingress, providers)
    func streamedText(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.text("one two three four five"), provider) }) { $0.body(model: $1, stream: true) }
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/event-stream") == true)
        let answer = client.read(stream: response.body)
        #expect(answer.text == "one two three four five")
        #expect(answer.completed && answer.error == nil, "\(response.body)")
        #expect(answer.outputTokens > 0 && answer.inputTokens > 0, "usage must not come back as zero: \(response.body)")
        try await harness.stop()
    }

    @Test("one tool call", arguments: ingress, providers)
    func oneToolCall(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#), provider) }) {
            $0.body(model: $1, prompt: "Weather in Paris?", tools: true)
        }
        #expect(response.status == 200, "\(response.body)")
        let answer = client.read(json: response.body)
        #expect(answer.toolCalls.count == 1)
        #expect(answer.toolCalls.first?.name == "get_weather")
        #expect(answer.toolCalls.first?.arguments == ["city": "Paris"])
        #expect(answer.toolCalls.first?.id.isEmpty == false)
        #expect(answer.finish == ["chat": "tool_calls", "messages": "tool_use", "responses": "completed"][client.rawValue])
        try await harness.stop()
    }

    @Test("parallel tool calls, streamed: arguments arrive whole and in order", arguments: ingress, providers)
    func parallelToolCalls(client: ClientFormat, provider: ProviderFormat) async throws {
        let calls = [FakeToolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#), FakeToolCall(name: "get_weather", arguments: #"{"city":"Tokyo, Japan"}"#)]
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.toolCalls(calls), provider) }) {
            $0.body(model: $1, prompt: "Weather in Paris and Tokyo?", stream: true, tools: true)
        }
        #expect(response.status == 200)
        let answer = client.read(stream: response.body)
        #expect(answer.completed, "\(response.body)")
        #expect(answer.toolCalls.map(\.name) == ["get_weather", "get_weather"])
        #expect(answer.toolCalls.map(\.arguments) == [["city": "Paris"], ["city": "Tokyo, Japan"]])
        #expect(Set(answer.toolCalls.map(\.id)).count == 2)
        try await harness.stop()
    }

    @Test("a tool-result turn reaches the provider in its own format", arguments: ingress, providers)
    func toolResultTurn(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.text("It is 18C and sunny in Paris."), provider) }) {
            $0.body(model: $1, prompt: "Weather in Paris?", toolResult: "18C and sunny")
        }
        #expect(response.status == 200, "\(response.body)")
        #expect(client.read(json: response.body).text == "It is 18C and sunny in Paris.")
        let sent = String(decoding: try #require(harness.requests(provider).last).body, as: UTF8.self)
        #expect(sent.contains("18C and sunny"))
        switch provider {
        case .openai: #expect(sent.contains(#""tool_call_id":"call_1""#) && sent.contains(#""role":"tool""#))
        case .anthropic: #expect(sent.contains(#""type":"tool_result""#) && sent.contains(#""tool_use_id":"call_1""#) && sent.contains(#""type":"tool_use""#))
        case .gemini: #expect(sent.contains(#""functionResponse""#) && sent.contains(#""functionCall""#) && sent.contains("get_weather"))
        }
        try await harness.stop()
    }

    @Test("JSON-schema output", arguments: ingress.filter(\.hasStructuredOutput), providers)
    func jsonSchemaOutput(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.text(#"{"city":"Paris"}"#), provider) }) {
            $0.body(model: $1, prompt: "Which city is the capital of France? Answer as JSON.", jsonSchema: true)
        }
        #expect(response.status == 200, "\(response.body)")
        let answer = client.read(json: response.body)
        #expect(try JSONParser.parse(answer.text) == ["city": "Paris"])
        let sent = String(decoding: try #require(harness.requests(provider).last).body, as: UTF8.self)
        switch provider {
        case .openai: #expect(sent.contains(#""response_format""#) && sent.contains(#""json_schema""#))
        case .anthropic: #expect(sent.contains(#""city""#) && sent.contains(#""required""#), "the schema must reach Anthropic: \(sent)")
        case .gemini: #expect(sent.contains(#""responseMimeType":"application/json""#) && sent.contains("responseJsonSchema"))
        }
        try await harness.stop()
    }

    @Test("an error before the first byte is the client's own error, with the right status", arguments: ingress, providers)
    func errorBeforeFirstByte(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.rateLimited(retryAfterSeconds: nil), provider) }) { $0.body(model: $1) }
        #expect(response.status == 429)
        #expect(client.read(json: response.body).error == "rate_limit_error", "\(response.body)")
        #expect(!response.body.contains("secret") && !response.body.contains("127.0.0.1"))
        try await harness.stop()
    }

    @Test("a stream cut mid-way ends with the client's error event, never a normal end", arguments: ingress, providers)
    func errorMidStream(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, script: { $0.enqueue(.cutStream(afterChunks: 2), provider) }) { $0.body(model: $1, stream: true) }
        #expect(response.status == 200)
        let answer = client.read(stream: response.body)
        #expect(answer.text.hasPrefix("part0"), "\(response.body)")
        #expect(answer.error != nil, "\(response.body)")
        #expect(!answer.completed, "\(response.body)")
        let trace = try await harness.gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        #expect(trace.status == .failed)
        try await harness.stop()
    }

    @Test("usage, cached tokens included, is what the provider reported and is priced", arguments: ingress, providers)
    func usage(client: ClientFormat, provider: ProviderFormat) async throws {
        let (response, harness) = try await Self.run(client, provider, cachedTokens: 3, script: { $0.enqueue(.text("a b c d"), provider) }) {
            $0.body(model: $1, prompt: "Count four letters, please, in order from a.")
        }
        #expect(response.status == 200, "\(response.body)")
        let answer = client.read(json: response.body)
        let trace = try await harness.gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        #expect(trace.usage.inputTokens > 0 && trace.usage.outputTokens > 0)
        #expect(answer.inputTokens == trace.usage.inputTokens)
        #expect(answer.outputTokens == trace.usage.outputTokens)
        #expect(trace.usage.cachedInputTokens == 3 && answer.cachedTokens == 3)
        #expect(abs(trace.costUSD - CrossFormatHarness.price.cost(of: trace.usage)) < 1e-12)
        #expect(response.header("X-Triage-Cost-USD").flatMap(Double.init) ?? 0 > 0)
        try await harness.stop()
    }
}

/// Endpoints around the Messages API that agents call besides it.
@Suite struct MessagesEndpointTests {
    @Test func countTokensEstimatesWithoutCallingAProvider() async throws {
        let harness = try await CrossFormatHarness.start()
        let body = #"{"model":"an-model","system":"Be brief.","messages":[{"role":"user","content":"Count the tokens of this sentence, please."}]}"#
        let response = try await harness.gateway.post("/v1/messages/count_tokens", body: body, headers: ["anthropic-version": "2023-06-01"])
        #expect(response.status == 200)
        let tokens = try #require(response.json?["input_tokens"]?.intValue)
        #expect(tokens > 5 && tokens < 40)
        #expect(harness.anthropic.requests.isEmpty)
        let bad = try await harness.gateway.post("/v1/messages/count_tokens", body: #"{"model":"an-model","messages":[]}"#)
        #expect(bad.status == 400)
        #expect(bad.json?["type"] == "error" && bad.json?["error"]?["type"] == "invalid_request_error")
        try await harness.stop()
    }

    @Test func messagesErrorsAreAnthropicShaped() async throws {
        let harness = try await CrossFormatHarness.start()
        for (body, status) in [("not json", 400), (#"{"model":"an-model","messages":[{"role":"user","content":"x"}]}"#, 400), (#"{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#, 404)] {
            let response = try await harness.gateway.post("/v1/messages", body: body)
            #expect(response.status == status, "\(body): \(response.body)")
            #expect(response.json?["type"] == "error", "\(response.body)")
            #expect(response.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        }
        try await harness.stop()
    }
}
