import Foundation
import Logging
import ServiceLifecycle
import Testing
import TriageCore
import TriageStore

func temporaryDatabasePath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("traces.db").path
}

func sampleTrace(_ id: String, role: String? = "worker", tier: String = "mid", model: String = "m", cost: Double = 0.01, latency: Double = 10, status: TraceStatus = .ok, at date: Date = Date()) -> TraceRecord {
    TraceRecord(
        requestID: id, runID: "run-1", startedAt: date, endpoint: "/v1/chat/completions", role: role, requestedModel: "triage/auto",
        mode: "auto", tier: tier, lane: "realtime", model: model, provider: "p", status: status, httpStatus: 200,
        usage: Usage(inputTokens: 100, outputTokens: 20, cachedInputTokens: 10), costUSD: cost, latencyMs: latency,
        timeToFirstTokenMs: 3, reasons: ["role 'worker' → mid"],
        attempts: [AttemptRecord(model: model, provider: "p", outcome: "ok", status: 200, latencyMs: latency)])
}

@Suite struct TraceStoreTests {
    @Test func roundTripsEveryField() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        let trace = sampleTrace("r1")
        try await store.insert([trace])
        let loaded = try #require(try await store.trace(requestID: "r1"))
        #expect(loaded.attempts == trace.attempts)
        #expect(loaded.reasons == trace.reasons)
        #expect(loaded.usage == trace.usage)
        #expect(abs(loaded.startedAt.timeIntervalSince(trace.startedAt)) < 0.001)
        #expect(try await store.traces(runID: "run-1").count == 1)
    }

    @Test func spendGroupsAndComputesMedian() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        try await store.insert([
            sampleTrace("a", role: "worker", tier: "mid", cost: 0.02, latency: 10),
            sampleTrace("b", role: "worker", tier: "mid", cost: 0.03, latency: 30),
            sampleTrace("c", role: "worker", tier: "mid", cost: 0.01, latency: 20, status: .failed),
            sampleTrace("d", role: "planner", tier: "frontier", cost: 0.50, latency: 100),
            sampleTrace("e", role: nil, tier: "mid", cost: 0.001, latency: 5),
            sampleTrace("old", role: "worker", cost: 9, at: Date().addingTimeInterval(-7200)),
        ])
        let rows = try await store.spend(by: .role, from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(1))
        #expect(rows.map(\.key) == ["planner", "worker", "(none)"])
        let worker = try #require(rows.first { $0.key == "worker" })
        #expect(worker.calls == 3)
        #expect(worker.failedCalls == 1)
        #expect(abs(worker.costUSD - 0.06) < 1e-9)
        #expect(worker.p50LatencyMs == 20)
        #expect(worker.inputTokens == 300)
        let tiers = try await store.spend(by: .tier, from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(1))
        #expect(tiers.first { $0.key == "mid" }?.calls == 4)
    }
}

@Suite struct TraceWriterTests {
    @Test func gracefulShutdownDrainsEveryTrace() async throws {
        let path = temporaryDatabasePath()
        let store = try SQLiteTraceStore(path: path)
        // A long flush interval: only the drain on shutdown can write these.
        let writer = TraceWriter(store: store, batchSize: 7, capacity: 1000, flushInterval: .seconds(3600), logger: Logger(label: "test"))
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        let run = Task { try await group.run() }
        for i in 0..<100 { await writer.record(sampleTrace("t\(i)")) }
        #expect(try await store.count() == 0)
        await group.triggerGracefulShutdown()
        try await run.value
        #expect(try await store.count() == 100)
        // Recorded after the writer stopped: written directly, not lost.
        await writer.record(sampleTrace("late"))
        #expect(try await store.count() == 101)
    }

    @Test func fullBufferAppliesBackpressureWithoutLoss() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        let writer = TraceWriter(store: store, batchSize: 4, capacity: 8, flushInterval: .milliseconds(5), logger: Logger(label: "test"))
        let run = Task { try await writer.run() }
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<200 { group.addTask { await writer.record(sampleTrace("b\(i)")) } }
        }
        // Cancellation (a non-graceful stop) still drains what is buffered.
        run.cancel()
        try await run.value
        #expect(try await store.count() == 200)
        #expect(writer.backpressureEvents > 0)
    }
}

@Suite struct SpendReportTests {
    @Test func rendersTablesAndJSON() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        let now = Date()  // the window is fixed before the inserts: a busy machine may take long between them
        try await store.insert([sampleTrace("a", role: "worker", cost: 0.25, at: now), sampleTrace("b", role: "planner", tier: "frontier", model: "big", cost: 1.5, at: now)])
        let report = try await SpendReport.load(from: store, from: now.addingTimeInterval(-60), to: now.addingTimeInterval(1))
        let table = report.table()
        #expect(table.contains("By role"))
        #expect(table.contains("By tier"))
        #expect(table.contains("By model"))
        #expect(table.contains("planner"))
        #expect(table.contains("1.750000"))  // total
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        let byRole = try #require(json?["by_role"] as? [[String: Any]])
        #expect(byRole.first?["role"] as? String == "planner")
        #expect(byRole.first?["calls"] as? Int == 1)
    }
}
