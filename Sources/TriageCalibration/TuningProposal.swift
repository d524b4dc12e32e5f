import TriageRouting

/// A tuning under construction, with the evidence behind each setting it changed, keyed by the
/// setting's `TuningChange.path`.
struct TuningProposal: Sendable {
    var tuning: RoutingTuning
    private(set) var evidence: [String: String] = [:]

    init(_ tuning: RoutingTuning) { self.tuning = tuning }

    mutating func justify(_ path: String, by evidence: String) {
        self.evidence[path] = evidence
    }

    /// The changes from `current`, one line each, followed by the evidence behind them.
    func changeLines(from current: RoutingTuning) -> [String] {
        current.differences(to: tuning).map { change in
            evidence[change.path].map { "\(change.line) — \($0)" } ?? change.line
        }
    }

    static func bandTierPath(_ skill: String) -> String { "skills.\(skill).band_tier" }
    static func minimumTierPath(_ skill: String) -> String { "skills.\(skill).min_tier" }
    static func qualityPath(_ model: String, _ skill: String) -> String { "quality.\(model).\(skill)" }
    static let smallCutPath = "thresholds.small_below"
    static let frontierCutPath = "thresholds.frontier_from"
}

/// A number as tunings show it (3 decimals, trailing zeros dropped).
func shown(_ value: Double) -> String { TuningChange.display(value) }
