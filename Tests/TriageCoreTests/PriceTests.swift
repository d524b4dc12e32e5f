import Testing
import TriageCore

@Suite struct PriceTests {
    @Test func cachedTokensAreBilledAtTheCachedRate() {
        let price = ModelPrice(inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125)
        let usage = Usage(inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000)
        // 600k uncached × 1.25 + 400k cached × 0.125 + 100k output × 10, per million.
        #expect(abs(price.cost(of: usage) - (0.75 + 0.05 + 1.0)) < 1e-12)
    }

    @Test func cachedRateDefaultsToInputRate() {
        let price = ModelPrice(inputPerMillion: 2, outputPerMillion: 8)
        #expect(price.cost(of: Usage(inputTokens: 500, outputTokens: 0, cachedInputTokens: 500)) == price.cost(of: Usage(inputTokens: 500)))
    }

    @Test func cachedTokensBeyondInputAreClamped() {
        let price = ModelPrice(inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: 0)
        #expect(price.cost(of: Usage(inputTokens: 10, outputTokens: 0, cachedInputTokens: 50)) == 0)
    }

    @Test func gatewayErrorHasOpenAIShape() {
        let error = GatewayError(.invalidRequest, "bad", param: "messages", code: "empty_array")
        #expect(error.httpStatus == 400)
        #expect(JSONWriter.string(error.openAIBody) == #"{"error":{"message":"bad","type":"invalid_request_error","param":"messages","code":"empty_array"}}"#)
        #expect(GatewayError(.upstreamTimeout, "x").httpStatus == 504)
        #expect(GatewayError(.upstream, "x").httpStatus == 502)
    }
}
