import TriageCore

/// One setting that differs between two tunings, e.g. `thresholds.small_below: 0.1 → 0.15`.
public struct TuningChange: Sendable, Hashable {
    /// Where the setting lives: `thresholds.small_below`, `skills.<skill>.band_tier`,
    /// `skills.<skill>.min_tier` or `quality.<model>.<skill>`.
    public var path: String
    /// The old value as shown: a tier, a number (see `display`), `(none)` or `(default)`.
    public var old: String
    /// The new value, shown the same way.
    public var new: String

    public init(path: String, old: String, new: String) {
        self.path = path
        self.old = old
        self.new = new
    }

    /// The change as one human-readable line.
    public var line: String { "\(path): \(old) → \(new)" }

    /// How tunings show a number: rounded to 3 decimals, trailing zeros dropped (`0.15`, `1`).
    public static func display(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let thousandths = Int64((value * 1000).rounded())
        let magnitude = thousandths.magnitude
        let sign = thousandths < 0 ? "-" : ""
        let whole = magnitude / 1000
        var fraction = magnitude % 1000
        guard fraction != 0 else { return "\(sign)\(whole)" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}

extension RoutingTuning {
    /// What differs from `self` to `new`, in a fixed order: thresholds, then skills by name (band
    /// tier before minimum tier), then quality priors by model and skill.
    public func differences(to new: RoutingTuning) -> [TuningChange] {
        var changes: [TuningChange] = []
        func note(_ path: String, _ old: String, _ new: String) {
            if old != new { changes.append(TuningChange(path: path, old: old, new: new)) }
        }
        if thresholds.small != new.thresholds.small {
            changes.append(TuningChange(path: "thresholds.small_below", old: Self.show(thresholds.small), new: Self.show(new.thresholds.small)))
        }
        if thresholds.frontier != new.thresholds.frontier {
            changes.append(
                TuningChange(path: "thresholds.frontier_from", old: Self.show(thresholds.frontier), new: Self.show(new.thresholds.frontier)))
        }
        let skills = Set(skillBandTiers.keys).union(skillMinimumTiers.keys).union(new.skillBandTiers.keys).union(new.skillMinimumTiers.keys)
        for skill in skills.sorted() {
            note("skills.\(skill).band_tier", skillBandTiers[skill]?.rawValue ?? "(default)", new.skillBandTiers[skill]?.rawValue ?? "(default)")
            note("skills.\(skill).min_tier", skillMinimumTiers[skill]?.rawValue ?? "(none)", new.skillMinimumTiers[skill]?.rawValue ?? "(none)")
        }
        for model in Set(quality.keys).union(new.quality.keys).sorted() {
            let before = quality[model] ?? [:]
            let after = new.quality[model] ?? [:]
            for skill in Set(before.keys).union(after.keys).sorted() where before[skill] != after[skill] {
                changes.append(
                    TuningChange(path: "quality.\(model).\(skill)", old: before[skill].map(Self.show) ?? "(none)", new: after[skill].map(Self.show) ?? "(none)"))
            }
        }
        return changes
    }

    /// The differences from `self` to `new` as human-readable lines; `[]` when nothing changed.
    public func changes(to new: RoutingTuning) -> [String] {
        differences(to: new).map(\.line)
    }

    private static func show(_ value: Double) -> String { TuningChange.display(value) }
}
