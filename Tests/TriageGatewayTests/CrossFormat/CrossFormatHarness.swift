import Foundation
import TriageConfig
import TriageCore
import TriageFakeUpstream
import TriageGateway

/// A gateway in front of one fake upstream per provider format — OpenAI, Anthropic, Gemini —
/// each serving one model, for the ingress × provider conformance matrix and the SDK interop.
final class CrossFormatHarness: Sendable {
    let gateway: GatewayHarness
    let anthropic: FakeAnthropicUpstream
    let gemini: FakeGeminiUpstream
    var openAI: FakeOpenAIUpstream { gateway.upstream }

    /// The model the gateway serves from each provider format (named models pass through).
    static func model(_ format: ProviderFormat) -> String {
        switch format {
        case .openai: "oa-model"
        case .anthropic: "an-model"
        case .gemini: "ge-model"
        }
    }

    /// The price every model of the matrix has (cache writes at Anthropic's 1.25 ×).
    static let price = ModelPrice(inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWritePerMillion: 1.25)

    static func start(cachedTokens: Int = 0, extraModels: [(name: String, format: ProviderFormat)] = []) async throws -> CrossFormatHarness {
        let answer = FakeBehavior.text("Hello from the fake upstream.")
        let anthropic = FakeAnthropicUpstream(defaultBehavior: answer, cachedTokens: cachedTokens)
        let gemini = FakeGeminiUpstream(defaultBehavior: answer, cachedTokens: cachedTokens)
        _ = try await anthropic.start()
        _ = try await gemini.start()
        let gateway = try await GatewayHarness.start(upstream: FakeOpenAIUpstream(cachedTokens: cachedTokens)) { config in
            let openAIURL = config.catalog.providers["fake"]!.baseURL
            // No matrix test times an upstream out. The matrix runs 45 cases at once beside the
            // rest of the suite on two cores, where a debug-built fake has taken over 2 s to
            // answer (a clean-clone CI run got 504s with a 2 s first-byte timeout).
            let providers = [
                ProviderSpec(name: "openai-fake", format: .openai, baseURL: openAIURL, apiKey: Secret("sk-openai-upstream-secret"), firstByteTimeoutSeconds: 30),
                ProviderSpec(name: "anthropic-fake", format: .anthropic, baseURL: anthropic.baseURL, apiKey: Secret("sk-ant-upstream-secret"), firstByteTimeoutSeconds: 30),
                ProviderSpec(name: "gemini-fake", format: .gemini, baseURL: gemini.baseURL, apiKey: Secret("gemini-upstream-secret"), firstByteTimeoutSeconds: 30),
            ]
            func provider(_ format: ProviderFormat) -> String { providers.first { $0.format == format }!.name }
            var models = ProviderFormat.allCases.map { format in
                ModelSpec(name: model(format), provider: provider(format), tier: .mid, price: price)
            }
            models += extraModels.map { ModelSpec(name: $0.name, provider: provider($0.format), tier: .frontier, price: price) }
            config.catalog = ModelCatalog(models: models, providers: providers)
        }
        return CrossFormatHarness(gateway: gateway, anthropic: anthropic, gemini: gemini)
    }

    private init(gateway: GatewayHarness, anthropic: FakeAnthropicUpstream, gemini: FakeGeminiUpstream) {
        self.gateway = gateway
        self.anthropic = anthropic
        self.gemini = gemini
    }

    /// Scripts the next answer of `model` (by default the matrix model of `format`).
    func enqueue(_ behavior: FakeBehavior, _ format: ProviderFormat, model: String? = nil) {
        let name = model ?? Self.model(format)
        switch format {
        case .openai: openAI.enqueue(behavior, forModel: name)
        case .anthropic: anthropic.enqueue(behavior, forModel: name)
        case .gemini: gemini.enqueue(behavior, forModel: name)
        }
    }

    /// The requests the fake of `format` received, in order.
    func requests(_ format: ProviderFormat) -> [FakeRecordedRequest] {
        switch format {
        case .openai: openAI.requests
        case .anthropic: anthropic.requests
        case .gemini: gemini.requests
        }
    }

    func stop() async throws {
        try await gateway.stop()
        await anthropic.stop()
        await gemini.stop()
    }
}
