import Foundation
import TriageCore
import TriageProviders
import TriageRouting
import Yams

/// Walks the YAML tree section by section and builds the configuration.
struct ConfigParser {
    let reader: NodeReader
    var warnings: [String] = []

    init(reader: NodeReader) {
        self.reader = reader
    }

    static let sections: Set<String> = [
        "server", "storage", "providers", "models", "default_tier", "roles", "pins", "failover", "circuit_breaker", "auth",
    ]

    mutating func parse(_ root: Node) throws(ConfigError) -> GatewayConfig {
        let members = try reader.mapping(root, "", allowed: Self.sections)
        func section(_ name: String) -> Node? { members.first { $0.key == name }?.value }

        guard let providersNode = section("providers") else { throw reader.fail(root, "providers", "is required") }
        guard let modelsNode = section("models") else { throw reader.fail(root, "models", "is required") }
        let (providers, disabled) = try parseProviders(providersNode)
        let models = try parseModels(modelsNode, providers: providers, disabledProviders: disabled)
        guard !models.isEmpty else { throw reader.fail(modelsNode, "models", "at least one model of an enabled provider is required") }
        let catalog = ModelCatalog(models: models, providers: Array(providers.values))

        var policy = RoutingPolicy()
        if let node = section("default_tier") { policy.defaultTier = try tier(node, "default_tier") }
        if let node = section("roles") { policy.roles = try parseRoles(node) }
        if let node = section("pins") { policy.pins = try parsePins(node, catalog: catalog, allModels: modelsNode) }

        var config = GatewayConfig(catalog: catalog, policy: policy)
        if let node = section("server") { config.server = try parseServer(node) }
        if let node = section("storage") { config.storage = try parseStorage(node) }
        if let node = section("failover") { try parseFailover(node, into: &config) }
        if let node = section("circuit_breaker") { config.circuitBreaker = try parseBreaker(node) }
        if let node = section("auth") { config.clientKeys = try parseAuth(node) }
        config.warnings = warnings
        return config
    }

    func tier(_ node: Node, _ path: String) throws(ConfigError) -> Tier {
        let text = try reader.string(node, path)
        guard let tier = Tier(rawValue: text) else { throw reader.fail(node, path, "expected one of small, mid, frontier, got \"\(text)\"") }
        return tier
    }

    func parseServer(_ node: Node) throws(ConfigError) -> GatewayConfig.Server {
        var server = GatewayConfig.Server()
        for (key, value, _) in try reader.mapping(node, "server", allowed: ["host", "port", "max_body_bytes"]) {
            let path = "server.\(key)"
            switch key {
            case "host": server.host = try reader.string(value, path)
            case "port": server.port = try reader.int(value, path, range: 0...65535)
            default: server.maxBodyBytes = try reader.int(value, path, range: 1...(1 << 30))
            }
        }
        return server
    }

    func parseStorage(_ node: Node) throws(ConfigError) -> GatewayConfig.Storage {
        var storage = GatewayConfig.Storage()
        for (key, value, _) in try reader.mapping(node, "storage", allowed: ["sqlite", "trace_batch_size", "trace_flush_ms", "trace_buffer"]) {
            let path = "storage.\(key)"
            switch key {
            case "sqlite": storage.sqlitePath = try reader.string(value, path)
            case "trace_batch_size": storage.traceBatchSize = try reader.int(value, path, range: 1...100_000)
            case "trace_flush_ms": storage.traceFlushMilliseconds = try reader.int(value, path, range: 1...3_600_000)
            default: storage.traceBufferCapacity = try reader.int(value, path, range: 1...10_000_000)
            }
        }
        return storage
    }

    static let providerKeys: Set<String> = [
        "format", "base_url", "api_key_env", "api_key_file", "local", "enabled", "first_byte_timeout_s", "timeout_s",
    ]

    mutating func parseProviders(_ node: Node) throws(ConfigError) -> ([String: ProviderSpec], Set<String>) {
        var providers: [String: ProviderSpec] = [:]
        var disabled: Set<String> = []
        for (name, value, _) in try reader.mapping(node, "providers") {
            let base = "providers.\(name)"
            var provider = ProviderSpec(name: name, baseURL: "")
            var enabled = true
            var keyEnv: (String, Node)?
            var keyFile: (String, Node)?
            for (key, field, _) in try reader.mapping(value, base, allowed: Self.providerKeys) {
                let path = "\(base).\(key)"
                switch key {
                case "format":
                    let text = try reader.string(field, path)
                    guard let format = ProviderFormat(rawValue: text) else {
                        throw reader.fail(field, path, "expected one of \(ProviderFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
                    }
                    provider.format = format
                case "base_url":
                    let url = try reader.string(field, path)
                    guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                        throw reader.fail(field, path, "expected an http:// or https:// URL")
                    }
                    provider.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
                case "api_key_env": keyEnv = (try reader.string(field, path, substitute: false), field)
                case "api_key_file": keyFile = (try reader.string(field, path), field)
                case "local": provider.isLocal = try reader.bool(field, path)
                case "enabled": enabled = try reader.bool(field, path)
                case "first_byte_timeout_s": provider.firstByteTimeoutSeconds = try reader.double(field, path, minimum: 0.001)
                default: provider.requestTimeoutSeconds = try reader.double(field, path, minimum: 0.001)
                }
            }
            guard !provider.baseURL.isEmpty else { throw reader.fail(value, "\(base).base_url", "is required") }
            if keyEnv != nil, let (_, node) = keyFile { throw reader.fail(node, "\(base).api_key_file", "give api_key_env or api_key_file, not both") }
            guard enabled else {
                disabled.insert(name)
                continue
            }
            if let (variable, _) = keyEnv {
                if let key = reader.environment[variable], !key.isEmpty {
                    provider.apiKey = Secret(key)
                } else {
                    warnings.append("provider \(name): environment variable \(variable) is not set; calls to it will fail authentication")
                }
            }
            if let (file, node) = keyFile {
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    throw reader.fail(node, "\(base).api_key_file", "cannot read the key file")
                }
                let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !key.isEmpty else { throw reader.fail(node, "\(base).api_key_file", "the key file is empty") }
                provider.apiKey = Secret(key)
            }
            providers[name] = provider
        }
        return (providers, disabled)
    }

    static let modelKeys: Set<String> = ["name", "provider", "upstream", "tier", "price", "context_window", "expected_output_tokens"]

    func parseModels(_ node: Node, providers: [String: ProviderSpec], disabledProviders: Set<String>) throws(ConfigError) -> [ModelSpec] {
        var models: [ModelSpec] = []
        var seen: Set<String> = []
        for (index, item) in try reader.sequence(node, "models").enumerated() {
            let base = "models[\(index)]"
            var fields: [String: Node] = [:]
            for (key, value, _) in try reader.mapping(item, base, allowed: Self.modelKeys) { fields[key] = value }
            func required(_ key: String) throws(ConfigError) -> Node {
                guard let value = fields[key] else { throw reader.fail(item, "\(base).\(key)", "is required") }
                return value
            }
            let name = try reader.string(try required("name"), "\(base).name")
            guard !name.isEmpty, !name.hasPrefix("triage/") else { throw reader.fail(fields["name"], "\(base).name", "must be non-empty and not start with triage/") }
            guard seen.insert(name).inserted else { throw reader.fail(fields["name"], "\(base).name", "duplicate model name \"\(name)\"") }
            let providerName = try reader.string(try required("provider"), "\(base).provider")
            if disabledProviders.contains(providerName) { continue }
            guard providers[providerName] != nil else {
                throw reader.fail(fields["provider"], "\(base).provider", "no provider named \"\(providerName)\" (configured: \(providers.keys.sorted().joined(separator: ", ")))")
            }
            let tier = try self.tier(try required("tier"), "\(base).tier")
            let price = try parsePrice(try required("price"), "\(base).price")
            var model = ModelSpec(name: name, provider: providerName, tier: tier, price: price)
            if let upstream = fields["upstream"] { model.upstreamName = try reader.string(upstream, "\(base).upstream") }
            if let window = fields["context_window"] { model.contextWindow = try reader.int(window, "\(base).context_window", range: 1...100_000_000) }
            if let output = fields["expected_output_tokens"] {
                model.expectedOutputTokens = try reader.int(output, "\(base).expected_output_tokens", range: 1...10_000_000)
            }
            models.append(model)
        }
        return models
    }

    func parsePrice(_ node: Node, _ path: String) throws(ConfigError) -> ModelPrice {
        var values: [String: Double] = [:]
        for (key, value, _) in try reader.mapping(node, path, allowed: ["input", "output", "cached_input"]) {
            values[key] = try reader.double(value, "\(path).\(key)")
        }
        guard let input = values["input"] else { throw reader.fail(node, "\(path).input", "is required (USD per million input tokens)") }
        guard let output = values["output"] else { throw reader.fail(node, "\(path).output", "is required (USD per million output tokens)") }
        return ModelPrice(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: values["cached_input"])
    }

    func parseRoles(_ node: Node) throws(ConfigError) -> [String: RoleRule] {
        var roles: [String: RoleRule] = [:]
        for (role, value, _) in try reader.mapping(node, "roles") {
            let path = "roles.\(role)"
            if case .scalar = value {
                roles[role] = RoleRule(tier: try tier(value, path))
                continue
            }
            var rule = RoleRule(tier: .mid)
            var sawTier = false
            for (key, field, _) in try reader.mapping(value, path, allowed: ["tier", "skip_classification"]) {
                if key == "tier" {
                    rule.tier = try tier(field, "\(path).tier")
                    sawTier = true
                } else {
                    rule.skipClassification = try reader.bool(field, "\(path).skip_classification")
                }
            }
            guard sawTier else { throw reader.fail(value, "\(path).tier", "is required") }
            roles[role] = rule
        }
        return roles
    }

    func parsePins(_ node: Node, catalog: ModelCatalog, allModels: Node) throws(ConfigError) -> [Pin] {
        var pins: [Pin] = []
        for (index, item) in try reader.sequence(node, "pins").enumerated() {
            let base = "pins[\(index)]"
            var fields: [String: Node] = [:]
            for (key, value, _) in try reader.mapping(item, base, allowed: ["role", "key", "model"]) { fields[key] = value }
            let match: Pin.Match
            switch (fields["role"], fields["key"]) {
            case (let role?, nil): match = .role(try reader.string(role, "\(base).role"))
            case (nil, let key?): match = .key(try reader.string(key, "\(base).key"))
            default: throw reader.fail(item, base, "give exactly one of role or key")
            }
            guard let modelNode = fields["model"] else { throw reader.fail(item, "\(base).model", "is required") }
            let model = try reader.string(modelNode, "\(base).model")
            guard catalog.model(named: model) != nil else {
                throw reader.fail(modelNode, "\(base).model", "no enabled model named \"\(model)\" (is its provider disabled?)")
            }
            pins.append(Pin(match: match, model: model))
        }
        return pins
    }

    func parseFailover(_ node: Node, into config: inout GatewayConfig) throws(ConfigError) {
        for (key, value, _) in try reader.mapping(node, "failover", allowed: ["higher_tiers", "max_attempts", "max_retry_wait_s"]) {
            let path = "failover.\(key)"
            switch key {
            case "higher_tiers": config.policy.failoverToHigherTiers = try reader.bool(value, path)
            case "max_attempts": config.failover.maxAttempts = try reader.int(value, path, range: 1...20)
            default: config.failover.maxRetryWaitSeconds = try reader.double(value, path)
            }
        }
    }

    func parseBreaker(_ node: Node) throws(ConfigError) -> CircuitBreaker.Configuration {
        var threshold = 5
        var coolDown = 30.0
        for (key, value, _) in try reader.mapping(node, "circuit_breaker", allowed: ["failure_threshold", "cool_down_s"]) {
            if key == "failure_threshold" {
                threshold = try reader.int(value, "circuit_breaker.failure_threshold", range: 1...1000)
            } else {
                coolDown = try reader.double(value, "circuit_breaker.cool_down_s", minimum: 0.001)
            }
        }
        return CircuitBreaker.Configuration(failureThreshold: threshold, coolDown: .milliseconds(Int64(coolDown * 1000)))
    }

    func parseAuth(_ node: Node) throws(ConfigError) -> [GatewayConfig.ClientKey] {
        var keys: [GatewayConfig.ClientKey] = []
        for (key, value, _) in try reader.mapping(node, "auth", allowed: ["keys"]) where key == "keys" {
            var names: Set<String> = []
            for (index, item) in try reader.sequence(value, "auth.keys").enumerated() {
                let base = "auth.keys[\(index)]"
                var fields: [String: Node] = [:]
                for (field, fieldValue, _) in try reader.mapping(item, base, allowed: ["name", "sha256"]) { fields[field] = fieldValue }
                guard let nameNode = fields["name"] else { throw reader.fail(item, "\(base).name", "is required") }
                guard let digestNode = fields["sha256"] else { throw reader.fail(item, "\(base).sha256", "is required") }
                let name = try reader.string(nameNode, "\(base).name")
                guard names.insert(name).inserted else { throw reader.fail(nameNode, "\(base).name", "duplicate key name \"\(name)\"") }
                let digest = try reader.string(digestNode, "\(base).sha256").lowercased()
                guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit }) else {
                    throw reader.fail(digestNode, "\(base).sha256", "expected the 64 hex digits of the key's SHA-256, never the key itself")
                }
                keys.append(.init(name: name, sha256Hex: digest))
            }
        }
        return keys
    }
}
