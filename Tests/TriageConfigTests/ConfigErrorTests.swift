import Foundation
import Testing
import TriageConfig
import TriageCore

/// Every kind of mistake is reported with the file, the line, the key path, and never a secret.
@Suite struct ConfigErrorTests {
    static let secret = "sk-proj-SECRET-0123456789"
    static let minimal = ConfigLoaderTests.minimal

    func error(_ yaml: String, environment: [String: String] = ["P_KEY": secret]) -> ConfigError? {
        do {
            _ = try ConfigLoader.load(yaml: yaml, source: "t.yaml", environment: environment)
            return nil
        } catch {
            return error
        }
    }

    static func replacing(_ old: String, with new: String) -> String {
        precondition(minimal.contains(old))
        return minimal.replacingOccurrences(of: old, with: new)
    }

    static let cases: [(yaml: String, line: Int, path: String, message: String)] = [
        // Unknown keys, at every depth.
        (minimal + "\nbogus: 1\n", 8, "bogus", "unknown key (expected one of: alerts, auth, calibration, circuit_breaker, default_tier,"),
        (replacing("api_key_env: P_KEY", with: "api_key_env: P_KEY\n    base_ur: x"), 5, "providers.p.base_ur", "unknown key"),
        (replacing("output: 0.4}", with: "output: 0.4, cached: 0}"), 6, "models[0].price.cached", "unknown key"),
        (minimal + "\nserver:\n  hots: x\n", 9, "server.hots", "unknown key (expected one of: host, max_body_bytes, port)"),
        // Wrong enumerations.
        (replacing("tier: mid", with: "tier: large"), 7, "models[1].tier", "expected one of small, mid, frontier, got \"large\""),
        (minimal + "\nroles: {planner: large}\n", 8, "roles.planner", "expected one of small, mid, frontier, got \"large\""),
        (minimal + "\nroles:\n  coder: {skip_classification: true}\n", 9, "roles.coder.tier", "is required"),
        (minimal + "\ndefault_tier: huge\n", 8, "default_tier", "got \"huge\""),
        (replacing("api_key_env", with: "format: grpc\n    api_key_env"), 4, "providers.p.format", "expected one of openai, anthropic, gemini, got \"grpc\""),
        (replacing("tier: mid,", with: "tier: mid, kind: vector,"), 7, "models[1].kind", "expected one of chat, embedding, got \"vector\""),
        (replacing("api_key_env", with: "format: gemini\n    api_key_env").replacingOccurrences(of: "tier: mid,", with: "kind: embedding,"), 8, "models[1].kind",
         "embedding models must be served by an openai-format provider (p speaks gemini)"),
        // Numbers, typed strictly.
        (minimal + "\nserver: {port: eighty}\n", 8, "server.port", "expected a whole number, got \"eighty\""),
        (minimal + "\nserver: {port: 8080.5}\n", 8, "server.port", "expected a whole number, got \"8080.5\""),
        (minimal + "\nserver: {port: 0}\n", 8, "server.port", "must be between 1 and 65535, got 0"),
        (minimal + "\nserver: {port: 65536}\n", 8, "server.port", "must be between 1 and 65535, got 65536"),
        (minimal + "\nserver: {max_body_bytes: 0}\n", 8, "server.max_body_bytes", "must be between 1 and"),
        (replacing("input: 0.1,", with: "input: -1,"), 6, "models[0].price.input", "must be between 0 and 1000000, got -1"),
        (replacing("input: 0.1,", with: "input: cheap,"), 6, "models[0].price.input", "expected a number, got \"cheap\""),
        (replacing("input: 0.1,", with: "input: .inf,"), 6, "models[0].price.input", "expected a number"),
        (replacing("input: 0.1, output: 0.4", with: "input: 0.1"), 6, "models[0].price.output", "is required"),
        (minimal + "\ncircuit_breaker: {cool_down_s: 1e300}\n", 8, "circuit_breaker.cool_down_s", "must be between 0.001 and 86400"),
        (minimal + "\nfailover: {max_attempts: 0}\n", 8, "failover.max_attempts", "must be between 1 and 20, got 0"),
        (minimal + "\nfailover: {higher_tiers: maybe}\n", 8, "failover.higher_tiers", "expected true or false, got \"maybe\""),
        (replacing("api_key_env", with: "first_byte_timeout_s: 90\n    timeout_s: 60\n    api_key_env"), 4, "providers.p.first_byte_timeout_s", "must not be longer than timeout_s"),
        // Providers.
        (replacing("http://127.0.0.1:9/v1", with: "ftp://example.com"), 3, "providers.p.base_url", "expected an http:// or https:// URL"),
        (replacing("    base_url: http://127.0.0.1:9/v1\n", with: ""), 2, "providers.p.base_url", "is required"),
        (replacing("api_key_env: P_KEY", with: "api_key_env: P_KEY\n    api_key_file: /run/secrets/p"), 5, "providers.p.api_key_file", "not both"),
        (replacing("api_key_env: P_KEY", with: "api_key_file: /nonexistent/key"), 4, "providers.p.api_key_file", "cannot read the key file /nonexistent/key"),
        (replacing("provider: p, tier: mid", with: "provider: q, tier: mid"), 7, "models[1].provider", "no provider named \"q\" (configured: p)"),
        // Models.
        (replacing("name: b", with: "name: a"), 7, "models[1].name", "duplicate model name \"a\""),
        (replacing("name: b", with: "name: triage/auto"), 7, "models[1].name", "reserved"),
        (replacing("name: b, ", with: ""), 7, "models[1].name", "is required"),
        (replacing("{name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}", with: "gpt-5"), 6, "models[0]", "expected a mapping of keys to values, got \"gpt-5\""),
        ("providers:\n  p: {base_url: \"http://h/v1\"}\nmodels: []\n", 3, "models", "at least one model is required"),
        ("providers:\n  p: {base_url: \"http://h/v1\"}\n", 1, "models", "is required"),
        ("models: []\n", 1, "providers", "is required"),
        // Pins.
        (minimal + "\npins:\n  - {role: x, model: nope}\n", 9, "pins[0].model", "no model named \"nope\" (configured: a, b)"),
        (minimal + "\npins:\n  - {role: x, key: y, model: a}\n", 9, "pins[0]", "give exactly one of role or key"),
        (minimal + "\npins:\n  - {role: x}\n", 9, "pins[0].model", "is required"),
        (minimal + "\nauth: {keys: [{name: k, sha256: \(String(repeating: "0", count: 64))}]}\npins: [{key: other, model: a}]\n", 9, "pins[0].key",
         "no client key named \"other\" in auth.keys (configured: k)"),
        // Client keys.
        (minimal + "\nauth: {keys: [{name: k, sha256: abc}]}\n", 8, "auth.keys[0].sha256", "64 hex digits"),
        (minimal + "\nauth:\n  keys:\n    - {name: k, sha256: \(String(repeating: "0", count: 64))}\n    - {name: k, sha256: \(String(repeating: "1", count: 64))}\n",
         11, "auth.keys[1].name", "duplicate key name \"k\""),
        // Environment variables.
        (minimal + "\nstorage: {sqlite: \"${DB_PATH}/triage.db\"}\n", 8, "storage.sqlite", "environment variable DB_PATH is not set"),
        (minimal + "\nstorage: {sqlite: \"${DB PATH}\"}\n", 8, "storage.sqlite", "does not name an environment variable"),
        (minimal + "\nstorage: {sqlite: \"${DB_PATH\"}\n", 8, "storage.sqlite", "unterminated ${"),
        // Shapes.
        (minimal + "\nserver: [1, 2]\n", 8, "server", "expected a mapping of keys to values, got a list"),
        ("providers:\n  p: {base_url: \"http://h/v1\"}\nmodels: {a: 1}\n", 3, "models", "expected a list, got a mapping"),
        (minimal + "\nserver: {host: \"\"}\n", 8, "server.host", "must not be empty"),
    ]

    @Test(arguments: cases)
    func errorNamesLineAndKeyPath(yaml: String, line: Int, path: String, message: String) throws {
        let failure = try #require(error(yaml), "expected an error at \(path)")
        #expect(failure.line == line, "\(failure)")
        #expect(failure.path == path, "\(failure)")
        #expect(failure.message.contains(message), "\(failure)")
        #expect(failure.description == "t.yaml:\(line): \(path): \(failure.message)")
    }

    @Test func yamlSyntaxErrorsGiveTheLine() throws {
        let unclosed = try #require(error("providers:\n  p: [unclosed\nmodels: []\n"))
        #expect(unclosed.message.hasPrefix("invalid YAML: "), "\(unclosed)")
        #expect(unclosed.line == 3, "\(unclosed)")
        #expect(unclosed.path.isEmpty)

        let badIndent = try #require(error(Self.minimal + "\nserver:\n  host: a\n    port: 1\n"))
        #expect(badIndent.line == 10, "\(badIndent)")
        #expect(badIndent.description.hasPrefix("t.yaml:10: invalid YAML: "), "\(badIndent)")

        let tab = try #require(error("providers:\n\tp: {base_url: \"http://h/v1\"}\n"))
        #expect(tab.line == 2 && tab.message.hasSuffix("; indent with spaces, not tabs"), "\(tab)")

        let twoDocuments = try #require(error(Self.minimal + "\n---\nserver: {}\n"))
        #expect(twoDocuments.line == 8, "\(twoDocuments)")

        let list = try #require(error("- providers\n- models\n"))
        #expect(list.description == "t.yaml:1: expected a mapping of sections (providers:, models:, …) at the top, got a list")

        let duplicate = try #require(error(Self.minimal + "\nserver:\n  port: 1\n  port: 2\n"))
        #expect(duplicate.line == 9, "\(duplicate)")
        #expect(duplicate.message == "invalid YAML: key \"port\" appears more than once in the same mapping")
    }

    @Test func fileErrorsAreClear() throws {
        let missing = "/nonexistent/triage.yaml"
        #expect(throws: ConfigError(source: missing, line: nil, path: "", message: "no such file (pass the configuration with --config; examples/triage.yaml is a start)")) {
            try ConfigLoader.load(path: missing, environment: [:])
        }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: ConfigError(source: directory, line: nil, path: "", message: "is a directory, not a configuration file")) {
            try ConfigLoader.load(path: directory, environment: [:])
        }
        let empty = try #require(error("# nothing here\n"))
        #expect(empty.description == "t.yaml: the configuration is empty (providers and models are required)")
    }

    @Test func keyFilesAreReadAndTrimmed() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("triage-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: keyFile) }
        try "  \(Self.secret)\n\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let yaml = Self.minimal.replacingOccurrences(of: "api_key_env: P_KEY", with: "api_key_file: ${KEY_DIR}/\(keyFile.lastPathComponent)")
        let config = try ConfigLoader.load(yaml: yaml, source: "t.yaml", environment: ["KEY_DIR": keyFile.deletingLastPathComponent().path])
        #expect(config.catalog.providers["p"]?.apiKey?.value == Self.secret)
        #expect(config.warnings.isEmpty)

        try "\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let empty = try #require(error(yaml, environment: ["KEY_DIR": keyFile.deletingLastPathComponent().path]))
        #expect(empty.line == 4 && empty.path == "providers.p.api_key_file" && empty.message.hasSuffix("is empty"))
    }

    @Test func disabledProvidersDropTheirModelsButAreStillChecked() throws {
        let yaml = """
            providers:
              p: {base_url: "http://127.0.0.1:9/v1"}
              off: {base_url: "http://127.0.0.1:8/v1", enabled: false, api_key_file: /nonexistent/key}
            models:
              - {name: a, provider: p, tier: small, price: {input: 0.1, output: 0.4}}
              - {name: z, provider: off, tier: small, price: {input: 0, output: 0}}
            """
        let config = try ConfigLoader.load(yaml: yaml, source: "t.yaml", environment: [:])
        #expect(config.catalog.models.map(\.name) == ["a"])
        #expect(config.catalog.providers["off"] == nil)

        let pinned = try #require(error(yaml + "\npins: [{role: r, model: z}]\n"))
        #expect(pinned.description == "t.yaml:7: pins[0].model: model \"z\" belongs to provider \"off\", which is disabled; pinned calls would have nowhere to go")

        let typo = try #require(error(yaml.replacingOccurrences(of: "name: z, provider: off, tier: small", with: "name: z, provider: off, tier: smol")))
        #expect(typo.line == 6 && typo.path == "models[1].tier")

        let nothingLeft = try #require(error(yaml.replacingOccurrences(of: "provider: p,", with: "provider: off,")))
        #expect(nothingLeft.path == "models" && nothingLeft.message.contains("every model belongs to a disabled provider (off)"))
    }

    @Test func aMissingKeyIsAWarningNamingOnlyTheVariable() throws {
        let config = try ConfigLoader.load(yaml: Self.minimal, source: "t.yaml", environment: [:])
        #expect(config.catalog.providers["p"]?.apiKey == nil)
        #expect(config.warnings == ["provider p: environment variable P_KEY is not set; calls to it will be sent without a key"])
        let pinnedKey = try ConfigLoader.load(yaml: Self.minimal + "\npins: [{key: team, model: a}]\n", source: "t.yaml", environment: ["P_KEY": "k"])
        #expect(pinnedKey.warnings == ["pins[0]: pins client key \"team\", but auth.keys is empty, so no call is ever made with that key"])
    }

    @Test func secretsNeverAppearInErrorsWarningsOrDescriptions() throws {
        let environment = ["P_KEY": Self.secret, "LEAK": Self.secret]
        var failures: [ConfigError] = []
        // A secret from the environment in a field that rejects it.
        for field in ["port", "max_body_bytes"] {
            failures.append(try #require(error(Self.minimal + "\nserver: {\(field): \"${LEAK}\"}\n", environment: environment)))
        }
        failures.append(try #require(error(Self.replacing("tier: mid", with: "tier: \"${LEAK}\""), environment: environment)))
        failures.append(try #require(error(Self.replacing("http://127.0.0.1:9/v1", with: "\"${LEAK}\""), environment: environment)))
        failures.append(try #require(error(Self.minimal + "\nfailover: {higher_tiers: \"${LEAK}\"}\n", environment: environment)))
        // A key pasted where its variable's name or its digest belongs.
        failures.append(try #require(error(Self.replacing("api_key_env: P_KEY", with: "api_key_env: \(Self.secret)"), environment: environment)))
        failures.append(try #require(error(Self.minimal + "\nauth: {keys: [{name: k, sha256: \(Self.secret)}]}\n", environment: environment)))
        #expect(failures.count == 7)
        for failure in failures {
            #expect(!failure.description.contains(Self.secret), "\(failure)")
            #expect(failure.line != nil)
        }
        #expect(failures[0].message == "expected a whole number, got \"${LEAK}\" (value from the environment not shown)")

        let config = try ConfigLoader.load(yaml: Self.minimal, source: "t.yaml", environment: environment)
        #expect(config.catalog.providers["p"]?.apiKey?.value == Self.secret)
        #expect(!String(describing: config).contains(Self.secret))
        #expect(!String(reflecting: config).contains(Self.secret))
        #expect(!String(describing: config.catalog.providers["p"]!).contains(Self.secret))
        let unset = try ConfigLoader.load(yaml: Self.minimal, source: "t.yaml", environment: [:])
        #expect(unset.warnings.allSatisfy { !$0.contains("sk-") })
    }
}
