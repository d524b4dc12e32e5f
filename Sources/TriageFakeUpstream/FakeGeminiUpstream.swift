import Hummingbird
import Synchronization
import TriageCore

/// A fake Google Gemini API server (v1beta): a real HTTP server on a loopback port that speaks
/// Gemini's documented wire format — `GenerateContentResponse` objects, `alt=sse` streams framed
/// `data: {…}\r\n\r\n` as Google sends them (a JSON array without `alt=sse`), function calls sent
/// whole, `usageMetadata` on every event (with `cachedContentTokenCount` when `cachedTokens` is
/// set), and `google.rpc.Status` error bodies — scripted per model with the same `FakeBehavior`s
/// as `FakeOpenAIUpstream`.
///
/// Endpoints: `POST /v1beta/models/{model}:generateContent`, `POST /v1beta/models/{model}:streamGenerateContent`
/// and `GET /v1beta/models`. The model comes from the path. Every request needs an API key in the
/// `x-goog-api-key` header (or the `key` query parameter, which Google also accepts): none is
/// Google's 403 PERMISSION_DENIED, a wrong one (when `apiKey` is set) its 400 INVALID_ARGUMENT
/// "API key not valid". `promptTokenCount` is characters of the text parts / 4 + 1,
/// `candidatesTokenCount` the number of streamed pieces. `FakeBehavior.error` answers with a
/// Gemini error body: `code` is the HTTP status, `status` the behavior's `type` when it is a
/// Google status name (`RESOURCE_EXHAUSTED` …) or else the one the HTTP status implies, and
/// `retryAfterSeconds` becomes a `google.rpc.RetryInfo` detail (Google sends no `retry-after`
/// header). `textWithLogprob` answers as plain text.
public final class FakeGeminiUpstream: FakeServer {
    public static let basePath = "/v1beta"
    public let script = FakeScript()
    public let runner = FakeServerRunner(label: "fake-gemini-upstream")
    let defaultBehavior: FakeBehavior
    let cachedTokens: Int
    let apiKey: String?
    let models: [String]?
    let recordRequests: Bool

    /// - Parameters:
    ///   - defaultBehavior: what a request gets when nothing is queued for its model.
    ///   - cachedTokens: `cachedContentTokenCount` of every reply (capped at the prompt tokens).
    ///   - apiKey: when set, any other key gets Google's 400 "API key not valid".
    ///   - models: when set, other models get Google's 404 NOT_FOUND; also what `GET /v1beta/models` lists.
    ///   - recordRequests: keep every request for `requests`.
    public init(
        defaultBehavior: FakeBehavior = .text("Hello from the fake Gemini upstream."), cachedTokens: Int = 0,
        apiKey: String? = nil, models: [String]? = nil, recordRequests: Bool = true
    ) {
        self.defaultBehavior = defaultBehavior
        self.cachedTokens = cachedTokens
        self.apiKey = apiKey
        self.models = models
        self.recordRequests = recordRequests
    }

    /// The next queued behavior for `model` (the name in the path, without `models/`), or the default one.
    func nextBehavior(for model: String) -> FakeBehavior {
        script.next(for: model) ?? defaultBehavior
    }
}
