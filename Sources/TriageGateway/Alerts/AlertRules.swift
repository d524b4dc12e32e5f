import Foundation
import TriageConfig
import TriageStore

/// One alert condition as found by an evaluation: which alert, whether it fires, and why.
public struct AlertFinding: Sendable, Equatable {
    /// `cost`, or `quality:tier:<tier>` / `quality:skill:<skill>`.
    public var name: String
    public var firing: Bool
    public var message: String
    public var value: Double
    public var threshold: Double

    public init(name: String, firing: Bool, message: String, value: Double, threshold: Double) {
        self.name = name
        self.firing = firing
        self.message = message
        self.value = value
        self.threshold = threshold
    }
}

/// The cost and quality rules as pure functions of what the trace database reports.
public struct AlertRules: Sendable {
    public let settings: AlertSettings

    public init(settings: AlertSettings) {
        self.settings = settings
    }

    /// The budget's pace in USD per hour, times the tolerated factor.
    public var costThresholdPerHour: Double { settings.cost.budgetUSDPerDay / 24 * settings.cost.paceFactor }

    /// Cost: the spend rate over the window against the budget's pace.
    public func cost(spentInWindow spent: Double) -> AlertFinding {
        let hours = settings.cost.windowMinutes / 60
        let rate = spent / hours
        let threshold = costThresholdPerHour
        let firing = rate > threshold
        let message =
            firing
            ? "spend \(Self.dollars(rate))/h over the last \(Self.minutes(settings.cost.windowMinutes)) is above the budget pace \(Self.dollars(threshold))/h (\(Self.dollars(settings.cost.budgetUSDPerDay))/day)"
            : "spend \(Self.dollars(rate))/h is within the budget pace \(Self.dollars(threshold))/h"
        return AlertFinding(name: "cost", firing: firing, message: message, value: rate, threshold: threshold)
    }

    /// Quality: the success rate of every tier and skill with enough calls against the floor.
    ///
    /// A tier or skill with some calls, but fewer than `min_calls`, says nothing and its alert
    /// keeps its state. One whose traffic stopped (no calls left in the window) resolves a
    /// firing alert: `firing` names the alerts firing now, so their silence can be reported.
    public func quality(tiers: [SuccessTally], skills: [SuccessTally], firing: Set<String> = []) -> [AlertFinding] {
        let floor = settings.quality.floor
        let window = Self.minutes(settings.quality.windowMinutes)
        func silent(_ tallies: [SuccessTally], kind: String) -> [AlertFinding] {
            let prefix = "quality:\(kind):"
            let seen = Set(tallies.filter { $0.calls > 0 }.map { prefix + $0.key })
            return firing.filter { $0.hasPrefix(prefix) && !seen.contains($0) }.sorted().map { name in
                AlertFinding(
                    name: name, firing: false, message: "\(kind) \(name.dropFirst(prefix.count)): no auto-routed calls over the last \(window)",
                    value: 1, threshold: floor)
            }
        }
        func findings(_ tallies: [SuccessTally], kind: String) -> [AlertFinding] {
            tallies.filter { $0.calls >= settings.quality.minimumCalls }.map { tally in
                let firing = tally.rate < floor
                let rate = Self.percent(tally.rate)
                let message =
                    firing
                    ? "\(kind) \(tally.key): \(rate) of \(tally.calls) auto-routed calls succeeded over the last \(Self.minutes(settings.quality.windowMinutes)), below the floor \(Self.percent(floor))"
                    : "\(kind) \(tally.key): \(rate) of \(tally.calls) calls succeeded"
                return AlertFinding(name: "quality:\(kind):\(tally.key)", firing: firing, message: message, value: tally.rate, threshold: floor)
            }
        }
        return findings(tiers, kind: "tier") + findings(skills, kind: "skill") + silent(tiers, kind: "tier") + silent(skills, kind: "skill")
    }

    static func dollars(_ value: Double) -> String { String(format: "$%.4f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    static func minutes(_ value: Double) -> String { value == value.rounded() ? "\(Int(value)) min" : String(format: "%.1f min", value) }
}

/// A change of an alert's state, to be logged and sent.
public struct AlertTransition: Sendable, Equatable {
    public enum State: String, Sendable { case firing, resolved }
    public var finding: AlertFinding
    public var state: State
}

/// Which alerts fire now. Only changes are reported, so a webhook hears of an alert once when
/// it starts and once when it ends, however often it is evaluated in between.
public struct AlertBoard: Sendable {
    public private(set) var firing: [String: (since: Date, finding: AlertFinding)] = [:]

    public init() {}

    /// Takes one evaluation's findings. Alerts not evaluated this time (a skill without enough
    /// calls) keep their state.
    public mutating func update(_ findings: [AlertFinding], at now: Date) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for finding in findings {
            if finding.firing {
                if firing[finding.name] == nil { transitions.append(AlertTransition(finding: finding, state: .firing)) }
                firing[finding.name] = (firing[finding.name]?.since ?? now, finding)
            } else if firing.removeValue(forKey: finding.name) != nil {
                transitions.append(AlertTransition(finding: finding, state: .resolved))
            }
        }
        return transitions
    }

    /// The firing alerts, oldest first.
    public var active: [(name: String, since: Date, finding: AlertFinding)] {
        firing.map { ($0.key, $0.value.since, $0.value.finding) }.sorted { ($0.since, $0.name) < ($1.since, $1.name) }
    }
}
