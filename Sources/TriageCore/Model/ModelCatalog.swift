/// The wire format an upstream provider speaks.
public enum ProviderFormat: String, Sendable, Hashable, CaseIterable {
    /// OpenAI's chat completions API, and every server that copies it (vLLM, llama.cpp, Ollama).
    case openai
    /// Anthropic's Messages API (`POST /messages`, `x-api-key` and `anthropic-version` headers).
    case anthropic
    /// Google's Gemini API (`generateContent` / `streamGenerateContent`, `x-goog-api-key` header).
    case gemini

    /// The header that carries the provider key, and how its value is written.
    public func authorization(_ key: Secret) -> (name: String, value: String) {
        switch self {
        case .openai: ("authorization", "Bearer \(key.value)")
        case .anthropic: ("x-api-key", key.value)
        case .gemini: ("x-goog-api-key", key.value)
        }
    }
}

/// What a model is for.
public enum ModelKind: String, Sendable, Hashable {
    case chat
    case embedding
}

/// A provider key, kept out of every description so it can never reach a log line or error body.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// One upstream endpoint: where it is, how it speaks and how to authenticate.
public struct ProviderSpec: Sendable, Hashable {
    public var name: String
    public var format: ProviderFormat
    /// Base URL including the API version path, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    public var apiKey: Secret?
    /// Whether the provider runs on this machine or network (lane `local`).
    public var isLocal: Bool
    /// How long to wait for the response head and first body byte.
    public var firstByteTimeoutSeconds: Double
    /// Upper bound for a whole call.
    public var requestTimeoutSeconds: Double

    public init(
        name: String, format: ProviderFormat = .openai, baseURL: String, apiKey: Secret? = nil,
        isLocal: Bool = false, firstByteTimeoutSeconds: Double = 30, requestTimeoutSeconds: Double = 600
    ) {
        self.name = name
        self.format = format
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.isLocal = isLocal
        self.firstByteTimeoutSeconds = firstByteTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
    }
}

/// A model the gateway can route to: the name clients see, where it runs, its tier and its price.
public struct ModelSpec: Sendable, Hashable {
    public var name: String
    public var provider: String
    /// The model name sent upstream (defaults to `name`).
    public var upstreamName: String
    public var tier: Tier
    public var price: ModelPrice
    public var contextWindow: Int
    /// Typical output length, used to estimate cost before the call.
    public var expectedOutputTokens: Int
    /// Expected answer quality (0…1) per skill, with `default` for skills not listed; empty
    /// when unknown. Recalibration updates these priors.
    public var quality: [String: Double]
    /// What the model does: chat models are routed, embedding models serve `/v1/embeddings`.
    public var kind: ModelKind = .chat

    public init(
        name: String, provider: String, upstreamName: String? = nil, tier: Tier, price: ModelPrice,
        contextWindow: Int = 128_000, expectedOutputTokens: Int = 512, quality: [String: Double] = [:]
    ) {
        self.quality = quality
        self.name = name
        self.provider = provider
        self.upstreamName = upstreamName ?? name
        self.tier = tier
        self.price = price
        self.contextWindow = contextWindow
        self.expectedOutputTokens = expectedOutputTokens
    }
}

/// All models and providers of a configuration, indexed for the hot path.
public struct ModelCatalog: Sendable {
    public let models: [ModelSpec]
    public let providers: [String: ProviderSpec]
    private let byName: [String: Int]

    public init(models: [ModelSpec], providers: [ProviderSpec]) {
        self.models = models
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index: [String: Int] = [:]
        for (i, model) in models.enumerated() where index[model.name] == nil { index[model.name] = i }
        self.byName = index
    }

    public func model(named name: String) -> ModelSpec? {
        byName[name].map { models[$0] }
    }

    /// The chat models of `tier`, the ones routing chooses from.
    public func models(in tier: Tier) -> [ModelSpec] {
        models.filter { $0.tier == tier && $0.kind == .chat }
    }

    public func provider(for model: ModelSpec) -> ProviderSpec? {
        providers[model.provider]
    }
}

extension ModelSpec {
    /// The expected quality for `skill`, falling back to the `default` prior; `nil` when the
    /// model has no prior for it.
    public func expectedQuality(for skill: String?) -> Double? {
        if let skill, let prior = quality[skill] { return prior }
        return quality["default"]
    }
}
