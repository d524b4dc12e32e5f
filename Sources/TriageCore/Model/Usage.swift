/// Token counts reported by an upstream for one call. `cachedInputTokens` is the part of
/// `inputTokens` served from the provider's prompt cache (billed at the cached rate).
public struct Usage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public static let zero = Usage()

    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens
        )
    }
}

/// Prices of one model in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// Price of cached input tokens; defaults to the input price when a provider has no discount.
    public var cachedInputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
    }

    public static let free = ModelPrice(inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0)

    /// The cost in USD of a call with this usage. Cached tokens are part of the input count and
    /// are billed at the cached rate instead of the full one.
    public func cost(of usage: Usage) -> Double {
        let cached = min(max(usage.cachedInputTokens, 0), max(usage.inputTokens, 0))
        let uncached = max(usage.inputTokens, 0) - cached
        let micros =
            Double(uncached) * inputPerMillion
            + Double(cached) * cachedInputPerMillion
            + Double(max(usage.outputTokens, 0)) * outputPerMillion
        return micros / 1_000_000
    }

    /// Expected cost of a call before it runs, from estimated token counts.
    public func expectedCost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * inputPerMillion + Double(outputTokens) * outputPerMillion) / 1_000_000
    }
}
