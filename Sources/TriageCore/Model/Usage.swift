/// Token counts reported by an upstream for one call, in canonical terms: `inputTokens` counts
/// every input token — uncached, read from the provider's prompt cache (`cachedInputTokens`) and
/// written to it (`cacheWriteInputTokens`) — and `outputTokens` every output token, reasoning
/// included (`reasoningTokens` says how many of them were reasoning).
public struct Usage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var cacheWriteInputTokens: Int
    public var reasoningTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0, cacheWriteInputTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteInputTokens = cacheWriteInputTokens
        self.reasoningTokens = reasoningTokens
    }

    public static let zero = Usage()

    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens,
            cacheWriteInputTokens: lhs.cacheWriteInputTokens + rhs.cacheWriteInputTokens,
            reasoningTokens: lhs.reasoningTokens + rhs.reasoningTokens
        )
    }
}

/// Prices of one model in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// Price of input tokens read from the prompt cache; defaults to the input price when a
    /// provider has no discount.
    public var cachedInputPerMillion: Double
    /// Price of input tokens written to the prompt cache (Anthropic: 1.25 × input for the
    /// five-minute cache); defaults to the input price.
    public var cacheWritePerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil, cacheWritePerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion ?? inputPerMillion
    }

    public static let free = ModelPrice(inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0, cacheWritePerMillion: 0)

    /// The cost in USD of a call with this usage. Cache reads and writes are part of the input
    /// count and are billed at their own rates instead of the full one; reasoning tokens are
    /// output tokens.
    public func cost(of usage: Usage) -> Double {
        let input = max(usage.inputTokens, 0)
        let cached = min(max(usage.cachedInputTokens, 0), input)
        let written = min(max(usage.cacheWriteInputTokens, 0), input - cached)
        let uncached = input - cached - written
        let micros =
            Double(uncached) * inputPerMillion
            + Double(cached) * cachedInputPerMillion
            + Double(written) * cacheWritePerMillion
            + Double(max(usage.outputTokens, 0)) * outputPerMillion
        return micros / 1_000_000
    }

    /// Expected cost of a call before it runs, from estimated token counts.
    public func expectedCost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * inputPerMillion + Double(outputTokens) * outputPerMillion) / 1_000_000
    }
}

extension ModelPrice {
    /// A cost in USD with eight decimals (`0.00002080`), the form of `X-Triage-Cost-USD`.
    /// Written from whole hundred-millionths of a dollar: `String(format: "%.8f")` took more
    /// than a percent of a gateway request's CPU time.
    public static func usdText(_ cost: Double) -> String {
        guard cost.isFinite, cost >= 0, cost < 1e10 else { return String(cost) }  // never a real cost
        let units = UInt64((cost * 1e8).rounded(.toNearestOrEven))
        let fraction = String(units % 100_000_000)
        return String(units / 100_000_000) + "." + String(repeating: "0", count: 8 - fraction.count) + fraction
    }
}
