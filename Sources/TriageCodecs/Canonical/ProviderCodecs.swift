import TriageCore

extension ProviderFormat {
    /// The codec that speaks this provider's format, or `nil` for OpenAI-compatible providers,
    /// which take the canonical chat as it is.
    public var codec: (any ProviderCodec)? {
        switch self {
        case .openai: nil
        case .anthropic: AnthropicProviderCodec()
        case .gemini: GeminiProviderCodec()
        }
    }
}
