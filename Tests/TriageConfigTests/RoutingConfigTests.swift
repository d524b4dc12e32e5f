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

@Suite("Observability, alerts and policy configuration")
struct ObservabilityConfigTests {
    /// The minimal config is 7 lines, so the first extra line is line 8.
    static func load(_ extra: String) throws -> GatewayConfig {
        try ConfigLoader.load(yaml: ConfigLoaderTests.minimal + "\n" + extra, source: "t.yaml", environment: ["P_KEY": "k"])
    }

    @Test("defaults: no OTLP export, metrics and dashboard on, no alerts, reload every 5 s")
    func defaults() throws {
        let config = try Self.load("")
        #expect(config.observability.otlp == nil)
        #expect(config.observability.metrics && config.observability.dashboard)
        #expect(config.alerts == nil)
        #expect(config.policyReload.reloadSeconds == 5)
    }

    @Test("a full section is read")
    func fullSections() throws {
        let config = try Self.load("""
            observability:
              otlp: {endpoint: "http://collector:4318", protocol: http/json, service_name: gw, sample_ratio: 0.5, headers: {x-token: abc}}
              metrics: false
            alerts:
              webhook: https://hooks.example.com/x
              interval_s: 30
              cost: {budget_usd_per_day: 12, window_min: 30, pace_factor: 1.5}
              quality: {floor: 0.8, window_min: 120, min_calls: 10}
            policy: {reload_s: 0}
            """)
        let otlp = try #require(config.observability.otlp)
        #expect(otlp.endpoint == "http://collector:4318/v1/traces")
        #expect(otlp.wireProtocol == .json)
        #expect(otlp.serviceName == "gw" && otlp.sampleRatio == 0.5 && otlp.headers == ["x-token": "abc"])
        #expect(!config.observability.metrics)
        let alerts = try #require(config.alerts)
        #expect(alerts.webhook == "https://hooks.example.com/x" && alerts.intervalSeconds == 30)
        #expect(alerts.cost.budgetUSDPerDay == 12 && alerts.cost.windowMinutes == 30 && alerts.cost.paceFactor == 1.5)
        #expect(alerts.quality.floor == 0.8 && alerts.quality.minimumCalls == 10)
        #expect(config.policyReload.reloadSeconds == 0)
    }

    @Test("calibration: the recalibration floor, evidence, window and step; defaults when absent")
    func calibration() throws {
        #expect(try Self.load("").calibration == CalibrationSettings())
        let config = try Self.load("""
            calibration:
              floor: 0.95
              min_samples: 50
              window_h: 168
              step: 0.02
            """)
        #expect(config.calibration.floor == 0.95)
        #expect(config.calibration.minimumSamples == 50)
        #expect(config.calibration.windowHours == 168)
        #expect(config.calibration.thresholdStep == 0.02)
    }

    @Test("errors name the line and key", arguments: [
        ("alerts:\n  cost: {budget_usd_per_day: 5}\n", "t.yaml:9: alerts.quality: is required"),
        ("alerts:\n  quality: {floor: 0.9}\n", "t.yaml:9: alerts.cost: is required"),
        ("alerts:\n  cost: {window_min: 5}\n  quality: {}\n", "alerts.cost.budget_usd_per_day: is required"),
        ("observability:\n  otlp: {protocol: grpc}\n", "observability.otlp.protocol: expected one of http/protobuf, http/json"),
        ("observability:\n  otlp: {endpoint: collector}\n", "observability.otlp.endpoint: expected an http(s) URL"),
        ("recalibration: {}\n", "unknown key"),
        ("calibration:\n  floor: 1.5\n", "t.yaml:9: calibration.floor: must be between 0 and 1, got 1.5"),
        ("calibration:\n  window_h: 0\n", "t.yaml:9: calibration.window_h: must be between"),
        ("calibration: {min_samples: 0}\n", "t.yaml:8: calibration.min_samples: must be between 1 and"),
        ("calibration:\n  floor: 0.9\n  window: 24h\n", "t.yaml:10: calibration.window: unknown key (expected one of: floor, min_samples, step, window_h"),
    ])
    func errors(yaml: String, message: String) {
        #expect {
            _ = try Self.load(yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
