import Foundation
import TriageCore
import Yams

/// The `providers` and `models` sections: where models run, what they cost, and which of
/// them are switched off.
extension ConfigParser {
    struct Providers {
        var enabled: [String: ProviderSpec] = [:]
        /// Providers with `enabled: false`; their models are validated, then dropped.
        var disabled: Set<String> = []

        var names: String { (Array(enabled.keys) + disabled).sorted().joined(separator: ", ") }
    }

    struct Models {
        var enabled: [ModelSpec] = []
        /// Model name → provider, for models of disabled providers (so a pin to one can say why).
        var disabled: [String: String] = [:]
    }

    static let providerKeys: Set<String> = [
        "format", "base_url", "api_key_env", "api_key_file", "local", "enabled", "first_byte_timeout_s", "timeout_s",
    ]

    mutating func parseProviders(_ node: Node) throws(ConfigError) -> Providers {
        var providers = Providers()
        for (name, value, keyNode) in try reader.mapping(node, "providers") {
            let base = "providers.\(name)"
            guard !name.isEmpty else { throw reader.fail(keyNode, base, "a provider needs a name") }
            let fields = try FieldSet(reader.mapping(value, base, allowed: Self.providerKeys), at: keyNode, base: base, reader: reader)
            var provider = ProviderSpec(name: name, baseURL: try baseURL(fields.required("base_url"), "\(base).base_url"))
            if let node = fields["format"] { provider.format = try format(node, "\(base).format") }
            if let node = fields["local"] { provider.isLocal = try reader.bool(node, "\(base).local") }
            if let node = fields["first_byte_timeout_s"] {
                provider.firstByteTimeoutSeconds = try reader.double(node, "\(base).first_byte_timeout_s", range: 0.001...Self.longestDuration)
            }
            if let node = fields["timeout_s"] {
                provider.requestTimeoutSeconds = try reader.double(node, "\(base).timeout_s", range: 0.001...Self.longestDuration)
            }
            if provider.firstByteTimeoutSeconds > provider.requestTimeoutSeconds {
                if let node = fields["first_byte_timeout_s"] {
                    throw reader.fail(node, "\(base).first_byte_timeout_s", "must not be longer than timeout_s")
                }
                provider.firstByteTimeoutSeconds = provider.requestTimeoutSeconds
            }
            let variable = try fields["api_key_env"].map { (node) throws(ConfigError) in try keyVariable(node, "\(base).api_key_env") }
            let keyFile = try fields["api_key_file"].map { (node) throws(ConfigError) in try reader.string(node, "\(base).api_key_file") }
            if variable != nil, keyFile != nil {
                throw reader.fail(fields["api_key_file"], "\(base).api_key_file", "give api_key_env or api_key_file, not both")
            }
            let enabled = try fields["enabled"].map { (node) throws(ConfigError) in try reader.bool(node, "\(base).enabled") } ?? true
            guard enabled else {
                providers.disabled.insert(name)
                continue
            }
            if let variable {
                if let key = reader.environment[variable], !key.isEmpty {
                    provider.apiKey = Secret(key)
                } else {
                    warnings.append("provider \(name): environment variable \(variable) is not set; calls to it will be sent without a key")
                }
            }
            if let keyFile, let node = fields["api_key_file"] {
                provider.apiKey = try readKeyFile(keyFile, node, "\(base).api_key_file")
            }
            providers.enabled[name] = provider
        }
        guard !providers.enabled.isEmpty || !providers.disabled.isEmpty else {
            throw reader.fail(node, "providers", "at least one provider is required")
        }
        return providers
    }

    func baseURL(_ node: Node, _ path: String) throws(ConfigError) -> String {
        let value = try reader.value(node, path)
        let url = value.text.hasSuffix("/") ? String(value.text.dropLast()) : value.text
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), let host = URL(string: url)?.host, !host.isEmpty else {
            throw reader.fail(node, path, "expected an http:// or https:// URL such as https://api.openai.com/v1, got \(value.quoted)")
        }
        return url
    }

    func format(_ node: Node, _ path: String) throws(ConfigError) -> ProviderFormat {
        let value = try reader.value(node, path)
        guard let format = ProviderFormat(rawValue: value.text) else {
            throw reader.fail(node, path, "expected one of \(ProviderFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \(value.quoted)")
        }
        return format
    }

    /// The name of the variable holding a key. Not substituted, and never repeated when it
    /// is not a valid name: a key pasted here by mistake must not reach a log.
    func keyVariable(_ node: Node, _ path: String) throws(ConfigError) -> String {
        let name = try reader.string(node, path, substitute: false)
        guard EnvironmentSubstitution.isVariableName(name) else {
            throw reader.fail(node, path, "expected the name of an environment variable that holds the key (letters, digits and _, e.g. OPENAI_API_KEY), never the key itself")
        }
        return name
    }

    func readKeyFile(_ file: String, _ node: Node, _ path: String) throws(ConfigError) -> Secret {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw reader.fail(node, path, "cannot read the key file \(file) (missing, or not readable by this user)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw reader.fail(node, path, "the key file \(file) is not UTF-8 text") }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw reader.fail(node, path, "the key file \(file) is empty") }
        return Secret(key)
    }

    static let modelKeys: Set<String> = ["name", "provider", "upstream", "tier", "price", "context_window", "expected_output_tokens", "quality", "kind"]

    func parseModels(_ node: Node, providers: Providers) throws(ConfigError) -> Models {
        var models = Models()
        var seen: Set<String> = []
        let items = try reader.sequence(node, "models")
        guard !items.isEmpty else { throw reader.fail(node, "models", "at least one model is required") }
        for (index, item) in items.enumerated() {
            let base = "models[\(index)]"
            let fields = try FieldSet(reader.mapping(item, base, allowed: Self.modelKeys), at: item, base: base, reader: reader)
            let nameNode = try fields.required("name")
            let name = try reader.string(nameNode, "\(base).name")
            guard !name.hasPrefix("triage/") else { throw reader.fail(nameNode, "\(base).name", "names starting with triage/ are reserved for routing") }
            guard seen.insert(name).inserted else { throw reader.fail(nameNode, "\(base).name", "duplicate model name \"\(name)\"") }
            let providerNode = try fields.required("provider")
            let provider = try reader.string(providerNode, "\(base).provider")
            guard providers.enabled[provider] != nil || providers.disabled.contains(provider) else {
                throw reader.fail(providerNode, "\(base).provider", "no provider named \"\(provider)\" (configured: \(providers.names))")
            }
            var kind = ModelKind.chat
            if let node = fields["kind"] {
                let value = try reader.value(node, "\(base).kind")
                guard let parsed = ModelKind(rawValue: value.text) else {
                    throw reader.fail(node, "\(base).kind", "expected one of chat, embedding, got \(value.quoted)")
                }
                kind = parsed
                if kind == .embedding, let format = providers.enabled[provider]?.format, format != .openai {
                    throw reader.fail(node, "\(base).kind", "embedding models must be served by an openai-format provider (\(provider) speaks \(format.rawValue))")
                }
            }
            let tierValue: Tier =
                if kind == .embedding, fields["tier"] == nil { .small } else { try tier(fields.required("tier", hint: "small, mid or frontier"), "\(base).tier") }
            var model = ModelSpec(
                name: name, provider: provider, tier: tierValue,
                price: try price(fields.required("price", hint: "USD per million tokens: {input: …, output: …}"), "\(base).price"))
            model.kind = kind
            if let node = fields["upstream"] { model.upstreamName = try reader.string(node, "\(base).upstream") }
            if let node = fields["context_window"] { model.contextWindow = try reader.int(node, "\(base).context_window", range: 1...100_000_000) }
            if let node = fields["expected_output_tokens"] {
                model.expectedOutputTokens = try reader.int(node, "\(base).expected_output_tokens", range: 1...10_000_000)
            }
            if let node = fields["quality"] { model.quality = try qualityPriors(node, "\(base).quality") }
            if providers.disabled.contains(provider) {
                models.disabled[name] = provider
            } else {
                models.enabled.append(model)
            }
        }
        guard !models.enabled.isEmpty else {
            throw reader.fail(node, "models", "no enabled model: every model belongs to a disabled provider (\(providers.disabled.sorted().joined(separator: ", ")))")
        }
        return models
    }

    /// `quality:` as one number (the default prior) or a mapping of skill → prior, 0…1.
    func qualityPriors(_ node: Node, _ path: String) throws(ConfigError) -> [String: Double] {
        if case .scalar = node { return ["default": try reader.double(node, path, range: 0...1)] }
        var priors: [String: Double] = [:]
        for (skill, value, _) in try reader.mapping(node, path) {
            priors[skill] = try reader.double(value, "\(path).\(skill)", range: 0...1)
        }
        return priors
    }

    func price(_ node: Node, _ path: String) throws(ConfigError) -> ModelPrice {
        var values: [String: Double] = [:]
        for (key, value, _) in try reader.mapping(node, path, allowed: ["input", "output", "cached_input", "cache_write"]) {
            values[key] = try reader.double(value, "\(path).\(key)", range: 0...1_000_000)
        }
        guard let input = values["input"] else { throw reader.fail(node, "\(path).input", "is required (USD per million input tokens)") }
        guard let output = values["output"] else { throw reader.fail(node, "\(path).output", "is required (USD per million output tokens)") }
        return ModelPrice(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: values["cached_input"], cacheWritePerMillion: values["cache_write"])
    }
}
