import TriageCore
import TriageRouting

/// The result of one recalibration run: the proposed tuning, why it differs from the current one,
/// the estimates behind it and what it would have done to the window's calls.
public struct Recalibration: Sendable, Equatable {
    /// The proposed tuning; equal to the current one when nothing had enough evidence.
    public var tuning: RoutingTuning
    /// `current.changes(to: tuning)`, each line followed by ` — ` and its evidence, e.g.
    /// `skills.extraction.band_tier: (default) → small — extraction on small passed 40/40, lower bound 0.912 ≥ floor 0.9`.
    public var changes: [String]
    /// Skill × tier estimates (by skill, tier), then model × skill ones (by model, skill).
    public var estimates: [SuccessEstimate]
    public var projection: Projection

    public init(tuning: RoutingTuning, changes: [String], estimates: [SuccessEstimate], projection: Projection) {
        self.tuning = tuning
        self.changes = changes
        self.estimates = estimates
        self.projection = projection
    }

    /// Everything above, for `--json` output: `{"tuning":…,"changes":[…],"estimates":[…],"projection":{…}}`.
    public var json: JSONValue {
        [
            "tuning": tuning.json,
            "changes": .array(changes.map(JSONValue.string)),
            "estimates": .array(estimates.map(\.json)),
            "projection": projection.json,
        ]
    }
}
