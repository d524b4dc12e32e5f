import TriageCore

/// The configurable parts of the routing layers: skill labels and their cue phrases, the
/// complexity model and its thresholds, per-skill minimum tiers and the tier each risk raises
/// a call to. `pipeline` assembles the decision pipeline from them.
public struct RoutingBrain: Sendable {
    /// Skill labels in priority order, each with its cue phrases.
    public var skills: [(skill: String, phrases: [String])]
    /// Minimum tier per skill.
    public var skillTiers: [String: Tier]
    /// The tier of a skill's middle complexity band, where it differs from the default tier.
    public var skillBandTiers: [String: Tier] = [:]
    /// When `nil`, calls without a role rule go to the policy's default tier.
    public var complexity: ComplexityModel?
    public var thresholds: ComplexityThresholds
    public var riskTiers: [PatternRiskPredictor.Signal: Tier]

    public init(
        skills: [(skill: String, phrases: [String])] = RoutingCues.defaultSkillCues, skillTiers: [String: Tier] = [:],
        complexity: ComplexityModel? = nil, thresholds: ComplexityThresholds = .init(),
        riskTiers: [PatternRiskPredictor.Signal: Tier] = PatternRiskPredictor.defaultMinimumTiers
    ) {
        self.skills = skills
        self.skillTiers = skillTiers
        self.complexity = complexity
        self.thresholds = thresholds
        self.riskTiers = riskTiers
    }

    /// The prompt analyzer for these cue groups. It hashes the ask's n-grams when `lexical`
    /// says so, by default only when the complexity model has lexical weights to read them.
    public func analyzer(lexical: Bool? = nil) -> PromptAnalyzer {
        PromptAnalyzer(
            groups: RoutingCues.groups(skills: skills), hashBits: complexity?.hashBits ?? 16,
            collectsLexical: lexical ?? (complexity?.lexicalWeights.isEmpty == false))
    }

    /// The decision pipeline: keyword skill classifier, pattern risk predictor, and the
    /// complexity router when a model is set (else the default-tier router).
    public func pipeline(policy: RoutingPolicy, catalog: ModelCatalog) -> DecisionPipeline {
        let analyzer = analyzer()
        let router: any TierRouter =
            complexity.map { ComplexityTierRouter(model: $0, analyzer: analyzer, thresholds: thresholds, skillTiers: skillTiers, skillBandTiers: skillBandTiers) } ?? DefaultTierRouter()
        return DecisionPipeline(
            policy: policy, catalog: catalog, analyzer: analyzer, classifier: KeywordSkillClassifier(analyzer: analyzer),
            riskPredictor: PatternRiskPredictor(analyzer: analyzer, minimumTiers: riskTiers), router: router)
    }
}
