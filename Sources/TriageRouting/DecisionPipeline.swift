import TriageCore

/// The routing decision of DESIGN.md as one pure, synchronous function:
/// pins → role rules → skill classifier → risk predictor → tier router → model selector.
/// It never awaits and does no I/O, so it is benchmarked and tested in isolation.
public struct DecisionPipeline: Sendable {
    public let policy: RoutingPolicy
    public let selector: ModelSelector
    public let analyzer: PromptAnalyzer
    public let classifier: any SkillClassifier
    public let riskPredictor: any RiskPredictor
    public let router: any TierRouter

    public init(
        policy: RoutingPolicy, catalog: ModelCatalog,
        analyzer: PromptAnalyzer = PromptAnalyzer(groups: RoutingCues.groups()),
        classifier: any SkillClassifier = NoSkillClassifier(),
        riskPredictor: any RiskPredictor = NoRiskPredictor(),
        router: any TierRouter = DefaultTierRouter()
    ) {
        self.policy = policy
        self.analyzer = analyzer
        self.selector = ModelSelector(catalog: catalog)
        self.classifier = classifier
        self.riskPredictor = riskPredictor
        self.router = router
    }

    public var catalog: ModelCatalog { selector.catalog }

    public func decide(_ request: RouteRequest, availability: some ModelAvailability) throws(GatewayError) -> RouteDecision {
        if let pin = matchingPin(for: request) {
            return try pinned(pin, request: request)
        }
        switch request.target {
        case .model(let name):
            guard let model = catalog.model(named: name) else {
                throw GatewayError(.notFound, "The model `\(name)` does not exist or you do not have access to it.", param: "model", code: "model_not_found")
            }
            let candidate = RouteCandidate(model: model, expectedCostUSD: selector.expectedCost(of: model, for: request.features))
            return RouteDecision(
                mode: .passthrough, tier: model.tier, lane: lane(for: model), candidates: [candidate],
                reasons: ["model '\(name)' requested by name"])
        case .tier(let tier):
            return try decision(mode: .forcedTier, tier: tier, skill: nil, request: request, availability: availability, reasons: ["tier \(tier.rawValue) forced by model field"])
        case .auto:
            let assessment = assess(request)
            var decided = try decision(
                mode: .auto, tier: assessment.tier, skill: assessment.skill, request: request, availability: availability, reasons: assessment.reasons)
            decided.complexity = assessment.complexity
            decided.risks = assessment.risks
            return decided
        }
    }

    /// What the routing layers make of an auto-routed request before a model is picked: role
    /// rule, skill, complexity score, risks and the tier they add up to. Fixed-tier roles skip
    /// everything after the rule. `decide` uses it; so do `triage score` and `triage eval`.
    public func assess(_ request: RouteRequest) -> Assessment {
        var reasons: [String] = []
        let rule = request.role.flatMap { policy.roles[$0] }
        if let role = request.role, let rule {
            reasons.append("role '\(role)' → \(rule.tier.rawValue)")
            if rule.skipClassification { return Assessment(tier: rule.tier, reasons: reasons) }
        }
        let analysis = analyzer.analyze(request)
        let skill = classifier.skill(for: analysis)
        if let skill { reasons.append("skill \(skill)") }
        var tier: Tier
        var complexity: Double?
        if let rule {
            tier = rule.tier
        } else {
            let choice = router.tier(for: analysis, skill: skill, policy: policy)
            tier = choice.tier
            complexity = choice.complexity
            reasons.append(choice.reason)
        }
        let risks = riskPredictor.risks(for: analysis)
        for risk in risks where risk.minimumTier > tier {
            tier = risk.minimumTier
            reasons.append("risk \(risk.name) (\(risk.reason)) → \(tier.rawValue)")
        }
        return Assessment(skill: skill, tier: tier, complexity: complexity, risks: risks, reasons: reasons)
    }

    private func matchingPin(for request: RouteRequest) -> Pin? {
        policy.pins.first { pin in
            switch pin.match {
            case .role(let role): role == request.role
            case .key(let key): key == request.keyName
            }
        }
    }

    private func pinned(_ pin: Pin, request: RouteRequest) throws(GatewayError) -> RouteDecision {
        guard let model = catalog.model(named: pin.model) else {
            throw GatewayError(.internalError, "A pin names a model that is not configured.", code: "pin_misconfigured")
        }
        let subject: String
        switch pin.match {
        case .role(let role): subject = "role '\(role)'"
        case .key(let key): subject = "key '\(key)'"
        }
        let candidate = RouteCandidate(model: model, expectedCostUSD: selector.expectedCost(of: model, for: request.features))
        return RouteDecision(mode: .pinned, tier: model.tier, lane: lane(for: model), candidates: [candidate], reasons: ["pinned: \(subject) → \(model.name)"])
    }

    private func decision(
        mode: RouteMode, tier: Tier, skill: String?, request: RouteRequest, availability: some ModelAvailability, reasons: [String]
    ) throws(GatewayError) -> RouteDecision {
        var reasons = reasons
        let quality = policy.minimumQuality
        var candidates = selector.candidates(in: tier, for: request.features, skill: skill, minimumQuality: quality, availability: availability)
        if let first = candidates.first {
            if let quality, let prior = first.model.expectedQuality(for: skill) {
                let meets = prior >= quality ? "meeting" : "none meets"
                reasons.append("cheapest available in \(tier.rawValue) \(meets) quality \(quality)\(skill.map { " for \($0)" } ?? ""): \(first.model.name) (\(prior))")
            } else {
                reasons.append("cheapest available in \(tier.rawValue): \(first.model.name)")
            }
        }
        if policy.failoverToHigherTiers {
            var next = tier.next
            while let higher = next {
                candidates += selector.candidates(in: higher, for: request.features, skill: skill, minimumQuality: quality, availability: availability)
                next = higher.next
            }
        }
        guard let first = candidates.first else {
            throw GatewayError(.unavailable, "No configured model can serve tier \(tier.rawValue) for this request.", code: "no_model_available")
        }
        let routed = RouteDecision(mode: mode, tier: tier, lane: lane(for: first.model), skill: skill, candidates: candidates, reasons: reasons)
        return mode == .auto ? applyingAffinity(to: routed, request: request, availability: availability) : routed
    }

    /// Session affinity: a continuation turn stays on the model that served the earlier turns
    /// (priced with the expected cache discount) unless the router now wants a higher tier; a
    /// conversation carrying reasoning blocks never leaves that model's provider.
    private func applyingAffinity(to decision: RouteDecision, request: RouteRequest, availability: some ModelAvailability) -> RouteDecision {
        guard let sticky = request.sticky, let model = catalog.model(named: sticky.model) else { return decision }
        var decision = decision
        if model.tier >= decision.tier, availability.isAvailable(model.name), model.contextWindow >= request.features.estimatedInputTokens {
            let cost = selector.expectedCost(of: model, for: request.features, cachedTokens: sticky.expectedCachedTokens)
            decision.candidates = [RouteCandidate(model: model, expectedCostUSD: cost)] + decision.candidates.filter { $0.model.name != model.name }
            decision.tier = model.tier
            decision.lane = lane(for: model)
            decision.reasons.append("sticky: conversation stays on \(model.name) (≈\(sticky.expectedCachedTokens) cached tokens)")
        } else {
            let why = model.tier < decision.tier ? "below tier \(decision.tier.rawValue)" : "unavailable"
            decision.reasons.append("sticky model \(model.name) is \(why): moving on")
        }
        if request.carriesReasoning {
            let sameFamily = decision.candidates.filter { $0.model.provider == model.provider }
            if !sameFamily.isEmpty, sameFamily.count < decision.candidates.count {
                decision.candidates = sameFamily
                decision.reasons.append("reasoning blocks: staying with provider \(model.provider)")
            }
        }
        return decision
    }

    /// The decision for re-running a call one tier above `servedTier`, after its answer failed
    /// validation; `nil` when there is no tier above or no model to run it. A conversation that
    /// carries reasoning blocks only escalates within the provider that served it.
    public func escalation(
        from decision: RouteDecision, servedBy served: ModelSpec, request: RouteRequest, availability: some ModelAvailability, because reason: String
    ) -> RouteDecision? {
        guard let next = max(served.tier, decision.tier).next else { return nil }
        var request = request
        request.sticky = nil
        guard
            var escalated = try? self.decision(
                mode: decision.mode, tier: next, skill: decision.skill, request: request, availability: availability,
                reasons: decision.reasons + ["escalated: \(reason) on \(served.name) → \(next.rawValue)"])
        else { return nil }
        if request.carriesReasoning {
            escalated.candidates = escalated.candidates.filter { $0.model.provider == served.provider }
            if escalated.candidates.isEmpty { return nil }
        }
        return escalated
    }

    private func lane(for model: ModelSpec) -> Lane {
        catalog.provider(for: model)?.isLocal == true ? .local : .realtime
    }
}
