import TriageCore
import TriageRouting

extension GatewayConfig {
    /// The decision pipeline, with a tuned policy version applied on top of the configuration.
    public func pipeline(applying tuning: RoutingTuning? = nil) -> DecisionPipeline {
        guard let tuning else { return routing.pipeline(policy: policy, catalog: catalog) }
        return routing.applying(tuning).pipeline(policy: policy, catalog: catalog.applying(quality: tuning.quality))
    }

    /// What the configuration itself amounts to as a tuning: where recalibration starts when
    /// no version is stored yet.
    public var baseTuning: RoutingTuning {
        var quality: [String: [String: Double]] = [:]
        for model in catalog.models where !model.quality.isEmpty { quality[model.name] = model.quality }
        return RoutingTuning(thresholds: routing.thresholds, skillMinimumTiers: routing.skillTiers, skillBandTiers: routing.skillBandTiers, quality: quality)
    }
}

extension RoutingBrain {
    /// These layers with a tuning's thresholds and per-skill tiers.
    public func applying(_ tuning: RoutingTuning) -> RoutingBrain {
        var brain = self
        brain.thresholds = tuning.thresholds
        brain.skillTiers = tuning.skillMinimumTiers
        brain.skillBandTiers = tuning.skillBandTiers
        return brain
    }
}

extension ModelCatalog {
    /// The catalog with each listed model's quality priors replaced.
    public func applying(quality: [String: [String: Double]]) -> ModelCatalog {
        let models = models.map { model -> ModelSpec in
            guard let priors = quality[model.name] else { return model }
            var tuned = model
            tuned.quality = priors
            return tuned
        }
        return ModelCatalog(models: models, providers: Array(providers.values))
    }
}
