import Foundation
import Testing
import TriageCore
import TriageStore

/// The three operating metrics on a hand-computed window, and `triage report`'s section on them.
///
/// | call | counted | routed → served | escalated | feedback tier | verdict |
/// |---|---|---|---|---|---|
/// | a | router | small → small | – | – | accurate |
/// | b | router | small → mid | yes | mid | corrected (the router chose small) |
/// | c | router | mid → mid | – | mid | accurate |
/// | d | no: fixed-tier role | mid → mid | – | frontier | – |
/// | e | no: forced tier | frontier → frontier | – | – | – |
/// | f | router | mid → mid | – | small | corrected |
/// | g | router | small → small | – | – | accurate |
///
/// Router decisions 5; escalated 1; corrected 2; accurate 3. Runs r1 (a, b) and r2 (c, d):
/// $0.10 + $0.30 + $0.20 + $0.05 = $0.65 over 2 tasks.
@Suite struct OperatingMetricsTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func call(
        _ id: String, run: String?, mode: String = "auto", routed: String, served: String, escalations: Int = 0, cost: Double, role: String? = nil,
        fixedTierRole: Bool = false
    ) -> TraceRecord {
        TraceRecord(
            requestID: id, runID: run, startedAt: now.addingTimeInterval(-600), endpoint: "/v1/chat/completions", role: role,
            requestedModel: "triage/auto", mode: mode, tier: served, model: "m-\(served)", provider: "p", status: .ok, httpStatus: 200,
            costUSD: cost, latencyMs: 10, escalations: escalations, routedTier: routed, fixedTierRole: fixedTierRole)
    }

    static func store() async throws -> SQLiteTraceStore {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        try await store.insert([
            call("a", run: "r1", routed: "small", served: "small", cost: 0.10),
            call("b", run: "r1", routed: "small", served: "mid", escalations: 1, cost: 0.30),
            call("c", run: "r2", routed: "mid", served: "mid", cost: 0.20),
            call("d", run: "r2", routed: "mid", served: "mid", cost: 0.05, role: "formatter", fixedTierRole: true),
            call("e", run: nil, mode: "forced_tier", routed: "frontier", served: "frontier", cost: 1.0),
            call("f", run: nil, routed: "mid", served: "mid", cost: 0.15),
            call("g", run: nil, routed: "small", served: "small", cost: 0.02),
        ])
        try await store.insertFeedback(FeedbackRecord(requestID: "b", score: 0, correctTier: "mid"))
        try await store.insertFeedback(FeedbackRecord(requestID: "c", score: 1, correctTier: "mid"))
        try await store.insertFeedback(FeedbackRecord(requestID: "d", score: 0, correctTier: "frontier"))
        try await store.insertFeedback(FeedbackRecord(requestID: "f", score: 0.2, correctTier: "small"))
        return store
    }

    @Test("router decisions exclude fixed-tier roles; a correction is measured against the tier the router chose")
    func handComputedWindow() async throws {
        let store = try await Self.store()
        let metrics = try await store.operatingMetrics(from: Self.now.addingTimeInterval(-3600), to: Self.now)
        var expected = OperatingMetrics(tasks: 2, taskCostUSD: metrics.taskCostUSD, autoDecisions: 5, escalated: 1, corrected: 2, accurate: 3)
        #expect(metrics == expected)
        expected.taskCostUSD = 0.65
        #expect(abs(metrics.taskCostUSD - expected.taskCostUSD) < 1e-12)
        #expect(abs((metrics.costPerTaskUSD ?? 0) - 0.325) < 1e-12)
        #expect(metrics.routingAccuracy == 0.6)
        #expect(metrics.escalationOverrideRate == 0.4)
        // Recalibration reads the same calls.
        let judged = try await store.judgedTraces(from: Self.now.addingTimeInterval(-3600), to: Self.now)
        #expect(judged.map(\.trace.requestID) == ["a", "b", "c", "f", "g"])
        #expect(judged.allSatisfy { $0.trace.isRouterDecision })
    }

    @Test("the trace keeps whether a fixed-tier role decided and the model the provider reported")
    func roundTrip() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        var trace = Self.call("x", run: nil, routed: "mid", served: "mid", cost: 0.1, role: "formatter", fixedTierRole: true)
        trace.attempts = [AttemptRecord(model: "m-mid", provider: "p", outcome: "ok", latencyMs: 5, usage: Usage(inputTokens: 1), responseModel: "m-mid-2025")]
        try await store.insert([trace])
        let loaded = try #require(try await store.trace(requestID: "x"))
        #expect(loaded.attempts == trace.attempts && loaded.routedTier == "mid")
        #expect(loaded.fixedTierRole && !loaded.isRouterDecision)
        #expect(loaded.attempts.first?.responseModel == "m-mid-2025")
    }

    @Test("`triage report` prints the operating metrics with their counts, as a table and as JSON")
    func reportSection() async throws {
        let store = try await Self.store()
        let report = try await SpendReport.load(from: store, from: Self.now.addingTimeInterval(-3600), to: Self.now)
        let rows = try Self.operatingRows(report.table())
        #expect(rows[0] == ["cost per automated task", "$0.325000", "2 runs"])
        #expect(rows[1] == ["routing accuracy", "60.0%", "3 of 5 router decisions neither escalated nor corrected"])
        #expect(rows[2] == ["escalation override rate", "40.0%", "2 corrected by feedback to another tier than the router chose; 1 escalated"])

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let operating = try #require(json["operating"] as? [String: Any])
        #expect(operating["tasks"] as? Int == 2)
        #expect(operating["auto_decisions"] as? Int == 5)
        #expect(operating["escalated"] as? Int == 1)
        #expect(operating["corrected"] as? Int == 2)
        #expect(abs((operating["cost_per_task_usd"] as? Double ?? 0) - 0.325) < 1e-12)
        #expect(abs((operating["routing_accuracy"] as? Double ?? 0) - 0.6) < 1e-12)
        #expect(abs((operating["escalation_override_rate"] as? Double ?? 0) - 0.4) < 1e-12)
    }

    @Test("a window without router decisions or runs reports dashes, not zeros")
    func emptyWindow() async throws {
        let store = try await Self.store()
        let report = try await SpendReport.load(from: store, from: Self.now.addingTimeInterval(-86400), to: Self.now.addingTimeInterval(-7200))
        let rows = try Self.operatingRows(report.table())
        #expect(rows[0] == ["cost per automated task", "—", "0 runs"])
        #expect(rows[1] == ["routing accuracy", "—", "0 of 0 router decisions neither escalated nor corrected"])
        #expect(rows[2].prefix(2) == ["escalation override rate", "—"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let operating = try #require(json["operating"] as? [String: Any])
        #expect(operating["routing_accuracy"] is NSNull)
        #expect(operating["cost_per_task_usd"] is NSNull)
    }

    /// The cells of the three rows under "Operating metrics" (columns are two or more spaces apart).
    static func operatingRows(_ table: String) throws -> [[String]] {
        let lines = table.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "Operating metrics"))
        return lines[(header + 1)...(header + 3)].map { line in
            line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}
