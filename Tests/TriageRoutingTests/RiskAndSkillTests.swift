import Testing
import TriageCore
import TriageRouting

func promptRequest(_ text: String, tools: [String] = [], system: String? = nil, responseFormat: String? = nil) -> RouteRequest {
    var messages: [PromptDigest.Message] = []
    if let system { messages.append(.init(role: "system", text: system)) }
    messages.append(.init(role: "user", text: text))
    return RouteRequest(
        target: .auto, features: RequestFeatures(estimatedInputTokens: text.count / 4),
        prompt: PromptDigest(messages: messages, toolNames: tools, responseFormat: responseFormat))
}

let defaultAnalyzer = RoutingBrain().analyzer(lexical: true)

@Suite struct PatternRiskPredictorTests {
    let predictor = PatternRiskPredictor(analyzer: defaultAnalyzer)

    func risks(_ text: String, tools: [String] = []) -> [RiskSignal] {
        predictor.risks(for: defaultAnalyzer.analyze(promptRequest(text, tools: tools)))
    }

    func names(_ text: String, tools: [String] = []) -> [String] {
        risks(text, tools: tools).map(\.name)
    }

    @Test(arguments: [
        ("Fix the bug in src/billing/invoice.py where totals are rounded twice.", "missing-repository-context"),
        ("Refactor UserService.swift and AuthController.swift to share the session cache.", "missing-repository-context"),
        ("Write the migration: ALTER TABLE users DROP COLUMN legacy_id and backfill the new column.", "risky-migration"),
        ("Rotate the API key and store the new secret in the vault; check the OAuth scopes.", "security-sensitive"),
        ("Export all customers' personal data (SSN, credit card) to a CSV.", "security-sensitive"),
        ("Run rm -rf on the build cache in production and refund the duplicate payment.", "high-consequence-write"),
        ("1. clone\n2. build\n3. run tests\n4. bump version\n5. tag\n6. publish\n7. announce", "long-dependency-chain"),
    ])
    func detects(text: String, signal: String) {
        let risks = risks(text)
        let risk = risks.first { $0.name == signal }
        #expect(risk != nil, "expected \(signal) in \(risks.map(\.name))")
        #expect((risk?.score ?? 0) > 0 && (risk?.score ?? 2) <= 1)
        #expect(risk?.reason.isEmpty == false)
    }

    @Test(arguments: [
        "Reformat this list as a markdown table: apples 3, pears 5.",
        "Summarize the following paragraph in one sentence: The meeting moved to Tuesday.",
        "Translate 'good morning' into French.",
        "What is a good name for a cat?",
        // A code task that includes the code it talks about has its context.
        "Fix the bug in utils.py:\n```python\ndef add(a, b):\n    return a - b\n```",
        "Truncate this text to 20 words.",
    ])
    func staysQuietOnOrdinaryWork(text: String) {
        #expect(names(text).isEmpty, "\(names(text))")
    }

    @Test func manyToolsMakeALongChain() {
        #expect(names("Do the task.", tools: (0..<12).map { "tool\($0)" }).contains("long-dependency-chain"))
        #expect(!names("Do the task.", tools: ["read_file"]).contains("long-dependency-chain"))
    }

    @Test func riskRaisesTheTierInThePipeline() throws {
        let catalog = ModelCatalog(
            models: [
                ModelSpec(name: "s", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4)),
                ModelSpec(name: "m", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 2)),
                ModelSpec(name: "f", provider: "p", tier: .frontier, price: ModelPrice(inputPerMillion: 5, outputPerMillion: 20)),
            ],
            providers: [ProviderSpec(name: "p", baseURL: "http://127.0.0.1:1/v1")])
        let pipeline = RoutingBrain().pipeline(policy: RoutingPolicy(roles: ["formatter": RoleRule(tier: .small)], defaultTier: .small), catalog: catalog)
        let risky = try pipeline.decide(promptRequest("DROP TABLE sessions; then deploy to production"), availability: AllModelsAvailable())
        #expect(risky.tier == .frontier)
        #expect(risky.reasons.contains { $0.hasPrefix("risk risky-migration") })
        let plain = try pipeline.decide(promptRequest("Reformat as a table: a=1, b=2"), availability: AllModelsAvailable())
        #expect(plain.tier == .small)
        #expect(plain.skill == "formatting")
    }
}

@Suite struct KeywordSkillClassifierTests {
    let classifier = KeywordSkillClassifier(analyzer: defaultAnalyzer)

    func skill(_ text: String, classifier: KeywordSkillClassifier? = nil, analyzer: PromptAnalyzer = defaultAnalyzer) -> String? {
        (classifier ?? self.classifier).skill(for: analyzer.analyze(promptRequest(text)))
    }

    @Test(arguments: [
        ("Extract the invoice number and total from this email.", "extraction"),
        ("Classify the sentiment of this review as positive or negative.", "classification"),
        ("Reformat this CSV as a markdown table.", "formatting"),
        ("Summarize this article in three bullet points.", "summarization"),
        ("Translate this paragraph into German.", "translation"),
        ("Refactor this:\n```swift\nfunc f() { }\n```", "code-edit"),
        ("Write a function that parses ISO dates in Python.", "code-generation"),
        ("Solve the equation 3x + 7 = 22 and prove the result.", "math-reasoning"),
        ("Plan the architecture and milestones for a billing service.", "planning"),
        ("Write a story about a lighthouse keeper.", "open-ended-writing"),
        ("hey, thanks!", "chit-chat"),
    ])
    func namesTheSkill(text: String, skill: String) {
        #expect(self.skill(text) == skill)
    }

    @Test func onlyConfiguredLabels() {
        let analyzer = RoutingBrain(skills: RoutingCues.skillCues(labels: ["planning", "formatting"])).analyzer()
        let limited = KeywordSkillClassifier(analyzer: analyzer)
        #expect(limited.skills == ["planning", "formatting"])
        #expect(skill("Translate this into French.", classifier: limited, analyzer: analyzer) == nil)
        #expect(skill("Reformat as JSON.", classifier: limited, analyzer: analyzer) == "formatting")
    }

    @Test func noPromptNoSkill() {
        #expect(classifier.skill(for: defaultAnalyzer.analyze(RouteRequest(target: .auto, features: RequestFeatures(estimatedInputTokens: 1)))) == nil)
    }
}
