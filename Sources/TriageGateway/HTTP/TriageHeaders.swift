import HTTPTypes

/// The gateway's own request and response headers (DESIGN.md, "Wire conventions").
public enum TriageHeader {
    public static let role = HTTPField.Name("X-Triage-Role")!
    public static let run = HTTPField.Name("X-Triage-Run")!
    public static let requestID = HTTPField.Name("X-Triage-Request-Id")!
    public static let model = HTTPField.Name("X-Triage-Model")!
    public static let tier = HTTPField.Name("X-Triage-Tier")!
    public static let costUSD = HTTPField.Name("X-Triage-Cost-USD")!
    public static let retryAfter = HTTPField.Name("retry-after")!
}
