import TriageCodecs
import TriageCore
import TriageProviders

/// Turns an upstream's non-2xx answer into the error the client sees. Messages from providers
/// are only passed on for client errors (400, 404, 422 …) and only after redaction: 401/403
/// concern the gateway's own provider key and become a 502 that says nothing about it.
enum UpstreamErrorMapping {
    /// - Parameter detail: what a non-OpenAI provider's codec read from the body.
    static func gatewayError(status: Int, body: [UInt8], provider: String, retryAfter: Duration?, detail: ProviderErrorDetail? = nil) -> GatewayError {
        let upstream = (try? JSONParser.parse(body))?["error"]
        let message = (detail?.message ?? upstream?["message"]?.stringValue).map(redact)
        var code = upstream?["code"]?.stringValue
        let param = upstream?["param"]?.stringValue
        if detail?.isContextLength == true { code = "context_length_exceeded" }
        switch status {
        case 429:
            return GatewayError(
                .rateLimited, "The provider '\(provider)' is rate limiting this gateway; retry later.", code: "rate_limit_exceeded",
                retryAfterSeconds: retryAfter?.wholeSecondsRoundedUp)
        case 401, 403:
            return GatewayError(.upstream, "The provider '\(provider)' rejected the gateway's credentials.", code: "upstream_authentication_failed")
        case 408, 504:
            return GatewayError(.upstreamTimeout, "The provider '\(provider)' timed out.", code: "upstream_timeout")
        case 500... where detail?.isOverloaded == true:
            return GatewayError(.unavailable, "The provider '\(provider)' is overloaded; retry later.", code: "upstream_overloaded")
        case 500...:
            return GatewayError(.upstream, "The provider '\(provider)' failed with status \(status).", code: "upstream_error")
        case 404:
            return GatewayError(.notFound, message ?? "The provider does not know this model.", param: param, code: code ?? "model_not_found")
        default:
            return GatewayError(.invalidRequest, message ?? "The provider rejected the request (status \(status)).", param: param, code: code)
        }
    }

    static func outcome(status: Int, retryAfter: Duration?) -> AttemptOutcome {
        switch status {
        case 200..<300: .succeeded
        case 401, 403, 408, 409, 429, 500...: .retryable(reason: "status \(status)", status: status, retryAfter: retryAfter)
        default: .rejected(status: status)
        }
    }

    /// Removes anything that looks like a secret or a URL from a provider's message.
    static func redact(_ message: String) -> String {
        message.split(separator: " ", omittingEmptySubsequences: false).map { word -> Substring in
            let lower = word.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return "[url]" }
            if lower.hasPrefix("sk-") || lower.hasPrefix("key-") || lower.hasPrefix("bearer") || (word.count >= 32 && !word.contains(where: \.isWhitespace) && word.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                return "[redacted]"
            }
            return word
        }.joined(separator: " ")
    }
}
