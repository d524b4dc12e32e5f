extension StringProtocol {
    /// The value without the spaces and tabs HTTP allows around it (RFC 9110 §5.6.3, `OWS`).
    /// Foundation's `trimmingCharacters(in:)` did the same at a cost of about a percent of a
    /// request's CPU time.
    var trimmingOptionalWhitespace: SubSequence {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isWhitespace($0) })!
        return self[first...last]
    }
}
