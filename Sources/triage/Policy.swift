import ArgumentParser
import Foundation
import TriageCalibration
import TriageStore

/// `triage policy`: the stored, versioned routing policies — list, show, roll back.
struct Policy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and roll back the tuned routing policy versions.", subcommands: [List.self, Show.self, Rollback.self])

    struct Database: ParsableArguments {
        @Option(name: .long, help: "Path of the SQLite trace database.")
        var db: String = "triage.db"

        func open() throws -> SQLiteTraceStore {
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("no trace database at '\(db)' (run where the gateway runs, or pass --db)")
            }
            return try SQLiteTraceStore(path: db)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List policy versions, newest (active) first.")
        @OptionGroup var database: Database

        func run() async throws {
            let versions = try await database.open().policyVersions()
            guard !versions.isEmpty else {
                print("No stored policy versions: gateways route by the configuration as loaded.")
                return
            }
            for (index, version) in versions.enumerated() {
                let marker = index == 0 ? "*" : " "
                let basis = version.basedOn.map { " (from \($0))" } ?? ""
                print("\(marker) v\(version.version)  \(version.createdAt.formatted(.iso8601))\(basis)  \(version.summary)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one version: its diff and its tuning document.")
        @OptionGroup var database: Database
        @Argument(help: "The version (default: the active one).")
        var version: Int?

        func run() async throws {
            let store = try database.open()
            let record: PolicyVersionRecord?
            if let version { record = try await store.policyVersion(version) } else { record = try await store.latestPolicyVersion() }
            guard let record else { throw ValidationError(version.map { "no policy version \($0)" } ?? "no stored policy versions") }
            print("v\(record.version)  \(record.createdAt.formatted(.iso8601))  \(record.summary)")
            if !record.changes.isEmpty {
                print("\nChanges from v\(record.basedOn.map(String.init) ?? "-"):")
                for change in record.changes { print("  " + change) }
            }
            print("\nTuning:\n" + record.tuning)
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an earlier version back in force (as a new version); running gateways follow within their reload interval.")
        @OptionGroup var database: Database
        @Option(name: .long, help: "The version to return to (default: the one the active version was derived from, skipping versions with the active tuning).")
        var to: Int?

        func run() async throws {
            let written: PolicyVersionRecord
            do {
                written = try await PolicyRollback(store: database.open()).run(to: to)
            } catch let refusal as PolicyRollback.Refusal {
                throw ValidationError(refusal.description)
            }
            let target = written.basedOn.map(String.init) ?? "?"
            print("Wrote policy version \(written.version) = v\(target). Running gateways switch to it within their reload interval.")
            for change in written.changes { print("  " + change) }
        }
    }
}
