import TriageConfig

/// How cautious recalibration is: the quality floor a tier must keep, how much evidence a move
/// needs, and how strongly the current quality priors resist new evidence.
public struct RecalibrationSettings: Sendable, Hashable {
    /// The success rate a tier must keep for a call to be moved to it (0…1).
    public var qualityFloor: Double
    /// Fewer trials than this never move anything.
    public var minimumSamples: Int
    /// The normal quantile of the Wilson score interval (1.96: 95 %).
    public var z: Double
    /// How far one run moves a complexity threshold.
    public var thresholdStep: Double
    /// The weight of the current quality prior, in trials (`k` in `(k·q0 + s) / (k + n)`).
    public var priorStrength: Double

    public init(qualityFloor: Double = 0.9, minimumSamples: Int = 20, z: Double = 1.96, thresholdStep: Double = 0.05, priorStrength: Double = 10.0) {
        self.qualityFloor = qualityFloor
        self.minimumSamples = minimumSamples
        self.z = z
        self.thresholdStep = thresholdStep
        self.priorStrength = priorStrength
    }
}

extension RecalibrationSettings {
    /// The configured `calibration:` settings, each overridden by the value given for this run
    /// (the command's flags).
    public init(_ configured: CalibrationSettings, floor: Double? = nil, minimumSamples: Int? = nil, thresholdStep: Double? = nil) {
        self.init(
            qualityFloor: floor ?? configured.floor, minimumSamples: minimumSamples ?? configured.minimumSamples,
            thresholdStep: thresholdStep ?? configured.thresholdStep)
    }
}
