import TriageCore

// The canonical chat
// ------------------
// Every ingress format is decoded into, and every provider format is encoded from, one canonical
// representation: the OpenAI chat completions schema (requests, `chat.completion` responses,
// `chat.completion.chunk` stream chunks, usage), held as an order-preserving `JSONObject`, plus
// these documented extensions for what OpenAI chat cannot say:
//
// - `cache_control` (Anthropic's, verbatim) on a content part, on a tool definition and on a
//   system message's content parts;
// - `thinking` on a request: Anthropic's `{"type": "enabled", "budget_tokens": N}`, verbatim;
// - `thinking_blocks` on an assistant message and in a response message: Anthropic's
//   `thinking` / `redacted_thinking` blocks, verbatim (with `signature` / `data`), in order;
//   in stream chunks `delta.thinking` (text) and `delta.thinking_signature`;
// - `usage.prompt_tokens_details.cache_write_tokens`: input tokens written to the provider's
//   prompt cache (Anthropic `cache_creation_input_tokens`); `prompt_tokens` always counts every
//   input token (uncached + cache read + cache write), `completion_tokens` every output token
//   (reasoning included, `completion_tokens_details.reasoning_tokens` says how many);
// - `stop_sequence` on a choice: the stop sequence that ended the answer, when known;
// - `top_k` on a request (Anthropic's, verbatim): only providers that sample with it accept it,
//   every other provider codec answers a 400.
//
// OpenAI chat in → OpenAI chat out never goes through a codec: the request's own bytes are
// forwarded (see `OpenAIChatRequest.upstreamBody`). With N client formats and M provider formats
// there are N + M codecs and no pairwise translators.

/// A client-facing wire format (Anthropic Messages, OpenAI Responses): decodes client requests into
/// the canonical chat and encodes canonical answers, streams and errors back into the client's format.
public protocol ClientCodec: Sendable {
    /// Turns a client request body into a canonical chat request body (with `model`, `messages`
    /// and `stream`). A field the canonical chat cannot carry is a 400, never dropped silently.
    func canonicalRequest(from body: JSONObject) throws(GatewayError) -> JSONObject

    /// Turns a complete canonical `chat.completion` into the client's response body.
    func response(from completion: JSONObject) throws(GatewayError) -> JSONValue

    /// A fresh encoder for one streamed answer.
    func streamEncoder() -> any ClientStreamEncoder

    /// The error body in the client's format, e.g. Anthropic's `{"type": "error", "error": {…}}`.
    func errorBody(for error: GatewayError) -> JSONValue

    /// The HTTP status the client's format uses for this error (Anthropic: 529 for overload).
    func httpStatus(for error: GatewayError) -> Int

    /// The provider format whose event streams this client reads as they are (Anthropic
    /// Messages for an Anthropic client), so they can be relayed without translation.
    var sameFormatProvider: ProviderFormat? { get }
}

extension ClientCodec {
    public var sameFormatProvider: ProviderFormat? { nil }
}

/// Turns the canonical chunks of one streamed answer into the client's server-sent events.
public protocol ClientStreamEncoder: Sendable {
    /// The client's SSE bytes for one canonical `chat.completion.chunk` (possibly none). The
    /// usage-only chunk (`"choices": []`) arrives last, before `finish()`.
    mutating func encode(_ chunk: JSONObject) -> [UInt8]

    /// The closing events once the canonical stream ended normally (`[DONE]`).
    mutating func finish() -> [UInt8]

    /// The error event for a stream that broke off after bytes reached the client.
    mutating func fail(_ error: GatewayError) -> [UInt8]

    /// The fast path for a canonical chunk that only carries a piece of answer text: writes what
    /// `encode(_:)` would write for it into `out` and returns `true`, or returns `false`,
    /// writing nothing, when the encoder is not in the state where that is a plain text event.
    mutating func encodeText(_ text: String, into out: inout [UInt8]) -> Bool
}

extension ClientStreamEncoder {
    public mutating func encodeText(_ text: String, into out: inout [UInt8]) -> Bool { false }
}

/// One HTTP request to a provider, as a provider codec builds it.
public struct ProviderHTTPRequest: Sendable, Equatable {
    /// Path below the provider's base URL, e.g. `/messages` or `/models/gemini-2.5-flash:generateContent`.
    public var path: String
    public var body: [UInt8]
    /// Headers besides content type, accept and authentication (e.g. `anthropic-version`).
    public var headers: [(name: String, value: String)]

    public init(path: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.path = path
        self.body = body
        self.headers = headers
    }

    public static func == (lhs: ProviderHTTPRequest, rhs: ProviderHTTPRequest) -> Bool {
        lhs.path == rhs.path && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// What a provider's error body says, in canonical terms.
public struct ProviderErrorDetail: Sendable, Equatable {
    /// The provider's own message (not yet redacted).
    public var message: String?
    /// The provider's error type or status, e.g. `rate_limit_error`, `RESOURCE_EXHAUSTED`.
    public var type: String?
    /// The request exceeded the model's context window.
    public var isContextLength: Bool
    /// The provider is overloaded (Anthropic 529): retry elsewhere.
    public var isOverloaded: Bool

    public init(message: String? = nil, type: String? = nil, isContextLength: Bool = false, isOverloaded: Bool = false) {
        self.message = message
        self.type = type
        self.isContextLength = isContextLength
        self.isOverloaded = isOverloaded
    }
}

/// A provider's wire format (Anthropic Messages, Gemini generateContent): encodes canonical chat
/// requests and decodes the provider's answers, streams and errors into canonical ones.
public protocol ProviderCodec: Sendable {
    /// The upstream request for a canonical chat request body. `stream` asks for the provider's
    /// streaming variant; usage must be reported either way. A field the provider cannot express
    /// is a 400 (`GatewayError(.invalidRequest, …, param:)`), never dropped silently.
    func request(from canonical: JSONObject, upstreamModel: String, stream: Bool) throws(GatewayError) -> ProviderHTTPRequest

    /// Turns the provider's complete response body into a canonical `chat.completion`. `model` is
    /// the name the client should see.
    func completion(from body: JSONValue, model: String) throws(GatewayError) -> JSONObject

    /// A fresh decoder for one streamed answer.
    func streamDecoder(model: String) -> any ProviderStreamDecoder

    /// Reads the provider's error body.
    func errorDetail(status: Int, body: JSONValue?) -> ProviderErrorDetail

    /// The usage of a complete response body when it is a well-formed answer that can go to a
    /// client of the provider's own format unchanged; `nil` otherwise (it then goes through
    /// `completion(from:model:)`).
    func usage(inAnswer body: JSONValue) -> Usage?
}

extension ProviderCodec {
    public func usage(inAnswer body: JSONValue) -> Usage? { nil }
}

/// Turns the provider's server-sent events of one streamed answer into canonical chunks.
public protocol ProviderStreamDecoder: Sendable {
    /// The canonical `chat.completion.chunk` objects for one provider event (possibly none). The
    /// decoder emits the usage-only chunk (`"choices": []`, `usage`) once the provider has
    /// reported final usage, after the chunk that carries `finish_reason`. An in-stream provider
    /// error is thrown as the `GatewayError` it means.
    mutating func decode(_ event: SSEEvent) throws(GatewayError) -> [JSONObject]

    /// Whether the provider has said the answer is complete (Anthropic `message_stop`, Gemini's
    /// last chunk with a finish reason). A stream that ends before this broke off.
    var isComplete: Bool { get }

    /// The fast path for events that need no JSON tree, read where they lie (`name` is the
    /// `event:` field, `data` the data line): a plain piece of answer text, whose canonical
    /// chunk event it writes into `out` — the bytes `decode(_:)` and `SSEWriter.json` would
    /// give — or an event that gives no chunk at all (Anthropic's `ping`). Returns `true` for
    /// those, and `false`, writing nothing, for any other event.
    mutating func writeWithoutParsing(name: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool
}

extension ProviderStreamDecoder {
    public mutating func writeWithoutParsing(name: UnsafeBufferPointer<UInt8>?, data: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool { false }
}

/// Reads the text of a canonical text chunk without parsing it (the client side's fast path;
/// `CanonicalChunkWriter` writes such chunks).
public enum CanonicalTextChunk {
    private static let choicesHead = Array(#""choices":[{"index":0,"delta":{"content":""#.utf8)
    private static let choicesTail = Array(#"},"logprobs":null,"finish_reason":null}]"#.utf8)
    private static let nullUsageEnd = Array(#","usage":null}"#.utf8)
    private static let usageKey = Array(#""usage""#.utf8)
    private static let errorKey = Array(#""error""#.utf8)

    /// The text of a canonical chunk's `data` when the chunk carries nothing else: one choice
    /// whose delta is only `content` (no escapes in it), no finish reason, no usage (or `null`),
    /// no error — the shape of nearly every chunk of an answer, as this gateway and OpenAI write
    /// it. `nil` for anything else, which is then parsed.
    public static func text(inChunk data: UnsafeBufferPointer<UInt8>) -> String? {
        guard let at = ByteSearch.firstIndex(of: choicesHead, in: data) else { return nil }
        let before = UnsafeBufferPointer(rebasing: data[..<at])
        guard ByteSearch.firstIndex(of: usageKey, in: before) == nil, ByteSearch.firstIndex(of: errorKey, in: before) == nil else { return nil }
        var index = at + choicesHead.count
        let textStart = index
        while index < data.count, data[index] != 0x22 {
            if data[index] == 0x5c || data[index] < 0x20 { return nil }
            index += 1
        }
        let textEnd = index
        index += 1
        guard data.count - index >= choicesTail.count + 1,
            ByteSearch.equal(UnsafeBufferPointer(rebasing: data[index..<(index + choicesTail.count)]), choicesTail)
        else { return nil }
        index += choicesTail.count
        let rest = UnsafeBufferPointer(rebasing: data[index...])
        guard (rest.count == 1 && rest[0] == 0x7d) || ByteSearch.equal(rest, nullUsageEnd) else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: data[textStart..<textEnd]), as: UTF8.self)
    }
}
