import Hummingbird
import NIOCore
import TriageCore

/// `POST /v1/embeddings` as OpenAI answers it: one `embedding` object per input (a fixed-size,
/// deterministic vector), `usage.prompt_tokens` / `total_tokens` (characters / 4 + 1 per input),
/// and OpenAI's 400 for a missing or empty `input`. A queued `.error` behavior for the model is
/// answered as it is for chat.
extension FakeOpenAIUpstream {
    /// The length of every vector the fake returns.
    public static let embeddingDimensions = 8

    func embeddings(_ request: Request) async throws -> Response {
        let (call, json, model) = try await receive(request)
        let requestID = "req_fakeemb\(Self.padded(call, width: 21))"
        do throws(FakeAPIError) {
            try authenticate(request)
            guard let model, !model.isEmpty else {
                throw FakeAPIError(status: 400, type: "invalid_request_error", code: nil, message: "you must provide a model parameter", param: "model")
            }
            let inputs: [String]
            switch json?["input"] {
            case .string(let text)?: inputs = [text]
            case .array(let items)? where !items.isEmpty: inputs = items.map { $0.stringValue ?? JSONWriter.string($0) }
            default:
                throw FakeAPIError(status: 400, type: "invalid_request_error", code: nil, message: "'input' is a required property", param: "input")
            }
            if case .error(let status, let type, let code, let message, let retryAfter)? = nextBehavior(for: model) {
                throw FakeAPIError(status: status, type: type, code: code, message: message, param: nil, retryAfterSeconds: retryAfter)
            }
            let tokens = inputs.reduce(0) { $0 + $1.utf8.count / 4 + 1 }
            let data: [JSONValue] = inputs.enumerated().map { index, text in
                let seed = Double(text.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF })
                let vector = (0..<Self.embeddingDimensions).map { JSONValue(((seed + Double($0)).truncatingRemainder(dividingBy: 97)) / 97) }
                return ["object": "embedding", "index": JSONValue(index), "embedding": .array(vector)]
            }
            let answer: JSONValue = [
                "object": "list", "data": .array(data), "model": .string(model),
                "usage": ["prompt_tokens": JSONValue(tokens), "total_tokens": JSONValue(tokens)],
            ]
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(answer))))
        } catch {
            return Self.response(for: error, requestID: requestID)
        }
    }
}
