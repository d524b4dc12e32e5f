import Foundation
import Synchronization
import Testing
import TriageConfig
import TriageCore
import TriageRouting
import TriageStore

@Suite("Policy hot reload")
struct PolicyReloadTests {
    struct Call: Sendable {
        var at: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        var status: Int
        var tier: String?
        var id: String?
    }

    /// When the first call started after `published` came back on the frontier tier.
    static func firstSeen(_ calls: [Call], after published: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        calls.filter { $0.at > published && $0.tier == "frontier" }.map(\.end).min()
    }

    /// Everything routes to frontier under this tuning (both cuts at 0).
    static let allFrontier = RoutingTuning(thresholds: ComplexityThresholds(small: 0, frontier: 0))

    @Test("a new policy version takes effect under load without a restart or a failed request; a rollback returns")
    func reloadUnderLoad() async throws {
        // A loaded machine must not make calls fail over to frontier: that is what the test looks for.
        let gateway = try await GatewayHarness.start(firstByteTimeoutSeconds: 30) { config in
            config.routing.complexity = .builtIn
            config.policyReload.reloadSeconds = 0.05
        }
        let store = try gateway.store()
        let results = Locked<[Call]>([])
        let stopAt = ContinuousClock.now + .milliseconds(2000)
        let giveUpAt = ContinuousClock.now + .seconds(20)
        let published = Locked<ContinuousClock.Instant?>(nil)
        let saving = Locked<ContinuousClock.Instant?>(nil)
        // Load for two seconds, and on a slow machine until enough requests started after the new
        // version was seen in force (bounded, so a broken reload fails instead of hanging).
        @Sendable func done() -> Bool {
            let now = ContinuousClock.now
            guard now < giveUpAt else { return true }
            guard now >= stopAt, let at = published.value, let seen = Self.firstSeen(results.value, after: at) else { return false }
            return results.value.filter { $0.at > seen }.count >= 10
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    while !done() {
                        let began = ContinuousClock.now
                        let response = try await gateway.post(body: chatBody(content: "Say hello."))
                        let call = Call(at: began, end: .now, status: response.status, tier: response.header("X-Triage-Tier"), id: response.header("X-Triage-Request-Id"))
                        results.update { $0.append(call) }
                    }
                }
            }
            group.addTask {
                // Publish once calls have come back under the old policy: on a loaded machine a
                // fixed delay can pass before the first call is even routed.
                try await Task.sleep(for: .milliseconds(400))
                while results.value.count < 6, ContinuousClock.now < giveUpAt { try await Task.sleep(for: .milliseconds(50)) }
                saving.update { $0 = .now }
                _ = try await store.savePolicyVersion(
                    basedOn: nil, summary: "test: everything to frontier", changes: [], tuning: JSONWriter.string(Self.allFrontier.json))
                published.update { $0 = .now }
            }
            try await group.waitForAll()
        }

        let all = results.value
        let publishedAt = try #require(published.value)
        let savingAt = try #require(saving.value)
        #expect(all.count > 20)
        #expect(all.allSatisfy { $0.status == 200 })
        // Calls answered before the new version was written were routed by the old one.
        let before = all.filter { $0.end < savingAt }
        // Once one call has come back routed by the new version, every call started after it must
        // be too: the swap is atomic and never undone (however slowly a loaded machine polls).
        let seen = try #require(Self.firstSeen(all, after: publishedAt), "the new version never took effect")
        let settled = all.filter { $0.at > seen }
        #expect(!before.isEmpty && !settled.isEmpty)
        #expect(before.contains { $0.tier != "frontier" })
        #expect(settled.allSatisfy { $0.tier == "frontier" })
        let lastID = try #require(settled.last?.id)
        let lastTrace = try await gateway.trace(lastID)
        #expect(lastTrace.policyVersion == 1)
        #expect(lastTrace.reasons.contains { $0.contains("≥ 0.0 → frontier") })

        // Rolling back is one more version carrying the earlier tuning.
        _ = try await store.savePolicyVersion(basedOn: nil, summary: "rollback", changes: [], tuning: JSONWriter.string(RoutingTuning().json))
        // The gateway polls for versions: on a loaded machine the next poll may take a while, so
        // wait (bounded) for the first call routed by the rollback.
        // Each call is a new conversation: no stickiness to frontier.
        var after = try await gateway.post(body: chatBody(content: "Say goodbye."))
        let rollbackDeadline = ContinuousClock.now + .seconds(15)
        var attempt = 0
        while after.header("X-Triage-Tier") == "frontier", ContinuousClock.now < rollbackDeadline {
            try await Task.sleep(for: .milliseconds(100))
            attempt += 1
            after = try await gateway.post(body: chatBody(content: "Say goodbye, take \(attempt)."))
        }
        #expect(after.header("X-Triage-Tier") != "frontier")
        #expect(try await gateway.trace(try #require(after.header("X-Triage-Request-Id"))).policyVersion == 2)
        try await gateway.stop()
    }

    @Test("a gateway starts with the newest stored version in force")
    func startsWithStoredVersion() async throws {
        let path = temporaryDatabasePath()
        let seed = try SQLiteTraceStore(path: path)
        _ = try await seed.savePolicyVersion(basedOn: nil, summary: "seed", changes: [], tuning: JSONWriter.string(Self.allFrontier.json))
        // A loaded machine must not make calls fail over to frontier: that is what the test looks for.
        let gateway = try await GatewayHarness.start(firstByteTimeoutSeconds: 30) { config in
            config.routing.complexity = .builtIn
            config.storage.sqlitePath = path
            config.policyReload.reloadSeconds = 0
        }
        let response = try await gateway.post(body: chatBody(content: "Say hello."))
        #expect(response.header("X-Triage-Tier") == "frontier")
        let metrics = try await gateway.get("/metrics")
        #expect(sample(metrics.body, "triage_policy_version") == 1)
        try await gateway.stop()
    }
}

/// A value shared between concurrent test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}
