import Foundation
import Testing
import TriageCore
import TriageRouting

/// The complexity model, its router, and the selector's quality priors.
@Suite struct ComplexityRouterTests {
    static let catalog = ModelCatalog(
        models: [
            ModelSpec(name: "s-cheap", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.2), quality: ["default": 0.6, "extraction": 0.9]),
            ModelSpec(name: "s-good", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.3, outputPerMillion: 0.6), quality: ["default": 0.8]),
            ModelSpec(name: "m", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 2)),
            ModelSpec(name: "f", provider: "p", tier: .frontier, price: ModelPrice(inputPerMillion: 5, outputPerMillion: 20)),
        ],
        providers: [ProviderSpec(name: "p", baseURL: "http://127.0.0.1:1/v1")])

    /// A model that only looks at one dense feature, so tests control the score exactly.
    static func model(bias: Double, reasoningWeight: Double = 0) -> ComplexityModel {
        var weights = [Double](repeating: 0, count: ComplexityModel.denseFeatureNames.count)
        weights[ComplexityModel.denseFeatureNames.firstIndex(of: "log_reasoning_cues")!] = reasoningWeight
        return ComplexityModel(hashBits: 8, bias: bias, denseWeights: weights)
    }

    func pipeline(_ model: ComplexityModel, skillTiers: [String: Tier] = [:], minimumQuality: Double? = nil, roles: [String: RoleRule] = [:]) -> DecisionPipeline {
        let brain = RoutingBrain(skillTiers: skillTiers, complexity: model, thresholds: ComplexityThresholds(small: 0.3, frontier: 0.7))
        return brain.pipeline(policy: RoutingPolicy(roles: roles, defaultTier: .mid, minimumQuality: minimumQuality), catalog: Self.catalog)
    }

    @Test(arguments: [(-3.0, Tier.small), (0.0, .mid), (3.0, .frontier)])
    func thresholdsPickTheTier(bias: Double, tier: Tier) throws {
        let decision = try pipeline(Self.model(bias: bias)).decide(promptRequest("Tell me something."), availability: AllModelsAvailable())
        #expect(decision.tier == tier)
        #expect(decision.complexity.map { abs($0 - 1 / (1 + exp(-bias))) < 1e-9 } == true)
        #expect(decision.reasons.contains { $0.hasPrefix("complexity ") })
    }

    @Test func theScoreFollowsTheFeatures() throws {
        let pipeline = pipeline(Self.model(bias: -1, reasoningWeight: 3))
        let plain = try pipeline.decide(promptRequest("List the colours."), availability: AllModelsAvailable())
        let hard = try pipeline.decide(promptRequest("Explain why, and prove it, and analyze the trade offs."), availability: AllModelsAvailable())
        #expect((plain.complexity ?? 1) < 0.3 && plain.tier == .small)
        #expect((hard.complexity ?? 0) >= 0.7 && hard.tier == .frontier)
    }

    @Test func aSkillFloorRaisesTheTier() throws {
        let decision = try pipeline(Self.model(bias: -3), skillTiers: ["planning": .frontier])
            .decide(promptRequest("Plan the roadmap and milestones."), availability: AllModelsAvailable())
        #expect(decision.skill == "planning")
        #expect(decision.tier == .frontier)
        #expect(decision.reasons.contains { $0.contains("skill planning needs frontier") })
    }

    @Test func fixedTierRolesSkipTheBrain() throws {
        let decision = try pipeline(Self.model(bias: 3), roles: ["formatter": RoleRule(tier: .small)])
            .decide(RouteRequest(target: .auto, role: "formatter", features: RequestFeatures(estimatedInputTokens: 10), prompt: PromptDigest(messages: [.init(role: "user", text: "DROP TABLE users; explain why")])), availability: AllModelsAvailable())
        #expect(decision.tier == .small)
        #expect(decision.complexity == nil)
        #expect(decision.skill == nil)
        #expect(decision.risks.isEmpty)
    }

    struct Down: ModelAvailability {
        var models: Set<String>
        func isAvailable(_ model: String) -> Bool { !models.contains(model) }
    }

    @Test func theSelectorTakesTheCheapestModelThatMeetsTheQualityPrior() throws {
        let pipeline = pipeline(Self.model(bias: -3), minimumQuality: 0.75)
        // Extraction: the cheap model's prior (0.9) qualifies.
        let extraction = try pipeline.decide(promptRequest("Extract the order number from this email."), availability: AllModelsAvailable())
        #expect(extraction.skill == "extraction")
        #expect(extraction.candidates.map(\.model.name).prefix(2) == ["s-cheap", "s-good"])
        // Other skills: the cheap model's default prior (0.6) does not; it stays as a fallback.
        let summary = try pipeline.decide(promptRequest("Summarize this paragraph."), availability: AllModelsAvailable())
        #expect(summary.candidates.map(\.model.name).prefix(2) == ["s-good", "s-cheap"])
        #expect(summary.reasons.contains { $0.contains("meeting quality 0.75 for summarization: s-good") })
        // Health: the qualifying model is down, the next qualifying one leads, the down one goes last in its tier.
        let down = try pipeline.decide(promptRequest("Summarize this paragraph."), availability: Down(models: ["s-good"]))
        #expect(down.candidates.map(\.model.name).prefix(2) == ["s-cheap", "s-good"])
    }

    @Test func theSelectorFollowsPriceChanges() throws {
        var models = Self.catalog.models
        models[1].price = ModelPrice(inputPerMillion: 0.01, outputPerMillion: 0.02)  // s-good is now the cheapest
        let catalog = ModelCatalog(models: models, providers: Array(Self.catalog.providers.values))
        let brain = RoutingBrain(complexity: Self.model(bias: -3), thresholds: ComplexityThresholds(small: 0.3, frontier: 0.7))
        let decision = try brain.pipeline(policy: RoutingPolicy(), catalog: catalog).decide(promptRequest("Extract the date."), availability: AllModelsAvailable())
        #expect(decision.candidates.first?.model.name == "s-good")
        let withoutQuality = try pipeline(Self.model(bias: -3)).decide(promptRequest("Summarize this."), availability: AllModelsAvailable())
        #expect(withoutQuality.candidates.first?.model.name == "s-cheap")
    }

    @Test func modelFilesRoundTrip() throws {
        var lexical = [Float](repeating: 0, count: 1 << 10)
        lexical[3] = 0.25
        lexical[1000] = -1.5
        let model = ComplexityModel(
            hashBits: 10, bias: -0.123456789, denseWeights: (0..<ComplexityModel.denseFeatureNames.count).map { Double($0) / 7 },
            denseMean: (0..<ComplexityModel.denseFeatureNames.count).map { Double($0) * 1.5 },
            denseScale: (0..<ComplexityModel.denseFeatureNames.count).map { 1 + Double($0) }, lexicalWeights: lexical, metadata: ["data": "x.jsonl"])
        let decoded = try ComplexityModel(json: model.json())
        #expect(decoded == model)
        #expect(try ComplexityModel(json: ComplexityModel.builtIn.json()) == ComplexityModel.builtIn)
    }

    @Test(arguments: [
        "not json", #"{"format": "other"}"#, #"{"format": "triage-complexity-model", "version": 2}"#,
        #"{"format": "triage-complexity-model", "version": 3, "hash_bits": 8, "bias": 0}"#,
        #"{"format": "triage-complexity-model", "version": 2, "hash_bits": 40, "bias": 0}"#,
        #"{"format": "triage-complexity-model", "version": 2, "hash_bits": 8, "bias": 0, "dense": [{"name": "nope"}]}"#,
        #"{"format": "triage-complexity-model", "version": 2, "hash_bits": 8, "bias": 0, "lexical": {"buckets": [999], "weights": [1]}}"#,
        // Version 1 bucketed words with an earlier hash: its lexical weights would mean nothing.
        #"{"format": "triage-complexity-model", "version": 1, "hash_bits": 8, "bias": 0, "lexical": {"buckets": [9], "weights": [1]}}"#,
    ])
    func badModelFilesAreRejected(text: String) {
        #expect(throws: ComplexityModelError.self) { try ComplexityModel(json: text) }
    }

    /// A version 1 file without lexical weights reads as it did: its dense facts do not
    /// depend on the word hash.
    @Test func denseOnlyVersionOneFilesStillLoad() throws {
        let model = try ComplexityModel(json: #"{"format": "triage-complexity-model", "version": 1, "hash_bits": 8, "bias": 0.5}"#)
        #expect(model.bias == 0.5)
        #expect(model.lexicalWeights.isEmpty)
    }
}
