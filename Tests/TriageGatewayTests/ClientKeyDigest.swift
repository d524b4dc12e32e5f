import TriageGateway

/// Test access to the digest the config stores for a client key.
enum ClientKeyDigest {
    static func of(_ token: String) -> String { ClientAuthenticator.digest(token) }
}
