import Foundation
import Testing
import TriageConfig
import TriageCore
import TriageRouting

/// The `routing:` section and per-model quality priors.
@Suite struct RoutingConfigTests {
    func load(_ extra: String, models: String? = nil) throws(ConfigError) -> GatewayConfig {
        let base = models.map { ConfigLoaderTests.minimal.replacingOccurrences(of: "price: {input: 0.1, output: 0.4}}", with: $0) } ?? ConfigLoaderTests.minimal
        return try ConfigLoader.load(yaml: base + "\n" + extra, source: "t.yaml", environment: ["P_KEY": "k"])
    }

    func failure(_ extra: String) -> ConfigError? {
        do {
            _ = try load(extra)
            return nil
        } catch {
            return error
        }
    }

    @Test func withoutTheSectionCallsGoToTheDefaultTier() throws {
        let config = try load("")
        #expect(config.routing.complexity == nil)
        #expect(config.routing.skills.map(\.skill) == RoutingCues.defaultSkills)
        #expect(config.policy.minimumQuality == nil)
    }

    @Test func everyKey() throws {
        let config = try load(
            """
            routing:
              complexity: {small_below: 0.2, frontier_from: 0.6}
              min_quality: 0.8
              skills:
                extraction: {}
                code-review: {phrases: [review this, code review], min_tier: mid}
                planning: {min_tier: frontier}
              risks:
                security-sensitive: mid
                long-dependency-chain: off
            """, models: "price: {input: 0.1, output: 0.4}, quality: {default: 0.7, extraction: 0.9}}")
        #expect(config.routing.complexity == ComplexityModel.builtIn)
        #expect(config.routing.thresholds == ComplexityThresholds(small: 0.2, frontier: 0.6))
        #expect(config.policy.minimumQuality == 0.8)
        #expect(config.routing.skills.map(\.skill) == ["extraction", "code-review", "planning"])
        #expect(config.routing.skills[1].phrases == ["review this", "code review"])
        #expect(config.routing.skillTiers == ["code-review": .mid, "planning": .frontier])
        #expect(config.routing.riskTiers[.securitySensitive] == .mid)
        #expect(config.routing.riskTiers[.longDependencyChain] == nil)
        #expect(config.routing.riskTiers[.riskyMigration] == .frontier)
        #expect(config.catalog.model(named: "a")?.quality == ["default": 0.7, "extraction": 0.9])
        #expect(config.catalog.model(named: "a")?.expectedQuality(for: "planning") == 0.7)
    }

    @Test func aModelFileIsLoaded() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("triage-model-\(UInt64.random(in: 0...UInt64.max)).json").path
        var model = ComplexityModel.builtIn
        model.bias = -0.5
        try model.json().write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try load("routing:\n  complexity: {model: \(path)}")
        #expect(config.routing.complexity == model)
    }

    @Test(arguments: [
        ("routing:\n  complexity: {model: /nonexistent/model.json}", 9, "routing.complexity.model"),
        ("routing:\n  complexity: {small_below: 0.8, frontier_from: 0.4}", 9, "routing.complexity.small_below"),
        ("routing:\n  risks:\n    lava: frontier", 10, "routing.risks.lava"),
        ("routing:\n  risks:\n    security-sensitive: huge", 10, "routing.risks.security-sensitive"),
        ("routing:\n  skills:\n    x: {phrases: [one two three four]}", 10, "routing.skills.x.phrases[0]"),
        ("routing:\n  min_quality: 1.5", 9, "routing.min_quality"),
    ])
    func mistakesNameTheKeyAndLine(yaml: String, line: Int, path: String) {
        let error = failure(yaml)
        #expect(error?.path == path, "\(String(describing: error))")
        #expect(error?.line == line, "\(String(describing: error))")
    }
}
