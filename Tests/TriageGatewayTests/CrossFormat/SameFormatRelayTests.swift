import Testing
import TriageCore
import TriageFakeUpstream

/// Anthropic Messages clients served by an Anthropic model get the provider's own events,
/// untranslated: `message_start` carries the input usage the provider reported (a stream rebuilt
/// from the canonical form can only say 0 there), and the trace still has the usage and cost.
@Suite struct SameFormatRelayTests {
    @Test func messagesStreamsFromAnthropicAreRelayedAsTheyCame() async throws {
        let harness = try await CrossFormatHarness.start(cachedTokens: 3)
        harness.enqueue(.text("one two three"), .anthropic)
        let response = try await harness.gateway.post(
            "/v1/messages", body: ClientFormat.messages.body(model: CrossFormatHarness.model(.anthropic), stream: true), headers: ["anthropic-version": "2023-06-01"])
        #expect(response.status == 200)
        let answer = ClientFormat.messages.read(stream: response.body)
        #expect(answer.text == "one two three" && answer.completed && answer.error == nil, "\(response.body)")
        let trace = try await harness.gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        #expect(trace.status == .ok)
        #expect(trace.usage.cachedInputTokens == 3 && trace.usage.outputTokens > 0)
        #expect(abs(trace.costUSD - CrossFormatHarness.price.cost(of: trace.usage)) < 1e-12)
        let start = try #require(response.body.split(separator: "\n").first { $0.hasPrefix("data: ") && $0.contains("message_start") })
        let usage = try JSONParser.parse(String(start.dropFirst(6)))["message"]?["usage"]
        #expect(usage?["input_tokens"]?.intValue == trace.usage.inputTokens - 3, "\(start)")
        #expect(usage?["cache_read_input_tokens"]?.intValue == 3)
        // The provider's events, in its order, and nothing the gateway adds to canonical streams.
        #expect(response.body.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), "\(response.body)")
        #expect(!response.body.contains("x-triage-cost-usd"))
        try await harness.stop()
    }

    /// A complete answer is sent on as Anthropic wrote it (its member order shows it: the
    /// canonical path writes `content` before `model`), with the usage read for the trace.
    @Test func messagesAnswersFromAnthropicAreSentAsTheyCame() async throws {
        let harness = try await CrossFormatHarness.start(cachedTokens: 3)
        harness.enqueue(.text("Paris is the capital of France."), .anthropic)
        let response = try await harness.gateway.post(
            "/v1/messages", body: ClientFormat.messages.body(model: CrossFormatHarness.model(.anthropic)), headers: ["anthropic-version": "2023-06-01"])
        #expect(response.status == 200, "\(response.body)")
        #expect(ClientFormat.messages.read(json: response.body).text == "Paris is the capital of France.")
        #expect(response.body.contains(#""role":"assistant","model":"an-model","content":["#), "\(response.body)")
        let trace = try await harness.gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        #expect(trace.status == .ok)
        #expect(trace.usage.cachedInputTokens == 3 && trace.usage.outputTokens > 0)
        #expect(response.json?["usage"]?["input_tokens"]?.intValue == trace.usage.inputTokens - 3)
        #expect(abs(trace.costUSD - CrossFormatHarness.price.cost(of: trace.usage)) < 1e-12)
        #expect(response.header("X-Triage-Cost-USD") == ModelPrice.usdText(trace.costUSD))
        try await harness.stop()
    }
}
