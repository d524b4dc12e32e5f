import Foundation
import Testing
import TriageCalibration
import TriageCore
import TriageRouting
import TriageStore

/// `triage policy rollback`: the target it picks and the version it writes.
@Suite("Policy rollback")
struct PolicyRollbackTests {
    static let a = RoutingTuning()
    static let b = RoutingTuning(thresholds: ComplexityThresholds(small: 0.15, frontier: 0.5))
    static let c = RoutingTuning(thresholds: ComplexityThresholds(small: 0.15, frontier: 0.5), skillMinimumTiers: ["planning": .mid])

    /// v1 baseline (a), v2 recalibrated from v1 (b), v3 recalibrated from v2 (c).
    static func store() async throws -> SQLiteTraceStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-rollback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteTraceStore(path: directory.appendingPathComponent("traces.db").path)
        var basedOn: Int?
        for (summary, tuning) in [("baseline", a), ("recalibrated", b), ("recalibrated", c)] {
            basedOn = try await store.savePolicyVersion(
                basedOn: basedOn, summary: summary, changes: [], tuning: JSONWriter.string(tuning.json)).version
        }
        return store
    }

    static func tuning(_ record: PolicyVersionRecord) throws -> RoutingTuning {
        try RoutingTuning(json: JSONParser.parse(record.tuning))
    }

    @Test("by default it returns to the version the active one came from, and writes it as a new version with the diff")
    func defaultTarget() async throws {
        let store = try await Self.store()
        let written = try await PolicyRollback(store: store).run()
        #expect(written.version == 4)
        #expect(written.basedOn == 2)
        #expect(written.summary == "rollback to v2 (from v3)")
        #expect(try Self.tuning(written) == Self.b)
        #expect(written.changes == Self.c.changes(to: Self.b))
        #expect(written.changes.contains { $0.hasPrefix("skills.planning.min_tier: mid → (none)") })
        #expect(try await store.latestPolicyVersion()?.version == written.version)
    }

    @Test("rolling back twice goes back two tunings instead of writing the same one again")
    func rollbackOfRollback() async throws {
        let store = try await Self.store()
        let rollback = PolicyRollback(store: store)
        try await rollback.run()
        // v4 = v2's tuning, based on v2: the default target skips v2 (the active tuning) for v1.
        let active = try #require(try await store.latestPolicyVersion())
        #expect(try await rollback.target(active: active, requested: nil).version == 1)
        let second = try await rollback.run()
        #expect(second.version == 5 && second.basedOn == 1)
        #expect(try Self.tuning(second) == Self.a)
        // Nothing before v1 differs from a: there is nothing left to roll back to.
        await #expect(throws: PolicyRollback.Refusal.noEarlierVersion(active: 5)) { try await rollback.run() }
    }

    @Test("an explicit target is taken as asked, and refused when it is unknown or already in force")
    func explicitTarget() async throws {
        let store = try await Self.store()
        let rollback = PolicyRollback(store: store)
        await #expect(throws: PolicyRollback.Refusal.alreadyInForce(3)) { try await rollback.run(to: 3) }
        await #expect(throws: PolicyRollback.Refusal.unknownVersion(9)) { try await rollback.run(to: 9) }
        let written = try await rollback.run(to: 1)
        #expect(written.version == 4 && written.basedOn == 1)
        #expect(try Self.tuning(written) == Self.a)
        // v1's tuning is in force now (as v4): asking for it again writes nothing.
        await #expect(throws: PolicyRollback.Refusal.alreadyInForce(1)) { try await rollback.run(to: 1) }
        #expect(try await store.latestPolicyVersionNumber() == 4)
    }

    @Test("without stored versions there is nothing to roll back")
    func noVersions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-rollback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteTraceStore(path: directory.appendingPathComponent("traces.db").path)
        await #expect(throws: PolicyRollback.Refusal.noVersions) { try await PolicyRollback(store: store).run() }
    }
}
