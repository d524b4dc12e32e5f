import TriageCore

/// Tells the selector which models may take traffic now (their circuit is not open).
public protocol ModelAvailability: Sendable {
    func isAvailable(_ model: String) -> Bool
}

/// Every model is available; for tools and tests that have no live health.
public struct AllModelsAvailable: ModelAvailability {
    public init() {}
    public func isAvailable(_ model: String) -> Bool { true }
}

/// Orders the models of a tier by expected cost for one request, healthy ones first.
public struct ModelSelector: Sendable {
    public let catalog: ModelCatalog
    private let modelsByTier: [Tier: [ModelSpec]]

    public init(catalog: ModelCatalog) {
        self.catalog = catalog
        var byTier: [Tier: [ModelSpec]] = [:]
        for tier in Tier.allCases { byTier[tier] = catalog.models(in: tier) }
        self.modelsByTier = byTier
    }

    /// Expected cost of running `features` on `model`: estimated input tokens at the input price
    /// plus the client's output cap (or the model's typical output length) at the output price.
    public func expectedCost(of model: ModelSpec, for features: RequestFeatures) -> Double {
        let output = min(features.maxOutputTokens ?? model.expectedOutputTokens, model.expectedOutputTokens)
        return model.price.expectedCost(inputTokens: features.estimatedInputTokens, outputTokens: output)
    }

    /// Expected cost when `cachedTokens` of the input are likely read from the provider's
    /// prompt cache (a continuation turn on the model that served the earlier ones).
    public func expectedCost(of model: ModelSpec, for features: RequestFeatures, cachedTokens: Int) -> Double {
        let output = min(features.maxOutputTokens ?? model.expectedOutputTokens, model.expectedOutputTokens)
        let usage = Usage(inputTokens: features.estimatedInputTokens, outputTokens: output, cachedInputTokens: min(cachedTokens, features.estimatedInputTokens))
        return model.price.cost(of: usage)
    }

    /// The candidates of `tier`, cheapest first: healthy models whose expected quality for
    /// `skill` meets `minimumQuality` (or that have no prior), then healthy models below it,
    /// then models whose circuit is open, so a call still has somewhere to go when every model of
    /// the tier is unhealthy. Models whose context window the request cannot fit are left out.
    public func candidates(
        in tier: Tier, for features: RequestFeatures, skill: String? = nil, minimumQuality: Double? = nil, availability: some ModelAvailability
    ) -> [RouteCandidate] {
        let models = modelsByTier[tier] ?? []
        var qualified: [RouteCandidate] = []
        var belowQuality: [RouteCandidate] = []
        var unhealthy: [RouteCandidate] = []
        qualified.reserveCapacity(models.count)
        for model in models where model.contextWindow >= features.estimatedInputTokens {
            let candidate = RouteCandidate(model: model, expectedCostUSD: expectedCost(of: model, for: features))
            if !availability.isAvailable(model.name) {
                unhealthy.append(candidate)
            } else if let minimumQuality, let quality = model.expectedQuality(for: skill), quality < minimumQuality {
                belowQuality.append(candidate)
            } else {
                qualified.append(candidate)
            }
        }
        qualified.sort { $0.expectedCostUSD < $1.expectedCostUSD }
        belowQuality.sort { $0.expectedCostUSD < $1.expectedCostUSD }
        unhealthy.sort { $0.expectedCostUSD < $1.expectedCostUSD }
        return qualified + belowQuality + unhealthy
    }
}
