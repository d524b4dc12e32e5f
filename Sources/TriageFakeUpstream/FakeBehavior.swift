/// What the fake upstream does with one chat completions request. Queue behaviors per model with
/// `FakeOpenAIUpstream.enqueue(_:forModel:)`; a request whose model has nothing queued gets the
/// fake's default behavior.
public indirect enum FakeBehavior: Sendable {
    /// A normal answer: a `chat.completion` object, or a `chat.completion.chunk` stream (one
    /// content chunk per word) when the request has `"stream": true`.
    case text(String)
    /// A text answer whose every token carries this log-probability (`logprobs.content`).
    case textWithLogprob(String, logprob: Double)
    /// An assistant tool call with `finish_reason: "tool_calls"`; streamed, the arguments arrive
    /// in several pieces after a first delta that carries the call's id, type and name.
    case toolCall(name: String, arguments: String)
    /// Several tool calls in one assistant turn (parallel tool calls), in this order; streamed,
    /// each call's arguments arrive in pieces under its own `index`.
    case toolCalls([FakeToolCall])
    /// An OpenAI error body `{"error": {"message", "type", "param", "code"}}` with this status;
    /// `retry-after` and `retry-after-ms` headers when `retryAfterSeconds` is given.
    case error(status: Int, type: String, code: String?, message: String, retryAfterSeconds: Int? = nil)
    /// Waits before sending anything (not even the response head), then behaves as `then`.
    case slowFirstByte(seconds: Double, then: FakeBehavior)
    /// Streams the role chunk and `afterChunks` content chunks, then drops the connection: no
    /// final chunk, no usage, no `[DONE]`, and no terminating HTTP chunk.
    case cutStream(afterChunks: Int)
    /// Streams the role chunk and `first`, waits until the test opens `gate`, then sends `rest`,
    /// the final chunk, the usage chunk when asked for and `[DONE]`.
    case gatedStream(first: String, rest: [String], gate: FakeGate)
    /// Streams each chunk after waiting `delayMilliseconds` (for cancellation tests).
    case slowStream(chunks: [String], delayMilliseconds: Int)
}

extension FakeBehavior {
    /// A 429 as OpenAI sends it when a requests-per-minute limit is hit: type `requests`, code
    /// `rate_limit_exceeded` (`tokens` is the type for a tokens-per-minute limit).
    public static func rateLimited(retryAfterSeconds: Int? = 1, type: String = "requests") -> FakeBehavior {
        let per = type == "tokens" ? "tokens per min (TPM): Limit 30000, Used 30000, Requested 120" : "requests per min (RPM): Limit 500, Used 500, Requested 1"
        let wait = retryAfterSeconds.map { " Please try again in \($0)s." } ?? ""
        return .error(
            status: 429, type: type, code: "rate_limit_exceeded",
            message: "Rate limit reached in organization org-fake on \(per).\(wait) Visit https://platform.openai.com/account/rate-limits to learn more.",
            retryAfterSeconds: retryAfterSeconds)
    }

    /// A 429 for an exhausted quota: not worth retrying, whatever the status says.
    public static var insufficientQuota: FakeBehavior {
        .error(
            status: 429, type: "insufficient_quota", code: "insufficient_quota",
            message: "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.")
    }

    /// A 5xx as OpenAI sends it: 500 "had an error", 503 "overloaded", others a generic message.
    public static func serverError(status: Int = 500) -> FakeBehavior {
        let message =
            switch status {
            case 500: "The server had an error while processing your request. Sorry about that!"
            case 503: "The engine is currently overloaded, please try again later."
            default: "Bad gateway."
            }
        return .error(status: status, type: "server_error", code: nil, message: message)
    }
}

/// One tool call of a `FakeBehavior.toolCalls` answer.
public struct FakeToolCall: Sendable, Equatable {
    public var name: String
    /// The arguments as a JSON text.
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}
