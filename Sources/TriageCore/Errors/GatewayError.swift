/// The one error type that reaches clients. Each case maps to an HTTP status and an
/// OpenAI-style error body; messages never contain upstream keys or URLs.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalidRequest = "invalid_request_error"
        case authentication = "authentication_error"
        case permission = "permission_error"
        case notFound = "not_found_error"
        case payloadTooLarge = "request_too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case rateLimited = "rate_limit_error"
        case upstream = "upstream_error"
        case upstreamTimeout = "timeout_error"
        case unavailable = "service_unavailable"
        case internalError = "server_error"
    }

    public var kind: Kind
    public var message: String
    public var param: String?
    public var code: String?
    /// Seconds the client should wait before retrying (sent as `retry-after`).
    public var retryAfterSeconds: Int?

    public init(_ kind: Kind, _ message: String, param: String? = nil, code: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var httpStatus: Int {
        switch kind {
        case .invalidRequest: 400
        case .authentication: 401
        case .permission: 403
        case .notFound: 404
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .rateLimited: 429
        case .upstream: 502
        case .unavailable: 503
        case .upstreamTimeout: 504
        case .internalError: 500
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The OpenAI error object: `{"error": {"message", "type", "param", "code"}}`.
    public var openAIBody: JSONValue {
        [
            "error": [
                "message": .string(message),
                "type": .string(kind.rawValue),
                "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ]
        ]
    }
}
