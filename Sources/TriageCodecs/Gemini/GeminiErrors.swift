import TriageCore

/// Gemini's error body: `{"error": {"code": 429, "message": "…", "status": "RESOURCE_EXHAUSTED",
/// "details": [...]}}` (google.rpc.Status), for HTTP errors and errors inside a stream.
enum GeminiErrors {
    static func detail(status: Int, body: JSONValue?) -> ProviderErrorDetail {
        let error = body?["error"]
        // A streamed error may arrive as a one-element JSON array (the non-SSE stream framing).
        let object = error ?? body?.arrayValue?.first?["error"]
        let message = object?["message"]?.stringValue
        let type = object?["status"]?.stringValue
        let lowered = message?.lowercased() ?? ""
        let isContextLength =
            lowered.contains("exceeds the maximum number of tokens")
            || (lowered.contains("input token count") && lowered.contains("exceeds"))
        let isOverloaded = type == "UNAVAILABLE" || status == 503 || lowered.contains("overloaded")
        return ProviderErrorDetail(message: message, type: type, isContextLength: isContextLength, isOverloaded: isOverloaded)
    }

    /// An error event inside a stream, as the gateway error it means. The provider's message is
    /// not passed on (it may name keys or URLs); its status is.
    static func streamError(_ error: JSONObject) -> GatewayError {
        let status = error["status"]?.stringValue ?? "UNKNOWN"
        let kind: GatewayError.Kind =
            switch status {
            case "RESOURCE_EXHAUSTED": .rateLimited
            case "UNAVAILABLE": .unavailable
            case "DEADLINE_EXCEEDED": .upstreamTimeout
            default: .upstream
            }
        return GatewayError(kind, "The upstream provider reported an error during the stream (\(status)).", code: "upstream_stream_error")
    }
}
