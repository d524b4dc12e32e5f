import HTTPTypes

/// The gateway's own request and response headers (DESIGN.md, "Wire conventions").
public enum TriageHeader {
    public static let role = HTTPField.Name("X-Triage-Role")!
    public static let run = HTTPField.Name("X-Triage-Run")!
    /// Request: validators for this call (see `ValidatorSyntax`), or `none`.
    public static let validate = HTTPField.Name("X-Triage-Validate")!
    /// Request: `true` asks for the decision's reasons; response: the reasons.
    public static let reasons = HTTPField.Name("X-Triage-Reasons")!
    public static let requestID = HTTPField.Name("X-Triage-Request-Id")!
    public static let model = HTTPField.Name("X-Triage-Model")!
    public static let tier = HTTPField.Name("X-Triage-Tier")!
    public static let costUSD = HTTPField.Name("X-Triage-Cost-USD")!
    /// Response: how many times the call was re-run one tier up.
    public static let escalations = HTTPField.Name("X-Triage-Escalations")!
    /// Response: `passed`, or `failed: <validators>` when no tier produced a passing answer.
    public static let validation = HTTPField.Name("X-Triage-Validation")!
    public static let retryAfter = HTTPField.Name("retry-after")!

    /// A header-safe (ASCII, single line) rendering of free text such as decision reasons.
    static func safeValue(_ text: String, limit: Int = 2000) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, limit))
        for scalar in text.unicodeScalars {
            if out.utf8.count >= limit { break }
            switch scalar {
            case "→": out += "->"
            case "≥": out += ">="
            case "≤": out += "<="
            case "≈": out += "~"
            case "\n", "\r", "\t": out += " "
            default:
                if scalar.isASCII, scalar.value >= 0x20, scalar.value != 0x7F { out.unicodeScalars.append(scalar) } else { out += "?" }
            }
        }
        return out
    }
}
