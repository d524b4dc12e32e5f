import Foundation
import Testing
import TriageConfig
import TriageCore

@Suite struct ConfigLoaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let minimal = """
        providers:
          p:
            base_url: http://127.0.0.1:9/v1
            api_key_env: P_KEY
        models:
          - {name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}
          - {name: b, provider: p, tier: mid, price: {input: 1, output: 2, cached_input: 0.1}}
        """

    func load(_ yaml: String, environment: [String: String] = ["P_KEY": "sk-secret-value"]) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader.load(yaml: yaml, source: "t.yaml", environment: environment)
    }

    func error(_ yaml: String, environment: [String: String] = ["P_KEY": "sk-secret-value"]) -> ConfigError? {
        do {
            _ = try load(yaml, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func exampleConfigLoads() throws {
        let config = try ConfigLoader.load(path: Self.root.appendingPathComponent("examples/triage.yaml").path, environment: ["OPENAI_API_KEY": "sk-x"])
        #expect(config.catalog.models.map(\.tier).contains(.small))
        #expect(config.catalog.models.map(\.tier).contains(.mid))
        #expect(config.catalog.models.map(\.tier).contains(.frontier))
        #expect(config.catalog.providers["openai"]?.baseURL == "https://api.openai.com/v1")
        #expect(config.catalog.providers["local"] == nil, "the local provider is off unless TRIAGE_LOCAL=true")
        #expect(config.policy.defaultTier == .mid)
        for (role, tier) in [("planner", Tier.frontier), ("architect", .frontier), ("worker", .mid), ("coder", .mid), ("formatter", .small),
                             ("extractor", .small), ("classifier", .small), ("file-ops", .small), ("critic", .small)] {
            #expect(config.policy.roles[role]?.tier == tier, "role \(role)")
        }
        #expect(config.warnings.isEmpty)
        let withLocal = try ConfigLoader.load(
            path: Self.root.appendingPathComponent("examples/triage.yaml").path, environment: ["TRIAGE_LOCAL": "true", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"])
        #expect(withLocal.catalog.providers["local"]?.isLocal == true)
        #expect(withLocal.catalog.providers["openai"]?.baseURL == "http://127.0.0.1:1/v1")
        #expect(withLocal.warnings == ["provider openai: environment variable OPENAI_API_KEY is not set; calls to it will fail authentication"])
    }

    @Test func minimalConfigHasDefaults() throws {
        let config = try load(Self.minimal)
        #expect(config.server.port == 8080)
        #expect(config.storage.sqlitePath == "triage.db")
        #expect(config.catalog.providers["p"]?.apiKey?.value == "sk-secret-value")
        #expect(config.catalog.model(named: "b")?.price.cachedInputPerMillion == 0.1)
        #expect(config.catalog.model(named: "a")?.price.cachedInputPerMillion == 0.1)
    }

    @Test func environmentSubstitution() throws {
        let yaml = Self.minimal + "\nserver: {port: \"${PORT:-9999}\", host: \"${HOST}\"}\n"
        let config = try load(yaml, environment: ["HOST": "0.0.0.0", "P_KEY": "k"])
        #expect(config.server.port == 9999)
        #expect(config.server.host == "0.0.0.0")
        let missing = error(yaml, environment: [:])
        #expect(missing?.line == 8)
        #expect(missing?.path == "server.host")
        #expect(missing?.message.contains("HOST is not set") == true)
    }

    @Test(arguments: [
        ("\nbogus: 1\n", 8, "bogus", "unknown key"),
        ("\nserver: {port: 99999}\n", 8, "server.port", "between 0 and 65535"),
        ("\nserver: {port: eighty}\n", 8, "server.port", "whole number"),
        ("\nroles: {planner: large}\n", 8, "roles.planner", "expected one of small, mid, frontier, got \"large\""),
        ("\npins:\n  - {role: x, model: nope}\n", 9, "pins[0].model", "no enabled model"),
        ("\npins:\n  - {role: x, key: y, model: a}\n", 9, "pins[0]", "exactly one of role or key"),
        ("\nauth: {keys: [{name: k, sha256: sk-plain}]}\n", 8, "auth.keys[0].sha256", "64 hex digits"),
    ])
    func errorsNameLineAndKey(extra: String, line: Int, path: String, message: String) throws {
        let failure = try #require(error(Self.minimal + extra))
        #expect(failure.line == line)
        #expect(failure.path == path)
        #expect(failure.message.contains(message), "\(failure)")
        #expect(failure.description.hasPrefix("t.yaml:\(line): \(path): "))
    }

    @Test func modelErrors() throws {
        let wrongTier = try #require(error(Self.minimal.replacingOccurrences(of: "tier: mid", with: "tier: large")))
        #expect(wrongTier.description == "t.yaml:7: models[1].tier: expected one of small, mid, frontier, got \"large\"")
        let unknownProvider = try #require(error(Self.minimal.replacingOccurrences(of: "name: b, provider: p", with: "name: b, provider: q")))
        #expect(unknownProvider.path == "models[1].provider")
        let duplicate = try #require(error(Self.minimal.replacingOccurrences(of: "name: b", with: "name: a")))
        #expect(duplicate.message.contains("duplicate model name"))
        let badPrice = try #require(error(Self.minimal.replacingOccurrences(of: "input: 0.1", with: "input: -1")))
        #expect(badPrice.path == "models[0].price.input")
    }

    @Test func yamlSyntaxErrorsHaveALine() throws {
        let failure = try #require(error("providers:\n  p: [unclosed\nmodels: []\n"))
        #expect(failure.line != nil)
        #expect(failure.message.hasPrefix("invalid YAML"))
    }

    @Test func keyFilesAndDisabledProviders() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try "  sk-from-file\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let yaml = """
            providers:
              p: {base_url: "http://127.0.0.1:9/v1", api_key_file: \(keyFile.path)}
              off: {base_url: "http://127.0.0.1:8/v1", enabled: "${OFF:-false}"}
            models:
              - {name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}
              - {name: z, provider: off, tier: small, price: {input: 0, output: 0}}
            """
        let config = try load(yaml, environment: [:])
        #expect(config.catalog.providers["p"]?.apiKey?.value == "sk-from-file")
        #expect(config.catalog.model(named: "z") == nil)
        let pinned = try #require(error(yaml + "\npins: [{role: r, model: z}]\n", environment: [:]))
        #expect(pinned.message.contains("disabled"))
    }

    @Test func secretsNeverAppearInErrorsOrWarnings() throws {
        let config = try load(Self.minimal)
        #expect(!String(describing: config.catalog.providers["p"]!).contains("sk-secret-value"))
        let failure = try #require(error(Self.minimal + "\nbogus: 1\n"))
        #expect(!failure.description.contains("sk-secret-value"))
        let unset = try load(Self.minimal, environment: [:])
        #expect(unset.warnings.allSatisfy { !$0.contains("sk-") })
        #expect(unset.catalog.providers["p"]?.apiKey == nil)
    }
}
