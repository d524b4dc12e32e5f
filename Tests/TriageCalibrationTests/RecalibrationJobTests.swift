import Foundation
import Testing
import TriageCalibration
import TriageConfig
import TriageCore
import TriageRouting
import TriageStore

/// The whole nightly job over a real SQLite trace database: traces and feedback in, a new
/// policy version (and a baseline) out.
@Suite("Recalibration job")
struct RecalibrationJobTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static var config: GatewayConfig {
        let catalog = ModelCatalog(
            models: [
                ModelSpec(name: "small-a", provider: "p", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4)),
                ModelSpec(name: "mid-a", provider: "p", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 4)),
                ModelSpec(name: "frontier-a", provider: "p", tier: .frontier, price: ModelPrice(inputPerMillion: 5, outputPerMillion: 20)),
            ], providers: [ProviderSpec(name: "p", baseURL: "http://127.0.0.1:1/v1")])
        var config = GatewayConfig(catalog: catalog, policy: RoutingPolicy(roles: ["formatter": RoleRule(tier: .small)], defaultTier: .mid))
        config.routing.complexity = .builtIn
        return config
    }

    static func store() throws -> SQLiteTraceStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-recal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteTraceStore(path: directory.appendingPathComponent("traces.db").path)
    }

    static func attempt(_ model: String, ok: Bool) -> AttemptRecord {
        AttemptRecord(
            model: model, provider: "p", outcome: ok ? "ok" : "invalid", status: 200, latencyMs: 50,
            usage: Usage(inputTokens: 1000, outputTokens: 200), checks: [ValidatorCheck(validator: "json", passed: ok)])
    }

    /// `count` auto-routed calls of `skill`, routed small at `score`; the first `failing` of them
    /// fail validation on small and are escalated to mid.
    static func calls(_ count: Int, skill: String, score: Double, failing: Int = 0, role: String? = nil, offset: Int = 0) -> [TraceRecord] {
        (0..<count).map { index in
            let escalated = index < failing
            return TraceRecord(
                requestID: "req-\(skill)-\(offset + index)", runID: "run-\(skill)-\(index % 5)", startedAt: now.addingTimeInterval(-3600 + Double(index)),
                endpoint: "/v1/chat/completions", role: role, requestedModel: "triage/auto", mode: "auto", tier: escalated ? "mid" : "small",
                skill: skill, model: escalated ? "mid-a" : "small-a", provider: "p", status: .ok, httpStatus: 200,
                usage: Usage(inputTokens: escalated ? 2000 : 1000, outputTokens: escalated ? 400 : 200), costUSD: 0.001, latencyMs: 100,
                attempts: escalated ? [attempt("small-a", ok: false), attempt("mid-a", ok: true)] : [attempt("small-a", ok: true)],
                escalations: escalated ? 1 : 0, validation: .passed, routedTier: "small", complexity: score,
                fixedTierRole: role.map { config.policy.roles[$0]?.skipClassification == true } ?? false)
        }
    }

    @Test("a skill the small tier always passes moves down, one it fails moves up; a baseline and the new version are stored")
    func knownHistory() async throws {
        let store = try Self.store()
        try await store.insert(
            Self.calls(40, skill: "extraction", score: 0.3) + Self.calls(40, skill: "planning", score: 0.05, failing: 30)
                // Fixed-tier roles never reach the brain: they must not count.
                + Self.calls(40, skill: "formatting", score: 0.05, failing: 40, role: "formatter"))
        let job = RecalibrationJob(config: Self.config, store: store, settings: RecalibrationSettings())

        let dryRun = try await job.run(window: 86400, now: Self.now, write: false)
        #expect(dryRun.calls == 80)
        #expect(dryRun.changed)
        #expect(dryRun.written == nil)
        #expect(try await store.latestPolicyVersionNumber() == nil)

        let outcome = try await job.run(window: 86400, now: Self.now, write: true)
        let tuning = outcome.recalibration.tuning
        #expect(tuning.skillBandTiers["extraction"] == .small)
        #expect(tuning.skillMinimumTiers["planning"] == .mid)
        #expect(tuning.skillMinimumTiers["formatting"] == nil)
        #expect(outcome.recalibration.changes.contains { $0.hasPrefix("skills.extraction.band_tier: (default) → small") })
        #expect(outcome.recalibration.changes.contains { $0.hasPrefix("skills.planning.min_tier: (none) → mid") })
        // The window replayed: extraction's middle band moves from mid to small.
        #expect(outcome.recalibration.projection.callsMoved >= 40)

        let versions = try await store.policyVersions()
        #expect(versions.map(\.version) == [2, 1])
        #expect(versions[1].summary.hasPrefix("baseline"))
        #expect(try RoutingTuning(json: JSONParser.parse(versions[1].tuning)) == Self.config.baseTuning)
        #expect(versions[0].basedOn == 1)
        #expect(try RoutingTuning(json: JSONParser.parse(versions[0].tuning)) == tuning)
        #expect(versions[0].changes == outcome.recalibration.changes)

        // The next run starts from version 2: with the same evidence no skill moves again (only
        // the quality priors keep converging on the observed rates).
        let again = try await job.run(window: 86400, now: Self.now, write: false)
        #expect(again.current?.version == 2)
        #expect(again.recalibration.changes.allSatisfy { $0.hasPrefix("quality.") })
    }

    @Test("feedback counts: a person's correction upwards turns passing calls into failures")
    func feedbackMovesASkillUp() async throws {
        let store = try Self.store()
        try await store.insert(Self.calls(30, skill: "summarization", score: 0.05))
        for index in 0..<30 {
            try await store.insertFeedback(FeedbackRecord(requestID: "req-summarization-\(index)", score: 0, correctTier: "mid"))
        }
        let job = RecalibrationJob(config: Self.config, store: store, settings: RecalibrationSettings())
        let judged = try await store.judgedTraces(from: Self.now.addingTimeInterval(-86400), to: Self.now)
        let outcomes = job.outcomes(judged)
        #expect(outcomes.count == 30)
        #expect(outcomes.allSatisfy { $0.correctTier == .mid && $0.feedbackScore == 0 && $0.attempts.map(\.tier) == [.small] })
        let result = try await job.run(window: 86400, now: Self.now, write: false)
        #expect(result.recalibration.tuning.skillMinimumTiers["summarization"] == .mid)
    }
}
