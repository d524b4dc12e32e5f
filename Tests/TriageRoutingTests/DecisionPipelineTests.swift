import Testing
import TriageCore
import TriageRouting

/// A fixed set of model health states for tests.
struct FixedAvailability: ModelAvailability {
    var unavailable: Set<String> = []
    func isAvailable(_ model: String) -> Bool { !unavailable.contains(model) }
}

@Suite struct DecisionPipelineTests {
    static let catalog = ModelCatalog(
        models: [
            ModelSpec(name: "small-b", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.10, outputPerMillion: 0.40)),
            ModelSpec(name: "small-a", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.05, outputPerMillion: 0.40)),
            ModelSpec(name: "mid-a", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 0.25, outputPerMillion: 2)),
            ModelSpec(name: "mid-b", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 0.40, outputPerMillion: 1.6)),
            ModelSpec(name: "frontier-a", provider: "p", tier: .frontier, price: ModelPrice(inputPerMillion: 1.25, outputPerMillion: 10)),
            ModelSpec(name: "local-small", provider: "local", tier: .small, price: .free, contextWindow: 8_000),
        ],
        providers: [ProviderSpec(name: "p", baseURL: "http://127.0.0.1:1/v1"), ProviderSpec(name: "local", baseURL: "http://127.0.0.1:2/v1", isLocal: true)])

    static let policy = RoutingPolicy(
        roles: ["planner": RoleRule(tier: .frontier), "worker": RoleRule(tier: .mid), "formatter": RoleRule(tier: .small)],
        defaultTier: .mid,
        pins: [Pin(match: .role("legal"), model: "frontier-a"), Pin(match: .key("team-x"), model: "mid-b")])

    let pipeline = DecisionPipeline(policy: Self.policy, catalog: Self.catalog)

    func request(_ target: RouteTarget, role: String? = nil, key: String? = nil, tokens: Int = 1_000, maxOutput: Int? = nil) -> RouteRequest {
        RouteRequest(target: target, role: role, keyName: key, features: RequestFeatures(estimatedInputTokens: tokens, maxOutputTokens: maxOutput))
    }

    @Test(arguments: [("planner", Tier.frontier), ("worker", .mid), ("formatter", .small)])
    func rolesMapToTiers(role: String, tier: Tier) throws {
        let decision = try pipeline.decide(request(.auto, role: role), availability: FixedAvailability())
        #expect(decision.tier == tier)
        #expect(decision.candidates.first?.model.tier == tier)
        #expect(decision.mode == .auto)
        #expect(decision.reasons.first == "role '\(role)' → \(tier.rawValue)")
    }

    @Test func unknownAndAbsentRolesUseTheDefaultTier() throws {
        #expect(try pipeline.decide(request(.auto, role: "stranger"), availability: FixedAvailability()).tier == .mid)
        #expect(try pipeline.decide(request(.auto), availability: FixedAvailability()).tier == .mid)
    }

    @Test func cheapestFirstByExpectedCostThenHigherTiers() throws {
        let decision = try pipeline.decide(request(.tier(.small)), availability: FixedAvailability())
        #expect(decision.candidates.map(\.model.name) == ["local-small", "small-a", "small-b", "mid-b", "mid-a", "frontier-a"])
        #expect(decision.lane == .local)
    }

    @Test func expectedCostUsesOutputCapAndPrices() throws {
        // mid-a: 0.25 in / 2.0 out; mid-b: 0.40 in / 1.6 out. Long outputs favour mid-b, long prompts mid-a.
        let longOutput = try pipeline.decide(request(.tier(.mid), tokens: 10, maxOutput: 512), availability: FixedAvailability())
        #expect(longOutput.candidates.first?.model.name == "mid-b")
        let longPrompt = try pipeline.decide(request(.tier(.mid), tokens: 100_000, maxOutput: 10), availability: FixedAvailability())
        #expect(longPrompt.candidates.first?.model.name == "mid-a")
    }

    @Test func unhealthyModelsGoLast() throws {
        let decision = try pipeline.decide(request(.tier(.small)), availability: FixedAvailability(unavailable: ["local-small", "small-a"]))
        #expect(decision.candidates.prefix(3).map(\.model.name) == ["small-b", "local-small", "small-a"])
        #expect(decision.lane == .realtime)
    }

    @Test func contextWindowExcludesSmallModels() throws {
        let decision = try pipeline.decide(request(.tier(.small), tokens: 50_000), availability: FixedAvailability())
        #expect(!decision.candidates.map(\.model.name).contains("local-small"))
    }

    @Test func pinsOverrideEverything() throws {
        let byRole = try pipeline.decide(request(.tier(.small), role: "legal"), availability: FixedAvailability(unavailable: ["frontier-a"]))
        #expect(byRole.mode == .pinned)
        #expect(byRole.candidates.map(\.model.name) == ["frontier-a"])
        let byKey = try pipeline.decide(request(.model("small-a"), key: "team-x"), availability: FixedAvailability())
        #expect(byKey.candidates.map(\.model.name) == ["mid-b"])
        #expect(byKey.reasons == ["pinned: key 'team-x' → mid-b"])
    }

    @Test func concreteModelPassesThrough() throws {
        let decision = try pipeline.decide(request(.model("mid-b")), availability: FixedAvailability())
        #expect(decision.mode == .passthrough)
        #expect(decision.candidates.map(\.model.name) == ["mid-b"])
        #expect(decision.tier == .mid)
    }

    @Test func unknownModelsAreNotFound() {
        #expect(throws: GatewayError.self) { try pipeline.decide(request(.model("gpt-99")), availability: FixedAvailability()) }
        #expect { try RouteTarget(modelField: "triage/huge") } throws: { ($0 as? GatewayError)?.httpStatus == 404 }
    }

    @Test func targetParsing() throws {
        #expect(try RouteTarget(modelField: "triage/auto") == .auto)
        #expect(try RouteTarget(modelField: "triage/frontier") == .tier(.frontier))
        #expect(try RouteTarget(modelField: "gpt-5") == .model("gpt-5"))
    }

    @Test func higherTierFailoverCanBeTurnedOff() throws {
        var policy = Self.policy
        policy.failoverToHigherTiers = false
        let pipeline = DecisionPipeline(policy: policy, catalog: Self.catalog)
        let decision = try pipeline.decide(request(.tier(.mid)), availability: FixedAvailability())
        #expect(decision.candidates.allSatisfy { $0.model.tier == .mid })
    }

    struct RiskyEverything: RiskPredictor {
        func risks(for analysis: PromptAnalysis) -> [RiskSignal] {
            [RiskSignal(name: "risky-migration", score: 0.9, minimumTier: .frontier, reason: "DROP TABLE")]
        }
    }

    struct CountingClassifier: SkillClassifier {
        func skill(for analysis: PromptAnalysis) -> String? { "formatting" }
    }

    @Test func laterStagesPlugIn() throws {
        let pipeline = DecisionPipeline(policy: Self.policy, catalog: Self.catalog, classifier: CountingClassifier(), riskPredictor: RiskyEverything())
        let decision = try pipeline.decide(request(.auto), availability: FixedAvailability())
        #expect(decision.tier == .frontier)
        #expect(decision.skill == "formatting")
        #expect(decision.reasons.contains { $0.hasPrefix("risk risky-migration") })
        // Fixed-tier roles skip classification and risk entirely.
        let fixed = try pipeline.decide(request(.auto, role: "formatter"), availability: FixedAvailability())
        #expect(fixed.tier == .small)
        #expect(fixed.skill == nil)
    }
}
