import Hummingbird
import NIOCore
import TriageCore

extension GatewayError {
    /// The OpenAI-style error response for this error.
    func response(requestID: String?) -> Response {
        response(requestID: requestID, status: httpStatus, body: openAIBody)
    }

    /// The error response with a body in some client's format.
    func response(requestID: String?, status: Int, body: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let requestID { headers[TriageHeader.requestID] = requestID }
        if let retryAfterSeconds { headers[TriageHeader.retryAfter] = String(retryAfterSeconds) }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(body))))
    }
}

extension GatewayError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: nil)
    }
}

/// Turns every error that escapes a handler — Hummingbird's own 404/405/413 included — into an
/// OpenAI-style error body, so clients never see an empty or HTML error.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GatewayError {
            return error.response(requestID: nil)
        } catch let error as HTTPError {
            return Self.gatewayError(for: error).response(requestID: nil)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(describing: type(of: error)))"])
            return GatewayError(.internalError, "The gateway hit an internal error.").response(requestID: nil)
        }
    }

    static func gatewayError(for error: HTTPError) -> GatewayError {
        switch error.status {
        case .notFound: GatewayError(.notFound, "Unknown endpoint.", code: "unknown_url")
        case .methodNotAllowed: GatewayError(.invalidRequest, "Method not allowed for this endpoint.", code: "method_not_allowed")
        case .contentTooLarge: GatewayError(.payloadTooLarge, "The request body is too large.", code: "request_too_large")
        default:
            GatewayError(error.status.code >= 500 ? .internalError : .invalidRequest, error.body ?? error.status.reasonPhrase)
        }
    }
}
