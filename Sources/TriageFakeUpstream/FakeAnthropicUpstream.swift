import Hummingbird
import Synchronization
import TriageCore

/// A fake Anthropic Messages server: a real HTTP server on a loopback port that speaks the
/// documented wire format — `message` objects, the `message_start` … `message_stop` SSE event
/// sequence with `text_delta` / `input_json_delta`, `tool_use` blocks (parallel ones included),
/// usage with cache reads, and `{"type": "error", …}` bodies with `retry-after` — scripted per
/// model with the same `FakeBehavior`s as `FakeOpenAIUpstream`.
///
/// Endpoints: `POST /v1/messages` and `GET /v1/models`. Every request must carry `x-api-key`
/// (any key unless `apiKey` is set; otherwise Anthropic's 401 `authentication_error`) and
/// `anthropic-version` (otherwise Anthropic's 400 "anthropic-version: header is required"). The
/// reply's `model` is the request's; input tokens are a deterministic estimate (characters of
/// the system prompt and message texts / 4 + 1), `cache_read_input_tokens` is `cachedTokens`
/// (capped), `input_tokens` the rest; output tokens are one per streamed piece.
/// `textWithLogprob` answers as plain text (Anthropic has no log-probabilities); an `error`
/// behavior's `type` is used when it is an Anthropic error type, else the type Anthropic uses
/// for its status.
public final class FakeAnthropicUpstream: FakeServer {
    public static let basePath = "/v1"
    public let script = FakeScript()
    public let runner = FakeServerRunner(label: "fake-anthropic-upstream")
    let defaultBehavior: FakeBehavior
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `cache_read_input_tokens` of every reply (capped at the input tokens).
    ///   - apiKey: when set, any other `x-api-key` gets Anthropic's 401 `authentication_error`.
    ///   - models: when set, other models get Anthropic's 404 `not_found_error`; also what `GET /v1/models` lists.
    ///   - recordRequests: keep every request for `requests` (turn off for load tests).
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
        self.cachedTokens = cachedTokens
        self.apiKey = apiKey
        self.models = models
        self.recordRequests = recordRequests
    }

    /// The next queued behavior for `model`, or the default one.
    func nextBehavior(for model: String) -> FakeBehavior {
        script.next(for: model) ?? defaultBehavior
    }
}

extension FakeBehavior {
    /// Anthropic's 529 `overloaded_error` ("Overloaded").
    public static func anthropicOverloaded(retryAfterSeconds: Int? = nil) -> FakeBehavior {
        .error(status: 529, type: "overloaded_error", code: nil, message: "Overloaded", retryAfterSeconds: retryAfterSeconds)
    }

    /// Anthropic's 400 for a prompt beyond the context window ("prompt is too long: …").
    public static func anthropicPromptTooLong(tokens: Int = 215_000, maximum: Int = 200_000) -> FakeBehavior {
        .error(status: 400, type: "invalid_request_error", code: nil, message: "prompt is too long: \(tokens) tokens > \(maximum) maximum")
    }
}
