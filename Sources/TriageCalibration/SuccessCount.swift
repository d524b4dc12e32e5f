/// Successes out of trials, with the Wilson score interval around their rate.
struct SuccessCount: Sendable, Hashable {
    var trials = 0
    var successes = 0

    mutating func record(_ succeeded: Bool) {
        trials += 1
        if succeeded { successes += 1 }
    }

    static func + (lhs: SuccessCount, rhs: SuccessCount) -> SuccessCount {
        SuccessCount(trials: lhs.trials + rhs.trials, successes: lhs.successes + rhs.successes)
    }

    /// The observed success rate; 0 without trials.
    var rate: Double { trials == 0 ? 0 : Double(successes) / Double(trials) }

    /// The Wilson score interval for quantile `z`; `0…1` without trials. Unlike the normal
    /// approximation it stays inside 0…1 and is honest at 40/40, where the plain rate says 1.
    func wilsonInterval(z: Double) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials)
        let p = rate
        let zz = z * z
        let denominator = 1 + zz / n
        let centre = (p + zz / (2 * n)) / denominator
        let halfWidth = z * (p * (1 - p) / n + zz / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - halfWidth), min(1, centre + halfWidth))
    }
}
