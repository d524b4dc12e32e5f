import ArgumentParser
import Foundation
import TriageStore

/// `triage report`: spend by role, tier and model for a time window.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print spend by role, tier and model from the trace database.")

    @Option(name: .long, help: "Path of the SQLite trace database.")
    var db: String = "triage.db"

    @Option(name: .long, help: "Window to report, ending now: e.g. 30m, 24h, 7d.")
    var since: String = "24h"

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    func run() async throws {
        guard let window = SpendWindow.parse(since) else {
            throw ValidationError("--since must be a number followed by s, m, h or d (e.g. 24h), got '\(since)'")
        }
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("no trace database at '\(db)' (run where the gateway runs, or pass --db)")
        }
        let store = try SQLiteTraceStore(path: db)
        let to = Date()
        let from = to.addingTimeInterval(-window)
        let report = try await SpendReport.load(from: store, from: from, to: to)
        print(json ? report.json() : report.table())
    }
}
