import Testing
import TriageCore
import TriageRouting

/// Session affinity in the decision, escalation one tier up, and the affinity table's bounds.
@Suite struct AffinityTests {
    static let catalog = ModelCatalog(
        models: [
            ModelSpec(name: "small-a", provider: "alpha", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.01)),
            ModelSpec(name: "mid-a", provider: "alpha", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 4, cachedInputPerMillion: 0.1)),
            ModelSpec(name: "mid-b", provider: "beta", tier: .mid, price: ModelPrice(inputPerMillion: 0.5, outputPerMillion: 2)),
            ModelSpec(name: "frontier-b", provider: "beta", tier: .frontier, price: ModelPrice(inputPerMillion: 5, outputPerMillion: 20)),
            ModelSpec(name: "frontier-a", provider: "alpha", tier: .frontier, price: ModelPrice(inputPerMillion: 6, outputPerMillion: 24)),
        ],
        providers: [ProviderSpec(name: "alpha", baseURL: "http://127.0.0.1:1"), ProviderSpec(name: "beta", baseURL: "http://127.0.0.1:2")])
    static let pipeline = DecisionPipeline(
        policy: RoutingPolicy(roles: ["formatter": RoleRule(tier: .small), "planner": RoleRule(tier: .frontier)], defaultTier: .mid), catalog: catalog)

    static func request(role: String? = nil, sticky: StickyModel? = nil, reasoning: Bool = false) -> RouteRequest {
        RouteRequest(target: .auto, role: role, features: RequestFeatures(estimatedInputTokens: 10_000), sticky: sticky, carriesReasoning: reasoning)
    }

    @Test func stickyModelLeadsWhenItsTierIsHighEnoughAndIsPricedWithTheCacheDiscount() throws {
        let plain = try Self.pipeline.decide(Self.request(role: "formatter"), availability: AllModelsAvailable())
        #expect(plain.candidates.first?.model.name == "small-a")
        let sticky = try Self.pipeline.decide(
            Self.request(role: "formatter", sticky: StickyModel(model: "mid-a", expectedCachedTokens: 9_000)), availability: AllModelsAvailable())
        #expect(sticky.candidates.first?.model.name == "mid-a")
        #expect(sticky.tier == .mid)
        #expect(sticky.reasons.last?.hasPrefix("sticky: conversation stays on mid-a") == true)
        let uncached = Self.pipeline.selector.expectedCost(of: Self.catalog.model(named: "mid-a")!, for: RequestFeatures(estimatedInputTokens: 10_000))
        #expect(sticky.candidates[0].expectedCostUSD < uncached)
        #expect(sticky.candidates.filter { $0.model.name == "mid-a" }.count == 1)
    }

    @Test func aHigherTierWinsOverAStickyLowerOne() throws {
        let decision = try Self.pipeline.decide(
            Self.request(role: "planner", sticky: StickyModel(model: "small-a", expectedCachedTokens: 100)), availability: AllModelsAvailable())
        #expect(decision.candidates.first?.model.tier == .frontier)
        #expect(decision.reasons.last?.contains("below tier frontier") == true)
    }

    @Test func anUnavailableStickyModelIsLeft() throws {
        struct Down: ModelAvailability { func isAvailable(_ model: String) -> Bool { model != "mid-a" } }
        let decision = try Self.pipeline.decide(Self.request(sticky: StickyModel(model: "mid-a", expectedCachedTokens: 100)), availability: Down())
        #expect(decision.candidates.first?.model.name == "mid-b")
    }

    @Test func reasoningConversationsStayWithTheirProvider() throws {
        let decision = try Self.pipeline.decide(
            Self.request(sticky: StickyModel(model: "mid-a", expectedCachedTokens: 100), reasoning: true), availability: AllModelsAvailable())
        #expect(decision.candidates.map(\.model.provider).allSatisfy { $0 == "alpha" })
        let served = Self.catalog.model(named: "mid-a")!
        let up = try #require(
            Self.pipeline.escalation(
                from: decision, servedBy: served, request: Self.request(reasoning: true), availability: AllModelsAvailable(), because: "json failed"))
        // frontier-b is cheaper, but it is another provider: the conversation stays on alpha.
        #expect(up.candidates.map(\.model.name) == ["frontier-a"])
    }

    @Test func escalationGoesOneTierAboveTheServedModel() throws {
        let decision = try Self.pipeline.decide(Self.request(role: "formatter"), availability: AllModelsAvailable())
        let small = Self.catalog.model(named: "small-a")!
        let up = try #require(
            Self.pipeline.escalation(from: decision, servedBy: small, request: Self.request(role: "formatter"), availability: AllModelsAvailable(), because: "json failed"))
        #expect(up.tier == .mid)
        #expect(up.candidates.first?.model.name == "mid-b")
        #expect(up.reasons.contains("escalated: json failed on small-a → mid"))
        let frontier = Self.catalog.model(named: "frontier-b")!
        #expect(Self.pipeline.escalation(from: up, servedBy: frontier, request: Self.request(), availability: AllModelsAvailable(), because: "x") == nil)
    }

    @Test func theTableExpiresAndStaysBounded() {
        let table = SessionAffinity(configuration: .init(ttlSeconds: 10, maxSessions: 4, expectedCacheHitRate: 0.5))
        let start = ContinuousClock.now
        table.remember("run:a", model: "mid-a", promptTokens: 1000, now: start)
        #expect(table.lookup("run:a", now: start + .seconds(5)) == StickyModel(model: "mid-a", expectedCachedTokens: 500))
        #expect(table.lookup("run:a", now: start + .seconds(11)) == nil)
        for index in 0..<20 { table.remember("run:\(index)", model: "small-a", promptTokens: 1, now: start + .milliseconds(index)) }
        #expect(table.count <= 4)
        #expect(table.lookup("run:19", now: start + .seconds(1)) != nil)
        let off = SessionAffinity(configuration: .init(enabled: false))
        off.remember("k", model: "m", promptTokens: 1)
        #expect(off.lookup("k") == nil)
    }
}

@Suite struct RunEscalationCountTests {
    @Test func escalationsAreCountedPerRunAndBounded() {
        let affinity = SessionAffinity(configuration: .init(maxSessions: 2))
        #expect(affinity.escalations(for: "run:a") == 0)
        affinity.noteEscalation("run:a")
        affinity.noteEscalation("run:a")
        affinity.noteEscalation("run:b")
        #expect(affinity.escalations(for: "run:a") == 2)
        #expect(affinity.escalations(for: "run:b") == 1)
        affinity.noteEscalation("run:c")  // full: starts over
        #expect(affinity.escalations(for: "run:a") == 0)
        #expect(affinity.escalations(for: "run:c") == 1)
        let off = SessionAffinity(configuration: .init(enabled: false))
        off.noteEscalation("run:a")
        #expect(off.escalations(for: "run:a") == 0)
    }

    @Test func earlierEscalationsRaiseTheComplexityScore() {
        let analyzer = RoutingBrain().analyzer()
        let features = ComplexityFeatures(analyzer: analyzer)
        var request = promptRequest("Rename the column.")
        let before = ComplexityModel.builtIn.score(analyzer.analyze(request), features: features)
        request.priorEscalations = 2
        let after = ComplexityModel.builtIn.score(analyzer.analyze(request), features: features)
        #expect(after > before)
    }
}
