import Foundation
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

    /// The cost header's text is what `String(format: "%.8f")` gives, for costs from nothing to
    /// thousands of dollars.
    @Test func costTextHasEightDecimalsAsPrintfWrites() {
        var generator = SystemRandomNumberGenerator()
        var costs: [Double] = [0, 1e-9, 4e-9, 6e-9, 0.00002080, 0.1, 0.5, 1, 12.345678901, 99.999999996, 1234.5]
        for _ in 0..<2000 { costs.append(Double.random(in: 0..<0.05, using: &generator)) }
        for price in [ModelPrice(inputPerMillion: 0.15, outputPerMillion: 0.6), ModelPrice(inputPerMillion: 3, outputPerMillion: 15)] {
            for tokens in stride(from: 1, to: 200_000, by: 997) { costs.append(price.cost(of: Usage(inputTokens: tokens, outputTokens: tokens / 3))) }
        }
        for cost in costs {
            #expect(ModelPrice.usdText(cost) == String(format: "%.8f", cost), "\(cost)")
        }
    }
}
