import Foundation
import TriageCore

/// Reads the per-request validator list of `X-Triage-Validate` / `metadata.triage_validate`:
/// comma-separated names with optional `=argument`:
///
///     json, json_schema, required_fields=id|name, tool_arguments, regex=^\d+$,
///     min_length=10, max_length=2000, refusal, confidence=-0.7, judge, none
///
/// `none` alone turns validation off for the call. A regular expression cannot contain a comma
/// here; configure such validators in `triage.yaml` instead.
public enum ValidatorSyntax {
    public static let names = [
        "json", "json_schema", "required_fields", "tool_arguments", "regex", "min_length", "max_length", "refusal", "confidence", "judge", "none",
    ]

    public static func parse(_ text: String) throws(GatewayError) -> [ValidatorSpec] {
        var specs: [ValidatorSpec] = []
        for item in text.split(separator: ",") {
            let entry = item.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0].lowercased()
            let argument = parts.count > 1 ? parts[1] : nil
            func needs(_ what: String) throws(GatewayError) -> String {
                guard let argument, !argument.isEmpty else { throw invalid("`\(name)` needs \(what), as in \(name)=…") }
                return argument
            }
            switch name {
            case "none": return []
            case "json": specs.append(.fixed(.jsonParses))
            case "json_schema": specs.append(.responseFormatSchema)
            case "tool_arguments": specs.append(.offeredTools)
            case "refusal": specs.append(.fixed(.notRefusal))
            case "judge": specs.append(.judge)
            case "required_fields":
                let fields = try needs("field names separated by |").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                specs.append(.fixed(.requiredFields(fields.filter { !$0.isEmpty })))
            case "regex":
                let pattern = try needs("a pattern")
                guard (try? NSRegularExpression(pattern: pattern)) != nil else { throw invalid("`regex=\(pattern.prefix(80))` is not a valid regular expression") }
                specs.append(.fixed(.regex(pattern)))
            case "min_length", "max_length":
                guard let bound = Int(try needs("a number of characters")), bound >= 0 else { throw invalid("`\(name)` needs a whole number ≥ 0") }
                specs.append(.fixed(name == "min_length" ? .length(min: bound, max: nil) : .length(min: nil, max: bound)))
            case "confidence":
                guard let threshold = Double(try needs("a mean log-probability")), threshold <= 0 else {
                    throw invalid("`confidence` needs a mean log-probability ≤ 0, e.g. confidence=-0.7")
                }
                specs.append(.fixed(.confidence(minimumMeanLogProbability: threshold)))
            default:
                throw invalid("unknown validator `\(name.prefix(40))` (expected one of: \(names.joined(separator: ", ")))")
            }
        }
        return specs
    }

    private static func invalid(_ message: String) -> GatewayError {
        GatewayError(.invalidRequest, "Invalid validator list: \(message).", param: "X-Triage-Validate", code: "invalid_validator")
    }
}
