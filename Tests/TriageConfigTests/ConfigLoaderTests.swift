import Foundation
import Testing
import TriageCore
import TriageRouting

@testable import TriageConfig

@Suite struct ConfigLoaderTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examplePath = packageRoot.appendingPathComponent("examples/triage.yaml").path
    static let secret = "sk-proj-SECRET-0123456789"

    /// Lines 1-7; anything appended starts at line 8.
    static let minimal = """
        providers:
          p:
            base_url: http://127.0.0.1:9/v1
            api_key_env: P_KEY
        models:
          - {name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}
          - {name: b, provider: p, tier: mid, price: {input: 1, output: 2, cached_input: 0.1}}
        """

    func load(_ yaml: String, environment: [String: String] = ["P_KEY": secret]) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader.load(yaml: yaml, source: "t.yaml", environment: environment)
    }

    func error(_ yaml: String, environment: [String: String] = ["P_KEY": secret]) -> ConfigError? {
        do {
            _ = try load(yaml, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The example file

    @Test func exampleLoadsWithAnOpenAIKey() throws {
        let config = try ConfigLoader.load(path: Self.examplePath, environment: ["OPENAI_API_KEY": Self.secret])
        #expect(config.warnings.isEmpty)
        #expect(config.catalog.providers.keys.sorted() == ["openai"], "the local provider is off unless TRIAGE_LOCAL=true")
        let openai = try #require(config.catalog.providers["openai"])
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.apiKey?.value == Self.secret)
        #expect(!openai.isLocal)
        for tier in Tier.allCases {
            #expect(!config.catalog.models(in: tier).isEmpty, "no \(tier) model")
        }
        let chat = config.catalog.models.filter { $0.kind == .chat }
        #expect(chat.allSatisfy { $0.provider == "openai" && $0.price.outputPerMillion > $0.price.inputPerMillion })
        #expect(chat.allSatisfy { $0.price.cachedInputPerMillion < $0.price.inputPerMillion })
        #expect(config.catalog.models.filter { $0.kind == .embedding }.map(\.name) == ["text-embedding-3-small"])
        #expect(config.policy.defaultTier == .mid)
        let expectedRoles: [String: Tier] = [
            "planner": .frontier, "architect": .frontier, "worker": .mid, "coder": .mid, "formatter": .small,
            "extractor": .small, "classifier": .small, "file-ops": .small, "critic": .small,
        ]
        #expect(config.policy.roles.mapValues(\.tier) == expectedRoles)
        #expect(config.policy.pins.isEmpty)
        #expect(config.policy.failoverToHigherTiers)
        #expect(config.server.host == "127.0.0.1" && config.server.port == 8080)
        #expect(config.storage.sqlitePath == "triage.db")
        #expect(config.clientKeys.isEmpty)
        // The example documents the calibration defaults.
        #expect(config.calibration == CalibrationSettings())
    }

    @Test func exampleTurnsOnTheLocalProviderFromTheEnvironment() throws {
        let config = try ConfigLoader.load(
            path: Self.examplePath,
            environment: ["TRIAGE_LOCAL": "true", "LOCAL_LLM_BASE_URL": "http://10.0.0.5:8000/v1/", "TRIAGE_PORT": "9090"])
        let local = try #require(config.catalog.providers["local"])
        #expect(local.isLocal)
        #expect(local.baseURL == "http://10.0.0.5:8000/v1")
        #expect(local.apiKey == nil)
        let llama = try #require(config.catalog.model(named: "llama3.2:3b"))
        #expect(llama.tier == .small)
        #expect(llama.price == .free)
        #expect(config.server.port == 9090)
        #expect(config.warnings == ["provider openai: environment variable OPENAI_API_KEY is not set; calls to it will be sent without a key"])
    }

    @Test func exampleTurnsOnAnthropicAndGeminiFromTheEnvironment() throws {
        let config = try ConfigLoader.load(
            path: Self.examplePath,
            environment: [
                "OPENAI_API_KEY": Self.secret, "TRIAGE_ANTHROPIC": "true", "ANTHROPIC_API_KEY": "sk-ant-x", "TRIAGE_GEMINI": "true",
                "GEMINI_API_KEY": "g-x", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9999/v1",
            ])
        #expect(config.warnings.isEmpty)
        #expect(config.catalog.providers["anthropic"]?.format == .anthropic)
        #expect(config.catalog.providers["anthropic"]?.baseURL == "http://127.0.0.1:9999/v1")
        #expect(config.catalog.providers["gemini"]?.format == .gemini)
        #expect(config.catalog.providers["gemini"]?.baseURL == "https://generativelanguage.googleapis.com/v1beta")
        for provider in ["anthropic", "gemini"] {
            let models = config.catalog.models.filter { $0.provider == provider }
            #expect(Set(models.map(\.tier)) == Set(Tier.allCases), "\(provider) has a model in every tier")
            #expect(models.allSatisfy { $0.price.outputPerMillion > $0.price.inputPerMillion && $0.price.cachedInputPerMillion < $0.price.inputPerMillion })
        }
        let haiku = try #require(config.catalog.model(named: "claude-haiku-5-5"))
        #expect(haiku.price.cacheWritePerMillion == 0.125)
        #expect(abs(haiku.price.cost(of: Usage(inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 200_000, cacheWriteInputTokens: 300_000)) - (0.5 * 0.10 + 0.2 * 0.01 + 0.3 * 0.125)) < 1e-12)
    }

    /// The error quoted in the example's header comment is the one the loader really gives.
    @Test func exampleHeaderQuotesARealError() throws {
        let text = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        let quoted = try #require(text.split(separator: "\n").first { $0.hasPrefix("#   examples/triage.yaml:") })
        let expected = quoted.dropFirst(4)
        let line = try #require(Int(expected.split(separator: ":")[1]))
        var lines = text.components(separatedBy: "\n")
        lines[line - 1] = lines[line - 1].replacingOccurrences(of: "tier: mid", with: "tier: large")
        let failure = try #require(error(lines.joined(separator: "\n")))
        #expect(failure.description.replacingOccurrences(of: "t.yaml", with: "examples/triage.yaml") == String(expected))
    }

    // MARK: - Defaults and environment substitution

    @Test func minimalConfigGetsDefaults() throws {
        let config = try load(Self.minimal)
        #expect(config.server == GatewayConfig.Server())
        #expect(config.storage == GatewayConfig.Storage())
        #expect(config.failover == GatewayConfig.Failover())
        #expect(config.circuitBreaker == .init())
        #expect(config.policy.defaultTier == .mid)
        #expect(config.catalog.providers["p"]?.apiKey?.value == Self.secret)
        #expect(config.catalog.model(named: "a")?.upstreamName == "a")
        #expect(config.catalog.model(named: "a")?.contextWindow == 128_000)
        #expect(config.catalog.model(named: "a")?.price.cachedInputPerMillion == 0.1, "cached input defaults to the input price")
        #expect(config.catalog.model(named: "b")?.price.cachedInputPerMillion == 0.1)
    }

    @Test func everySectionIsRead() throws {
        let yaml = Self.minimal + """

            server: {host: 0.0.0.0, port: 9000, max_body_bytes: 1024}
            storage: {sqlite: /var/lib/triage.db, trace_batch_size: 8, trace_flush_ms: 5, trace_buffer: 64}
            default_tier: small
            roles:
              planner: frontier
              reviewer: {tier: mid, skip_classification: false}
            failover: {higher_tiers: false, max_attempts: 2, max_retry_wait_s: 0.5}
            circuit_breaker: {failure_threshold: 3, cool_down_s: 1.5}
            auth:
              keys:
                - {name: team-a, sha256: \(String(repeating: "AB", count: 32))}
            pins:
              - {role: planner, model: b}
              - {key: team-a, model: a}
            """
        let config = try load(yaml)
        #expect(config.server.host == "0.0.0.0" && config.server.port == 9000 && config.server.maxBodyBytes == 1024)
        #expect(config.storage.sqlitePath == "/var/lib/triage.db" && config.storage.traceBatchSize == 8)
        #expect(config.storage.traceFlushMilliseconds == 5 && config.storage.traceBufferCapacity == 64)
        #expect(config.policy.defaultTier == .small)
        #expect(config.policy.roles["planner"] == RoleRule(tier: .frontier, skipClassification: true))
        #expect(config.policy.roles["reviewer"] == RoleRule(tier: .mid, skipClassification: false))
        #expect(!config.policy.failoverToHigherTiers)
        #expect(config.failover.maxAttempts == 2 && config.failover.maxRetryWaitSeconds == 0.5)
        #expect(config.circuitBreaker == .init(failureThreshold: 3, coolDown: .milliseconds(1500)))
        #expect(config.clientKeys == [.init(name: "team-a", sha256Hex: String(repeating: "ab", count: 32))])
        #expect(config.policy.pins == [Pin(match: .role("planner"), model: "b"), Pin(match: .key("team-a"), model: "a")])
        #expect(config.warnings.isEmpty)
    }

    @Test func environmentSubstitution() throws {
        let yaml = Self.minimal + "\nserver: {port: \"${PORT:-9999}\", host: \"${HOST}\"}\n"
        let defaulted = try load(yaml, environment: ["HOST": "0.0.0.0"])
        #expect(defaulted.server.port == 9999)
        #expect(defaulted.server.host == "0.0.0.0")
        let overridden = try load(yaml, environment: ["HOST": "::1", "PORT": "7000"])
        #expect(overridden.server.port == 7000 && overridden.server.host == "::1")
        let emptyUsesDefault = try load(yaml, environment: ["HOST": "h", "PORT": ""])
        #expect(emptyUsesDefault.server.port == 9999)

        let missing = try #require(error(yaml, environment: [:]))
        #expect(missing.description == "t.yaml:8: server.host: environment variable HOST is not set (write ${HOST:-default} to give a default)")
    }

    @Test func substitutionFollowsShellRules() throws {
        func expand(_ text: String, _ environment: [String: String] = [:]) throws -> String {
            try EnvironmentSubstitution.expand(text, environment: environment).text
        }
        #expect(try expand("http://${H:-localhost}:${P:-80}/v1", ["P": "81"]) == "http://localhost:81/v1")
        #expect(try expand("${EMPTY}", ["EMPTY": ""]) == "", "a set but empty variable is kept as is")
        #expect(try expand("${X:-}", [:]) == "")
        #expect(try expand("a:-b ${X:-c:-d}") == "a:-b c:-d")
        #expect(try expand("pa$$word $HOME $ ${X:-y}$$") == "pa$word $HOME $ y$")
        #expect(try EnvironmentSubstitution.expand("plain", environment: [:]).usedEnvironment == false)
        #expect(try EnvironmentSubstitution.expand("${A:-x}", environment: [:]).usedEnvironment == false)
        #expect(try EnvironmentSubstitution.expand("${A:-x}", environment: ["A": "1"]).usedEnvironment == true)
        #expect(throws: EnvironmentSubstitution.Failure.unset("NOPE")) { try expand("${NOPE}") }
        #expect(throws: EnvironmentSubstitution.Failure.unterminated) { try expand("${OPEN") }
        #expect(throws: EnvironmentSubstitution.Failure.invalidName("1X")) { try expand("${1X}") }
        #expect(throws: EnvironmentSubstitution.Failure.invalidName("")) { try expand("${:-x}") }
    }

    @Test func booleansAreReadAfterSubstitution() throws {
        let yaml = """
            providers:
              p: {base_url: "http://127.0.0.1:9/v1"}
              q: {base_url: "http://127.0.0.1:8/v1", enabled: "${Q_ON:-false}", local: TRUE}
            models:
              - {name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}
              - {name: z, provider: q, tier: small, price: {input: 0, output: 0}}
            """
        #expect(try load(yaml, environment: [:]).catalog.model(named: "z") == nil)
        let on = try load(yaml, environment: ["Q_ON": "true"])
        #expect(on.catalog.model(named: "z")?.provider == "q")
        #expect(on.catalog.providers["q"]?.isLocal == true)
        let bad = try #require(error(yaml, environment: ["Q_ON": "yes please"]))
        #expect(bad.line == 3 && bad.path == "providers.q.enabled")
        #expect(bad.message.contains("expected true or false"))
    }
}
