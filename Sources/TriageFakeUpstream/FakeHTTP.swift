import HTTPTypes
import Hummingbird
import NIOCore

/// An OpenAI API error: the status, the `error` object's fields and an optional retry delay.
struct FakeAPIError: Error, Sendable {
    var status: Int
    var type: String
    var code: String?
    var message: String
    var param: String? = nil
    var retryAfterSeconds: Int? = nil
}

/// Response heads as OpenAI sends them: JSON or `text/event-stream`, with `x-request-id`,
/// `openai-version` and `openai-processing-ms`, and `retry-after` / `retry-after-ms` on errors
/// that carry a delay.
extension FakeOpenAIUpstream {
    static let jsonType = "application/json"
    static let eventStreamType = "text/event-stream; charset=utf-8"
    static let requestIDName = HTTPField.Name("x-request-id")!
    static let versionName = HTTPField.Name("openai-version")!
    static let processingName = HTTPField.Name("openai-processing-ms")!
    static let retryAfterName = HTTPField.Name("retry-after")!
    static let retryAfterMsName = HTTPField.Name("retry-after-ms")!

    static func headers(contentType: String, requestID: String) -> HTTPFields {
        [
            .contentType: contentType, requestIDName: requestID,
            versionName: "2020-10-01", processingName: "1",
        ]
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status, requestID: String) -> Response {
        Response(status: status, headers: headers(contentType: jsonType, requestID: requestID), body: ResponseBody(byteBuffer: body))
    }

    /// A 200 whose body is written by `write` with chunked transfer encoding.
    static func stream(
        requestID: String, contentType: String = eventStreamType,
        _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(status: .ok, headers: headers(contentType: contentType, requestID: requestID), body: ResponseBody(write))
    }

    static func response(for error: FakeAPIError, requestID: String) -> Response {
        var response = json(
            FakeWire.errorBody(type: error.type, code: error.code, message: error.message, param: error.param),
            status: HTTPResponse.Status(code: error.status), requestID: requestID)
        if let seconds = error.retryAfterSeconds {
            response.headers[retryAfterName] = String(seconds)
            response.headers[retryAfterMsName] = String(seconds * 1000)
        }
        return response
    }
}
