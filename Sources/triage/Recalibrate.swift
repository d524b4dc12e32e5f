import ArgumentParser
import Foundation
import TriageCalibration
import TriageConfig
import TriageCore
import TriageRouting
import TriageStore

/// `triage recalibrate`: the nightly job. Reads a window of auto-routed calls, their
/// escalations and feedback, estimates each skill's and model's success rate, and writes a
/// new policy version that moves thresholds, per-skill tiers and quality priors to the
/// cheapest option that keeps the quality floor. Running gateways pick it up by themselves.
struct Recalibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retune routing thresholds and quality priors from traces, escalations and feedback; write a new policy version.")

    @Option(name: .long, help: "Path of the SQLite trace database.")
    var db: String = "triage.db"

    @Option(name: .long, help: "The gateway's configuration (models, prices, tiers, routing).")
    var config: String = "triage.yaml"

    @Option(name: .long, help: "Window of calls to learn from, ending now: e.g. 24h, 7d (default: calibration.window_h, else 24h).")
    var since: String?

    @Option(name: .long, help: "Lowest acceptable success rate of a tier for a skill (default: calibration.floor, else 0.9).")
    var floor: Double?

    @Option(name: .long, help: "Fewest observations before a rate is acted on (default: calibration.min_samples, else 20).")
    var minSamples: Int?

    @Option(name: .long, help: "How far one run moves a complexity threshold (default: calibration.step, else 0.05).")
    var step: Double?

    @Flag(name: .long, help: "Print the proposal without writing a version.")
    var dryRun = false

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if let floor, !(0...1).contains(floor) { throw ValidationError("--floor must be between 0 and 1") }
        if let minSamples, minSamples < 1 { throw ValidationError("--min-samples must be at least 1") }
        if let step, !(step > 0 && step <= 0.5) { throw ValidationError("--step must be in (0, 0.5]") }
        if let since, SpendWindow.parse(since) == nil { throw ValidationError("--since must be a number followed by s, m, h or d (e.g. 24h)") }
    }

    func run() async throws {
        let gateway = try ConfigLoader.load(path: config)
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("no trace database at '\(db)' (run where the gateway runs, or pass --db)")
        }
        let store = try SQLiteTraceStore(path: db)
        // The configuration's `calibration:` section, overridden by the flags given.
        let settings = RecalibrationSettings(gateway.calibration, floor: floor, minimumSamples: minSamples, thresholdStep: step)
        let window = since.flatMap(SpendWindow.parse) ?? gateway.calibration.windowHours * 3600
        let windowLabel = since ?? Self.hours(gateway.calibration.windowHours)
        let job = RecalibrationJob(config: gateway, store: store, settings: settings)
        let outcome = try await job.run(window: window, write: !dryRun)
        let (result, active, written, changed) = (outcome.recalibration, outcome.current, outcome.written, outcome.changed)
        if json {
            var document = JSONObject()
            document["calls"] = JSONValue(outcome.calls)
            document["current_version"] = active.map { JSONValue($0.version) } ?? .null
            document["written_version"] = written.map { JSONValue($0.version) } ?? .null
            document["dry_run"] = .bool(dryRun)
            document["recalibration"] = result.json
            print(JSONWriter.string(.object(document)))
            return
        }
        print(
            "Recalibration over the last \(windowLabel): \(outcome.calls) router decisions; quality floor \(settings.qualityFloor), at least \(settings.minimumSamples) observations")
        print("Current policy: " + (active.map { "version \($0.version)" } ?? "the configuration (no stored version)"))
        if result.changes.isEmpty {
            print("\nNo change: nothing has enough evidence to move.")
        } else {
            print("\nChanges:")
            for change in result.changes { print("  " + change) }
        }
        print("\n" + Self.projectionText(result.projection))
        if let written {
            print("\nWrote policy version \(written.version). Running gateways switch to it within their reload interval; `triage policy rollback` undoes it.")
        } else if changed {
            print("\nDry run: nothing written.")
        }
    }

    static func hours(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))h" : "\(value)h"
    }

    static func projectionText(_ projection: Projection) -> String {
        var lines = ["Projection (the window replayed under the new policy):"]
        lines.append("  calls moved to another tier: \(projection.callsMoved) of \(projection.calls)")
        let cost = projection.costChange.map { String(format: " (%+.1f%%)", $0 * 100) } ?? ""
        lines.append(String(format: "  cost: $%.6f → $%.6f", projection.costBeforeUSD, projection.costAfterUSD) + cost)
        lines.append(String(format: "  expected success: %.3f → %.3f", projection.expectedSuccessBefore, projection.expectedSuccessAfter))
        return lines.joined(separator: "\n")
    }
}
