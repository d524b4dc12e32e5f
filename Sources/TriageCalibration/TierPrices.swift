import TriageCore

/// Price per token of the cheapest model of each tier, for the projection. A tier without a price
/// costs nothing in the projection.
public struct TierPrices: Sendable, Hashable {
    /// USD per input token.
    public var input: [Tier: Double]
    /// USD per output token.
    public var output: [Tier: Double]

    public init(input: [Tier: Double], output: [Tier: Double]) {
        self.input = input
        self.output = output
    }

    /// The prices of each tier's cheapest model (by input plus output price; ties by name).
    public init(cheapestIn catalog: ModelCatalog) {
        var input: [Tier: Double] = [:]
        var output: [Tier: Double] = [:]
        for tier in Tier.allCases {
            let cheapest = catalog.models(in: tier).min {
                let (a, b) = ($0.price.inputPerMillion + $0.price.outputPerMillion, $1.price.inputPerMillion + $1.price.outputPerMillion)
                return a != b ? a < b : $0.name < $1.name
            }
            guard let cheapest else { continue }
            input[tier] = cheapest.price.inputPerMillion / 1_000_000
            output[tier] = cheapest.price.outputPerMillion / 1_000_000
        }
        self.input = input
        self.output = output
    }

    /// What `inputTokens` in and `outputTokens` out cost on `tier`.
    public func cost(inputTokens: Int, outputTokens: Int, on tier: Tier) -> Double {
        Double(inputTokens) * (input[tier] ?? 0) + Double(outputTokens) * (output[tier] ?? 0)
    }
}
