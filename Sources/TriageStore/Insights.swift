import Foundation
import GRDB

/// The three operating metrics of a window, plus what they are computed from.
public struct OperatingMetrics: Sendable, Equatable {
    /// Runs (distinct run ids) that made at least one call: the automated tasks.
    public var tasks: Int
    /// Spend of the calls that belong to a run.
    public var taskCostUSD: Double
    /// Decisions the router made (`TraceRecord.isRouterDecision`: auto-routed, not under a
    /// fixed-tier role).
    public var autoDecisions: Int
    /// Router decisions that were re-run one tier up.
    public var escalated: Int
    /// Router decisions whose tier a person corrected through feedback: the tier they named
    /// differs from the one the router chose (before any escalation).
    public var corrected: Int
    /// Router decisions neither escalated nor corrected.
    public var accurate: Int

    public init(tasks: Int = 0, taskCostUSD: Double = 0, autoDecisions: Int = 0, escalated: Int = 0, corrected: Int = 0, accurate: Int = 0) {
        self.tasks = tasks
        self.taskCostUSD = taskCostUSD
        self.autoDecisions = autoDecisions
        self.escalated = escalated
        self.corrected = corrected
        self.accurate = accurate
    }

    /// Cost per automated task; `nil` without runs.
    public var costPerTaskUSD: Double? { tasks > 0 ? taskCostUSD / Double(tasks) : nil }
    /// Share of auto-routed decisions neither escalated nor corrected; `nil` without any.
    public var routingAccuracy: Double? { autoDecisions > 0 ? Double(accurate) / Double(autoDecisions) : nil }
    /// Share of auto-routed decisions whose tier a person corrected; `nil` without any.
    public var escalationOverrideRate: Double? { autoDecisions > 0 ? Double(corrected) / Double(autoDecisions) : nil }
}

/// Spend of one run.
public struct RunSummary: Sendable, Equatable {
    public var runID: String
    public var calls: Int
    public var escalations: Int
    public var costUSD: Double
    public var firstAt: Date
    public var lastAt: Date
}

/// Totals of a window.
public struct WindowTotals: Sendable, Equatable {
    public var calls = 0
    public var failedCalls = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var costUSD = 0.0
}

/// Spend in one time bucket for one key (a role, tier or model).
public struct SpendPoint: Sendable, Equatable {
    public var bucket: Int
    public var key: String
    public var costUSD: Double
}

/// How often auto-routed calls of one tier or skill succeeded: answered, valid, not
/// escalated, not judged bad or corrected upwards by feedback.
public struct SuccessTally: Sendable, Equatable {
    public var key: String
    public var calls: Int
    public var succeeded: Int
    public var rate: Double { calls > 0 ? Double(succeeded) / Double(calls) : 1 }

    public init(key: String, calls: Int, succeeded: Int) {
        self.key = key
        self.calls = calls
        self.succeeded = succeeded
    }
}

/// An auto-routed call with the feedback given on it (or its run), for recalibration.
public struct JudgedTrace: Sendable {
    public var trace: TraceRecord
    /// Mean feedback score, when any was given.
    public var feedbackScore: Double?
    /// The newest tier correction, when any was given.
    public var correctTier: String?
}

extension SQLiteTraceStore {
    /// Feedback folded per call of the window: lowest and mean score, newest correction.
    /// `?1`/`?2` are the window bounds.
    private static let feedbackPerCall = """
        fb AS (
            SELECT t.request_id AS rid, MIN(f.score) AS min_score, AVG(f.score) AS mean_score,
                   (SELECT f2.correct_tier FROM feedback f2
                    WHERE (f2.request_id = t.request_id OR (f2.request_id IS NULL AND f2.run_id = t.run_id)) AND f2.correct_tier IS NOT NULL
                    ORDER BY f2.id DESC LIMIT 1) AS correct_tier
            FROM traces t JOIN feedback f ON f.request_id = t.request_id OR (f.request_id IS NULL AND f.run_id IS NOT NULL AND f.run_id = t.run_id)
            WHERE t.started_at >= ?1 AND t.started_at < ?2
            GROUP BY t.request_id
        )
        """

    private static func rank(_ column: String) -> String {
        "(CASE \(column) WHEN 'small' THEN 0 WHEN 'mid' THEN 1 WHEN 'frontier' THEN 2 END)"
    }

    /// The condition under which an auto-routed call counts as a success (see `SuccessTally`).
    private static let succeeded = """
        (t.status = 'ok' AND COALESCE(t.validation, '') != 'failed' AND t.escalations = 0 AND COALESCE(fb.min_score, 1) >= 0.5
         AND (fb.correct_tier IS NULL OR \(rank("fb.correct_tier")) <= \(rank("t.tier"))))
        """

    /// `TraceRecord.isRouterDecision` in SQL, for the traces table as `t`.
    static let routerDecision = "(t.mode = 'auto' AND t.fixed_tier_role = 0)"

    /// The tier the router chose, for the traces table as `t` (rows from before `routed_tier`
    /// was recorded fall back to the served tier).
    private static let routedTier = "COALESCE(t.routed_tier, t.tier)"

    private static func window(_ from: Date, _ to: Date) -> StatementArguments {
        [from.timeIntervalSince1970, to.timeIntervalSince1970]
    }

    /// Cost per automated task, routing accuracy and escalation override rate for `[from, to)`.
    public func operatingMetrics(from: Date, to: Date) async throws -> OperatingMetrics {
        try await pool.read { db in
            let decisions = try Row.fetchOne(
                db,
                sql: """
                    WITH \(Self.feedbackPerCall)
                    SELECT COUNT(*) AS decisions,
                           COALESCE(SUM(CASE WHEN t.escalations > 0 THEN 1 ELSE 0 END), 0) AS escalated,
                           COALESCE(SUM(CASE WHEN fb.correct_tier IS NOT NULL AND fb.correct_tier != \(Self.routedTier) THEN 1 ELSE 0 END), 0) AS corrected,
                           COALESCE(SUM(CASE WHEN t.escalations = 0 AND (fb.correct_tier IS NULL OR fb.correct_tier = \(Self.routedTier)) THEN 1 ELSE 0 END), 0) AS accurate
                    FROM traces t LEFT JOIN fb ON fb.rid = t.request_id
                    WHERE \(Self.routerDecision) AND t.started_at >= ?1 AND t.started_at < ?2
                    """, arguments: Self.window(from, to))
            let tasks = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT run_id) AS tasks, COALESCE(SUM(cost_usd), 0) AS cost FROM traces
                    WHERE run_id IS NOT NULL AND started_at >= ? AND started_at < ?
                    """, arguments: Self.window(from, to))
            return OperatingMetrics(
                tasks: tasks?["tasks"] ?? 0, taskCostUSD: tasks?["cost"] ?? 0, autoDecisions: decisions?["decisions"] ?? 0,
                escalated: decisions?["escalated"] ?? 0, corrected: decisions?["corrected"] ?? 0, accurate: decisions?["accurate"] ?? 0)
        }
    }

    /// Runs of the window, most expensive first.
    public func runs(from: Date, to: Date, limit: Int = 20) async throws -> [RunSummary] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT run_id, COUNT(*) AS calls, SUM(escalations) AS escalations, SUM(cost_usd) AS cost,
                           MIN(started_at) AS first_at, MAX(started_at) AS last_at
                    FROM traces WHERE run_id IS NOT NULL AND started_at >= ? AND started_at < ?
                    GROUP BY run_id ORDER BY cost DESC, calls DESC, run_id LIMIT ?
                    """, arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970, limit]
            ).map { row in
                RunSummary(
                    runID: row["run_id"], calls: row["calls"], escalations: row["escalations"], costUSD: row["cost"],
                    firstAt: Date(timeIntervalSince1970: row["first_at"]), lastAt: Date(timeIntervalSince1970: row["last_at"]))
            }
        }
    }

    /// Calls, failures, tokens and spend of the window.
    public func totals(from: Date, to: Date) async throws -> WindowTotals {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS calls, COALESCE(SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END), 0) AS failed,
                           COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output, COALESCE(SUM(cost_usd), 0) AS cost
                    FROM traces WHERE started_at >= ? AND started_at < ?
                    """, arguments: Self.window(from, to))
            guard let row else { return WindowTotals() }
            return WindowTotals(calls: row["calls"], failedCalls: row["failed"], inputTokens: row["input"], outputTokens: row["output"], costUSD: row["cost"])
        }
    }

    /// Spend of the window in buckets of `bucketSeconds`, per role, tier or model.
    public func spendSeries(by dimension: SpendDimension, from: Date, to: Date, bucketSeconds: Int) async throws -> [SpendPoint] {
        let column = dimension.rawValue
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST((started_at - ?1) / ?3 AS INTEGER) AS bucket, COALESCE(\(column), '(none)') AS key, SUM(cost_usd) AS cost
                    FROM traces WHERE started_at >= ?1 AND started_at < ?2
                    GROUP BY bucket, key ORDER BY bucket, key
                    """, arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970, max(1, bucketSeconds)]
            ).map { SpendPoint(bucket: $0["bucket"], key: $0["key"], costUSD: $0["cost"]) }
        }
    }

    /// The newest traces, newest first.
    public func recentTraces(limit: Int = 50) async throws -> [TraceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM traces ORDER BY started_at DESC, id DESC LIMIT ?", arguments: [limit]).map(Self.record(from:))
        }
    }

    /// Spend of calls started at or after `since`.
    public func spend(since: Date) async throws -> Double {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT COALESCE(SUM(cost_usd), 0) FROM traces WHERE started_at >= ?", arguments: [since.timeIntervalSince1970]) ?? 0
        }
    }

    /// Success of auto-routed calls in `[from, to)` grouped by the tier the router chose, or by skill.
    public func successTallies(byTier: Bool, from: Date, to: Date) async throws -> [SuccessTally] {
        let key = byTier ? "COALESCE(t.routed_tier, t.tier)" : "t.skill"
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    WITH \(Self.feedbackPerCall)
                    SELECT \(key) AS key, COUNT(*) AS calls, SUM(CASE WHEN \(Self.succeeded) THEN 1 ELSE 0 END) AS succeeded
                    FROM traces t LEFT JOIN fb ON fb.rid = t.request_id
                    WHERE t.mode = 'auto' AND t.started_at >= ?1 AND t.started_at < ?2 AND \(key) IS NOT NULL
                    GROUP BY key ORDER BY key
                    """, arguments: Self.window(from, to)
            ).map { SuccessTally(key: $0["key"], calls: $0["calls"], succeeded: $0["succeeded"]) }
        }
    }

    /// The router's decisions of the window (`TraceRecord.isRouterDecision`) with their
    /// feedback, oldest first: what recalibration learns from.
    public func judgedTraces(from: Date, to: Date) async throws -> [JudgedTrace] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    WITH \(Self.feedbackPerCall)
                    SELECT t.*, fb.mean_score AS feedback_score, fb.correct_tier AS feedback_tier
                    FROM traces t LEFT JOIN fb ON fb.rid = t.request_id
                    WHERE \(Self.routerDecision) AND t.started_at >= ?1 AND t.started_at < ?2
                    ORDER BY t.started_at, t.id
                    """, arguments: Self.window(from, to)
            ).map { row in
                JudgedTrace(trace: try Self.record(from: row), feedbackScore: row["feedback_score"], correctTier: row["feedback_tier"])
            }
        }
    }
}
