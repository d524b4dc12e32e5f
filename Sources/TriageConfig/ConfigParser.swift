import TriageCore
import TriageProviders
import TriageRouting
import Yams

/// Walks the YAML tree section by section and builds the configuration. Sections that depend
/// on others (models on providers, pins on models and client keys) are read after them.
struct ConfigParser {
    let reader: NodeReader
    /// Problems that do not stop start-up; never contain a secret.
    var warnings: [String] = []

    init(reader: NodeReader) {
        self.reader = reader
    }

    static let sections: Set<String> = [
        "server", "storage", "providers", "models", "default_tier", "roles", "pins", "failover", "circuit_breaker", "auth", "validation",
        "stickiness", "routing", "observability", "alerts", "policy", "calibration",
    ]

    /// The longest duration (seconds) any timeout or wait may be set to: one day.
    static let longestDuration = 86_400.0

    mutating func parse(_ root: Node) throws(ConfigError) -> GatewayConfig {
        guard case .mapping = root else {
            throw reader.fail(root, "", "expected a mapping of sections (providers:, models:, …) at the top, got \(reader.describe(root))")
        }
        let members = try reader.mapping(root, "", allowed: Self.sections)
        func section(_ name: String) -> Node? { members.first { $0.key == name }?.value }

        guard let providersNode = section("providers") else { throw reader.fail(root, "providers", "is required (a mapping of provider names to endpoints)") }
        guard let modelsNode = section("models") else { throw reader.fail(root, "models", "is required (a list of models)") }
        let providers = try parseProviders(providersNode)
        let models = try parseModels(modelsNode, providers: providers)
        let catalog = ModelCatalog(models: models.enabled, providers: Array(providers.enabled.values))

        var config = GatewayConfig(catalog: catalog, policy: RoutingPolicy())
        if let node = section("auth") { config.clientKeys = try parseAuth(node) }
        if let node = section("default_tier") { config.policy.defaultTier = try tier(node, "default_tier") }
        if let node = section("roles") { config.policy.roles = try parseRoles(node) }
        if let node = section("pins") {
            config.policy.pins = try parsePins(node, catalog: catalog, disabledModels: models.disabled, clientKeys: config.clientKeys)
        }
        if let node = section("server") { config.server = try parseServer(node) }
        if let node = section("storage") { config.storage = try parseStorage(node) }
        if let node = section("failover") { try parseFailover(node, into: &config) }
        if let node = section("circuit_breaker") { config.circuitBreaker = try parseBreaker(node) }
        if let node = section("validation") {
            let (policy, judge) = try parseValidation(node, catalog: catalog)
            config.validation = policy
            if let judge { config.judge = judge }
        }
        if let node = section("stickiness") { config.stickiness = try parseStickiness(node) }
        if let node = section("routing") { config.routing = try parseBrain(node, policy: &config.policy) }
        if let node = section("observability") { config.observability = try parseObservability(node) }
        if let node = section("alerts") { config.alerts = try parseAlerts(node) }
        if let node = section("policy") { config.policyReload = try parsePolicyReload(node) }
        if let node = section("calibration") { config.calibration = try parseCalibration(node) }
        config.warnings = warnings
        return config
    }

    func tier(_ node: Node, _ path: String) throws(ConfigError) -> Tier {
        let value = try reader.value(node, path)
        guard let tier = Tier(rawValue: value.text) else {
            throw reader.fail(node, path, "expected one of \(Tier.allCases.map(\.rawValue).joined(separator: ", ")), got \(value.quoted)")
        }
        return tier
    }

    func parseServer(_ node: Node) throws(ConfigError) -> GatewayConfig.Server {
        var server = GatewayConfig.Server()
        for (key, value, _) in try reader.mapping(node, "server", allowed: ["host", "port", "max_body_bytes"]) {
            let path = "server.\(key)"
            switch key {
            case "host": server.host = try reader.string(value, path)
            case "port": server.port = try reader.int(value, path, range: 1...65535)
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

    func parseFailover(_ node: Node, into config: inout GatewayConfig) throws(ConfigError) {
        for (key, value, _) in try reader.mapping(node, "failover", allowed: ["higher_tiers", "max_attempts", "max_retry_wait_s"]) {
            let path = "failover.\(key)"
            switch key {
            case "higher_tiers": config.policy.failoverToHigherTiers = try reader.bool(value, path)
            case "max_attempts": config.failover.maxAttempts = try reader.int(value, path, range: 1...20)
            default: config.failover.maxRetryWaitSeconds = try reader.double(value, path, range: 0...600)
            }
        }
    }

    func parseBreaker(_ node: Node) throws(ConfigError) -> CircuitBreaker.Configuration {
        var configuration = CircuitBreaker.Configuration()
        for (key, value, _) in try reader.mapping(node, "circuit_breaker", allowed: ["failure_threshold", "cool_down_s"]) {
            let path = "circuit_breaker.\(key)"
            if key == "failure_threshold" {
                configuration.failureThreshold = try reader.int(value, path, range: 1...1000)
            } else {
                let seconds = try reader.double(value, path, range: 0.001...Self.longestDuration)
                configuration.coolDown = .milliseconds(Int64((seconds * 1000).rounded()))
            }
        }
        return configuration
    }

    func parseAuth(_ node: Node) throws(ConfigError) -> [GatewayConfig.ClientKey] {
        var keys: [GatewayConfig.ClientKey] = []
        for (_, value, _) in try reader.mapping(node, "auth", allowed: ["keys"]) {
            var names: Set<String> = []
            for (index, item) in try reader.sequence(value, "auth.keys").enumerated() {
                let base = "auth.keys[\(index)]"
                let fields = try FieldSet(reader.mapping(item, base, allowed: ["name", "sha256"]), at: item, base: base, reader: reader)
                let nameNode = try fields.required("name")
                let name = try reader.string(nameNode, "\(base).name")
                guard names.insert(name).inserted else { throw reader.fail(nameNode, "\(base).name", "duplicate key name \"\(name)\"") }
                let digestNode = try fields.required("sha256", hint: "the SHA-256 of the client's key, as 64 hex digits")
                let digest = try reader.value(digestNode, "\(base).sha256").text.lowercased()
                guard digest.utf8.count == 64, digest.utf8.allSatisfy({ isLowercaseHex($0) }) else {
                    // The value is not repeated: it may be the key itself.
                    throw reader.fail(digestNode, "\(base).sha256", "expected the 64 hex digits of the key's SHA-256 (printf '%s' \"$KEY\" | sha256sum), never the key itself")
                }
                keys.append(.init(name: name, sha256Hex: digest))
            }
        }
        return keys
    }

    private func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

/// The members of one mapping by key, for items whose fields are read out of order.
struct FieldSet {
    let fields: [String: Node]
    /// Where a missing field is reported: the item's key (`openai:`) or list entry (`- name:`).
    let anchor: Node
    let base: String
    let reader: NodeReader

    init(_ members: [NodeReader.Member], at anchor: Node, base: String, reader: NodeReader) {
        self.fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        self.anchor = anchor
        self.base = base
        self.reader = reader
    }

    subscript(_ key: String) -> Node? { fields[key] }

    func required(_ key: String, hint: String? = nil) throws(ConfigError) -> Node {
        guard let value = fields[key] else {
            throw reader.fail(anchor, "\(base).\(key)", hint.map { "is required (\($0))" } ?? "is required")
        }
        return value
    }
}
