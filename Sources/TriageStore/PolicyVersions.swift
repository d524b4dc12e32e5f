import Foundation
import GRDB

/// One stored version of the tuned routing policy. Versions only grow: a rollback stores a
/// new version with an earlier one's tuning, so the history stays readable.
public struct PolicyVersionRecord: Sendable, Equatable {
    public var version: Int
    public var createdAt: Date
    /// The version this one was derived from (or rolled back to).
    public var basedOn: Int?
    public var summary: String
    /// Human-readable diff against `basedOn`, one line per change.
    public var changes: [String]
    /// The tuning document (`triage-routing-tuning` JSON).
    public var tuning: String

    public init(version: Int, createdAt: Date, basedOn: Int?, summary: String, changes: [String], tuning: String) {
        self.version = version
        self.createdAt = createdAt
        self.basedOn = basedOn
        self.summary = summary
        self.changes = changes
        self.tuning = tuning
    }
}

extension SQLiteTraceStore {
    /// The newest version number, or `nil` when no tuned policy was ever written. Cheap: the
    /// gateway polls it to pick up new versions.
    public func latestPolicyVersionNumber() async throws -> Int? {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(version) FROM policy_versions") }
    }

    public func policyVersion(_ version: Int) async throws -> PolicyVersionRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM policy_versions WHERE version = ?", arguments: [version]).map(Self.policyVersion(from:))
        }
    }

    /// The active (newest) version.
    public func latestPolicyVersion() async throws -> PolicyVersionRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM policy_versions ORDER BY version DESC LIMIT 1").map(Self.policyVersion(from:))
        }
    }

    /// The active version, read synchronously (for start-up, before the first request).
    public func latestPolicyVersionNow() throws -> PolicyVersionRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM policy_versions ORDER BY version DESC LIMIT 1").map(Self.policyVersion(from:))
        }
    }

    /// Versions, newest first.
    public func policyVersions(limit: Int = 50) async throws -> [PolicyVersionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM policy_versions ORDER BY version DESC LIMIT ?", arguments: [limit]).map(Self.policyVersion(from:))
        }
    }

    /// Stores a new version (numbered one above the newest) and returns it.
    public func savePolicyVersion(basedOn: Int?, summary: String, changes: [String], tuning: String, at date: Date = Date()) async throws -> PolicyVersionRecord {
        try await pool.write { db in
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM policy_versions") ?? 0) + 1
            let changesText = changes.joined(separator: "\n")
            try db.execute(
                sql: "INSERT INTO policy_versions (version, created_at, based_on, summary, changes, tuning) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [next, date.timeIntervalSince1970, basedOn, summary, changesText, tuning])
            return PolicyVersionRecord(version: next, createdAt: date, basedOn: basedOn, summary: summary, changes: changes, tuning: tuning)
        }
    }

    static func policyVersion(from row: Row) -> PolicyVersionRecord {
        let changes: String = row["changes"]
        return PolicyVersionRecord(
            version: row["version"], createdAt: Date(timeIntervalSince1970: row["created_at"]), basedOn: row["based_on"], summary: row["summary"],
            changes: changes.isEmpty ? [] : changes.components(separatedBy: "\n"), tuning: row["tuning"])
    }
}
