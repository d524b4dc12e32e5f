/// What a success count says about a tier against the quality floor.
enum FloorVerdict: Sendable, Hashable {
    /// Fewer trials than `minimumSamples`: no move either way.
    case tooFewSamples
    /// The interval's lower bound reaches the floor: the tier is good enough.
    case meetsFloor
    /// The interval's upper bound is below the floor: the tier is not good enough.
    case missesFloor
    /// The interval straddles the floor.
    case undecided
}

extension RecalibrationSettings {
    func verdict(on count: SuccessCount) -> FloorVerdict {
        guard count.trials >= minimumSamples else { return .tooFewSamples }
        let interval = count.wilsonInterval(z: z)
        if interval.lower >= qualityFloor { return .meetsFloor }
        if interval.upper < qualityFloor { return .missesFloor }
        return .undecided
    }

    /// The evidence behind a verdict, e.g. `extraction on small passed 40/40, lower bound 0.912 ≥ floor 0.9`.
    func evidence(_ subject: String, _ count: SuccessCount) -> String {
        let interval = count.wilsonInterval(z: z)
        let bound =
            interval.lower >= qualityFloor
            ? "lower bound \(shown(interval.lower)) ≥ floor \(shown(qualityFloor))"
            : "upper bound \(shown(interval.upper)) < floor \(shown(qualityFloor))"
        return "\(subject) passed \(count.successes)/\(count.trials), \(bound)"
    }
}
