/// Token counts and limits come from untrusted JSON (`Int.max` parses), so sums of them saturate
/// at `Int.min...Int.max` instead of trapping on overflow.
extension Int {
    func clampedAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func clampedSubtracting(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}
