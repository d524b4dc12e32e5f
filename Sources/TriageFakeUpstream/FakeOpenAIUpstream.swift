import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TriageCore

/// A fake OpenAI chat completions server: a real HTTP server on a loopback port that speaks the
/// documented wire format exactly — `chat.completion` objects, `chat.completion.chunk` SSE
/// streams with `stream_options.include_usage`, tool calls, usage with cached tokens, OpenAI
/// error bodies with `retry-after` — and can be scripted per model with failures: errors, slow
/// first bytes, streams cut mid-way, streams held at a gate and slow streams.
///
/// Endpoints: `POST /v1/chat/completions` and `GET /v1/models`. Every request must carry
/// `Authorization: Bearer <key>` (any key unless `apiKey` is set). The reply's `model` is the
/// request's; `prompt_tokens` is a deterministic estimate (characters of the message contents
/// / 4 + 1); `completion_tokens` is the number of words of the reply.
public final class FakeOpenAIUpstream: FakeServer {
    public static let basePath = "/v1"
    public let script = FakeScript()
    public let runner = FakeServerRunner(label: "fake-upstream")
    let defaultBehavior: FakeBehavior
    /// The default behavior's reply encoded once, when it is a text reply.
    let defaultAnswer: FakeAnswer?
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `prompt_tokens_details.cached_tokens` of every reply (capped at the prompt tokens).
    ///   - apiKey: when set, any other bearer key gets OpenAI's 401 `invalid_api_key`.
    ///   - models: when set, other models get OpenAI's 404 `model_not_found`; also what `GET /v1/models` lists.
    ///   - recordRequests: keep every request for `requests` (turn off for load tests).
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
        if case .text(let text) = defaultBehavior {
            defaultAnswer = .text(text)
        } else {
            defaultAnswer = nil
        }
        self.cachedTokens = cachedTokens
        self.apiKey = apiKey
        self.models = models
        self.recordRequests = recordRequests
    }

    // MARK: Lifecycle

    /// The next queued behavior for `model`, or `nil` for the default.
    func nextBehavior(for model: String) -> FakeBehavior? {
        script.next(for: model)
    }
}

/// The fake could not bind its address.
public struct FakeUpstreamStartError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var underlying: (any Error)?

    public var description: String {
        "fake upstream could not listen on \(host):\(port)" + (underlying.map { ": \($0)" } ?? "")
    }
}
