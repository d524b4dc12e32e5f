import Crypto
import Foundation
import HTTPTypes
import TriageConfig
import TriageCore

/// Checks the caller's key (`Authorization: Bearer …` or `x-api-key`) against the SHA-256
/// digests in the config. Keys themselves are never stored or logged.
public struct ClientAuthenticator: Sendable {
    private let namesByDigest: [String: String]

    public init(keys: [GatewayConfig.ClientKey]) {
        namesByDigest = Dictionary(keys.map { ($0.sha256Hex.lowercased(), $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether calls must carry a key.
    public var isRequired: Bool { !namesByDigest.isEmpty }

    /// The name of the caller's key, or `nil` when auth is off.
    public func authenticate(_ headers: HTTPFields) throws(GatewayError) -> String? {
        guard isRequired else { return nil }
        guard let token = Self.token(in: headers) else {
            throw GatewayError(
                .authentication, "You didn't provide an API key. Provide it in an Authorization header (Bearer auth) or an x-api-key header.",
                code: "missing_api_key")
        }
        guard let name = namesByDigest[Self.digest(token)] else {
            throw GatewayError(.authentication, "Incorrect API key provided.", code: "invalid_api_key")
        }
        return name
    }

    static func token(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = String(parts[1].trimmingOptionalWhitespace)
                if !token.isEmpty { return token }
            }
        }
        if let apiKey = headers[HTTPField.Name("x-api-key")!], !apiKey.isEmpty { return apiKey }
        return nil
    }

    /// Lowercase hex SHA-256 of a token, as stored in the config.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
