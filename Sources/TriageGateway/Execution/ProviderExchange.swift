import TriageProviders
import NIOCore
import TriageCodecs
import TriageCore

/// How a canonical chat request reaches one provider and how its answer comes back canonical:
/// OpenAI-compatible providers take the canonical chat itself (the client's own bytes when it
/// spoke OpenAI chat), every other format goes through its `ProviderCodec`.
enum ProviderExchange {
    /// The upstream request for `chat` sent to `model` at `provider`. `translated` says the
    /// request came in another format, so canonical extensions must be dropped for OpenAI.
    static func request(
        _ chat: OpenAIChatRequest, model: ModelSpec, provider: ProviderSpec, stream: Bool, translated: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        if let codec = provider.format.codec {
            let encoded = try codec.request(from: chat.upstreamObject(model: model.upstreamName), upstreamModel: model.upstreamName, stream: stream)
            return UpstreamRequest(provider: provider, path: encoded.path, body: ByteBuffer(bytes: encoded.body), stream: stream, headers: encoded.headers)
        }
        let body = translated ? JSONWriter.bytes(.object(CanonicalExtensions.openAIRequest(chat.upstreamObject(model: model.upstreamName)))) : chat.upstreamBody(model: model.upstreamName)
        return UpstreamRequest(provider: provider, path: "/chat/completions", body: ByteBuffer(bytes: body), stream: stream)
    }

    /// A provider's complete JSON answer as a canonical `chat.completion` buffer, its usage and
    /// the model the provider said answered. OpenAI-compatible answers are only parsed whole
    /// when the usage cannot be found otherwise, or when `readModel` asks for the model.
    /// `keepProviderFormat` (the client speaks the provider's format and nothing needs the
    /// canonical answer) keeps a well-formed answer as the provider sent it.
    static func completion(
        _ buffer: ByteBuffer, provider: ProviderSpec, model: ModelSpec, readModel: Bool = false, keepProviderFormat: Bool = false
    ) -> Result<ProviderCompletion, UpstreamAttempts.Unreadable> {
        guard let codec = provider.format.codec else {
            let (isObject, usage) = buffer.withUnsafeReadableBytes { OpenAIUsage.usage(inCompletion: $0) }
            if isObject, let usage, !readModel { return .success(ProviderCompletion(buffer: buffer, usage: usage)) }
            guard let value = UpstreamAttempts.parse(buffer), case .object = value else {
                return .failure(UpstreamAttempts.Unreadable(message: "response is not a JSON object"))
            }
            return .success(ProviderCompletion(buffer: buffer, usage: usage ?? OpenAIUsage.usage(in: value), reportedModel: value["model"]?.stringValue))
        }
        guard let value = UpstreamAttempts.parse(buffer), case .object = value else {
            return .failure(UpstreamAttempts.Unreadable(message: "response is not a JSON object"))
        }
        if keepProviderFormat, let usage = codec.usage(inAnswer: value) {
            return .success(ProviderCompletion(buffer: buffer, usage: usage, reportedModel: value["model"]?.stringValue, isClientBody: true))
        }
        do {
            let completion = JSONValue.object(try codec.completion(from: value, model: model.name))
            // Anthropic names the model in `model`, Gemini in `modelVersion`.
            let reported = value["model"]?.stringValue ?? value["modelVersion"]?.stringValue
            return .success(ProviderCompletion(buffer: ByteBuffer(bytes: JSONWriter.bytes(completion)), usage: OpenAIUsage.usage(in: completion), reportedModel: reported))
        } catch {
            return .failure(UpstreamAttempts.Unreadable(message: "response could not be read as \(provider.format.rawValue): \(error.message)"))
        }
    }

    /// A provider's streamed answer as canonical stream bytes.
    static func stream(_ response: UpstreamResponse, provider: ProviderSpec, model: ModelSpec) -> UpstreamStream {
        UpstreamStream(
            body: response.body, transcoder: provider.format.codec.map { CanonicalStreamTranscoder(decoder: $0.streamDecoder(model: model.name)) },
            providerFormat: provider.format)
    }

    /// What a provider's error body says, for error mapping.
    static func errorDetail(status: Int, body: [UInt8], provider: ProviderSpec) -> ProviderErrorDetail? {
        guard let codec = provider.format.codec else { return nil }
        return codec.errorDetail(status: status, body: try? JSONParser.parse(body))
    }
}

/// A provider's complete answer in canonical form, or in the client's own.
struct ProviderCompletion: Sendable {
    var buffer: ByteBuffer
    var usage: Usage?
    /// The model the provider said answered, when it was read.
    var reportedModel: String?
    /// `buffer` is the provider's answer as it came, in the client's own format.
    var isClientBody = false
}

/// The body of a streamed upstream answer in canonical form: the provider's bytes as they come
/// for OpenAI-compatible providers, transcoded piece by piece for the others.
struct UpstreamStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let body: UpstreamResponseBody
    let transcoder: CanonicalStreamTranscoder?
    /// The format the provider streams in (what `providerEvents` gives).
    var providerFormat: ProviderFormat = .openai

    /// The provider's own events, untranslated (for a client that speaks the provider's format).
    var providerEvents: UpstreamStream { UpstreamStream(body: body, transcoder: nil, providerFormat: providerFormat) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: UpstreamResponseBody.AsyncIterator
        var transcoder: CanonicalStreamTranscoder?

        mutating func next() async throws -> ByteBuffer? {
            guard var transcoder else { return try await inner.next() }
            defer { self.transcoder = transcoder }
            while !transcoder.isFinished {
                guard let piece = try await inner.next() else { return nil }
                let out = piece.withUnsafeReadableBytes { transcoder.push($0) }
                if !out.isEmpty { return ByteBuffer(bytes: out) }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inner: body.makeAsyncIterator(), transcoder: transcoder)
    }
}
