import Foundation
import TriageCore
import TriageRouting
import TriageStore

/// `triage policy rollback` over the trace database: which stored version to return to, and
/// the new version that puts its tuning back in force (versions only grow, so the history
/// reads forwards and a rollback can itself be rolled back).
public struct PolicyRollback: Sendable {
    /// Why nothing can be rolled back.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case noVersions
        /// The active version has no earlier version with a different tuning.
        case noEarlierVersion(active: Int)
        case unknownVersion(Int)
        /// The requested version's tuning is the one in force already.
        case alreadyInForce(Int)

        public var description: String {
            switch self {
            case .noVersions: "no stored policy versions to roll back"
            case .noEarlierVersion(let active): "version \(active) has no earlier version with another tuning; pass --to"
            case .unknownVersion(let version): "no policy version \(version)"
            case .alreadyInForce(let version): "the tuning of version \(version) is already in force"
            }
        }
    }

    public let store: SQLiteTraceStore

    public init(store: SQLiteTraceStore) {
        self.store = store
    }

    /// The version to return to. `requested` when given; otherwise the version the active one
    /// was derived from, stepping further back (along `basedOn`, else the version before) past
    /// versions whose tuning is the active one — so rolling back twice goes back two
    /// tunings instead of writing the same one again.
    public func target(active: PolicyVersionRecord, requested: Int?) async throws -> PolicyVersionRecord {
        let activeTuning = try Self.tuning(of: active)
        if let requested {
            guard requested != active.version else { throw Refusal.alreadyInForce(requested) }
            guard let record = try await store.policyVersion(requested) else { throw Refusal.unknownVersion(requested) }
            guard try Self.tuning(of: record) != activeTuning else { throw Refusal.alreadyInForce(requested) }
            return record
        }
        var current = active
        while let earlier = Self.predecessor(of: current) {
            guard let record = try await store.policyVersion(earlier) else { throw Refusal.unknownVersion(earlier) }
            if try Self.tuning(of: record) != activeTuning { return record }
            current = record
        }
        throw Refusal.noEarlierVersion(active: active.version)
    }

    /// Writes the rollback: a new version with the target's tuning, based on the target, whose
    /// changes are the diff from the active tuning.
    @discardableResult
    public func run(to requested: Int? = nil, at date: Date = Date()) async throws -> PolicyVersionRecord {
        guard let active = try await store.latestPolicyVersion() else { throw Refusal.noVersions }
        let target = try await target(active: active, requested: requested)
        let changes = try Self.tuning(of: active).changes(to: Self.tuning(of: target))
        return try await store.savePolicyVersion(
            basedOn: target.version, summary: "rollback to v\(target.version) (from v\(active.version))", changes: changes, tuning: target.tuning,
            at: date)
    }

    /// The version `record` came from: its `basedOn`, else the one numbered before it.
    static func predecessor(of record: PolicyVersionRecord) -> Int? {
        if let basedOn = record.basedOn, basedOn < record.version { return basedOn }
        return record.version > 1 ? record.version - 1 : nil
    }

    static func tuning(of record: PolicyVersionRecord) throws -> RoutingTuning {
        try RoutingTuning(json: JSONParser.parse(record.tuning))
    }
}
