import Foundation
import GRDB
import TriageCore

/// Traces in an embedded SQLite database (WAL mode), for a single gateway node.
public final class SQLiteTraceStore: TraceStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-traces") { db in
            try db.execute(
                sql: """
                    CREATE TABLE traces (
                        id INTEGER PRIMARY KEY,
                        request_id TEXT NOT NULL UNIQUE,
                        run_id TEXT,
                        started_at REAL NOT NULL,
                        endpoint TEXT NOT NULL,
                        role TEXT,
                        key_name TEXT,
                        requested_model TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        tier TEXT,
                        lane TEXT,
                        skill TEXT,
                        model TEXT,
                        provider TEXT,
                        stream INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        http_status INTEGER NOT NULL,
                        input_tokens INTEGER NOT NULL,
                        output_tokens INTEGER NOT NULL,
                        cached_input_tokens INTEGER NOT NULL,
                        cost_usd REAL NOT NULL,
                        latency_ms REAL NOT NULL,
                        ttft_ms REAL,
                        reasons TEXT NOT NULL,
                        attempts TEXT NOT NULL,
                        error TEXT
                    );
                    CREATE INDEX traces_started_at ON traces(started_at);
                    CREATE INDEX traces_run_id ON traces(run_id);
                    """)
        }
        migrator.registerMigration("v2-escalations") { db in
            try db.execute(
                sql: """
                    ALTER TABLE traces ADD COLUMN escalations INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE traces ADD COLUMN validation TEXT;
                    """)
        }
        migrator.registerMigration("v3-feedback-policies") { db in
            try db.execute(
                sql: """
                    ALTER TABLE traces ADD COLUMN routed_tier TEXT;
                    ALTER TABLE traces ADD COLUMN complexity REAL;
                    ALTER TABLE traces ADD COLUMN risks TEXT;
                    ALTER TABLE traces ADD COLUMN policy_version INTEGER;
                    CREATE TABLE feedback (
                        id INTEGER PRIMARY KEY,
                        request_id TEXT,
                        run_id TEXT,
                        score REAL NOT NULL,
                        correct_tier TEXT,
                        comment TEXT,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX feedback_request_id ON feedback(request_id);
                    CREATE INDEX feedback_run_id ON feedback(run_id);
                    CREATE TABLE policy_versions (
                        version INTEGER PRIMARY KEY,
                        created_at REAL NOT NULL,
                        based_on INTEGER,
                        summary TEXT NOT NULL,
                        changes TEXT NOT NULL,
                        tuning TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4-cache-write-reasoning") { db in
            try db.execute(
                sql: """
                    ALTER TABLE traces ADD COLUMN cache_write_input_tokens INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE traces ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v5-fixed-tier-role") { db in
            // Older rows do not say: they keep counting as router decisions, as they did.
            try db.execute(sql: "ALTER TABLE traces ADD COLUMN fixed_tier_role INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }

    private static let insertSQL = """
        INSERT OR REPLACE INTO traces (request_id, run_id, started_at, endpoint, role, key_name, requested_model, mode, tier, lane,
            skill, model, provider, stream, status, http_status, input_tokens, output_tokens, cached_input_tokens, cost_usd,
            latency_ms, ttft_ms, reasons, attempts, error, escalations, validation, routed_tier, complexity, risks, policy_version,
            cache_write_input_tokens, reasoning_tokens, fixed_tier_role)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    public func insert(_ traces: [TraceRecord]) async throws {
        guard !traces.isEmpty else { return }
        let rows = traces.map(Self.row(for:))
        try await pool.write { db in try SQLiteRowInsert.run(Self.insertSQL, rows: rows, in: db) }
    }

    /// The values of `insertSQL` for one trace, in column order.
    static func row(for trace: TraceRecord) -> [SQLiteValue] {
        let reasons = JSONWriter.string(.array(trace.reasons.map(JSONValue.string)))
        let attempts = JSONWriter.string(.array(trace.attempts.map(\.json)))
        return [
            .text(trace.requestID), SQLiteValue(trace.runID), .real(trace.startedAt.timeIntervalSince1970), .text(trace.endpoint),
            SQLiteValue(trace.role), SQLiteValue(trace.keyName), .text(trace.requestedModel), .text(trace.mode), SQLiteValue(trace.tier),
            SQLiteValue(trace.lane), SQLiteValue(trace.skill), SQLiteValue(trace.model), SQLiteValue(trace.provider), SQLiteValue(trace.stream),
            .text(trace.status.rawValue), SQLiteValue(trace.httpStatus), SQLiteValue(trace.usage.inputTokens),
            SQLiteValue(trace.usage.outputTokens), SQLiteValue(trace.usage.cachedInputTokens), .real(trace.costUSD),
            .real(trace.latencyMs), SQLiteValue(trace.timeToFirstTokenMs), .text(reasons), .text(attempts),
            SQLiteValue(trace.error), SQLiteValue(trace.escalations), SQLiteValue(trace.validation?.rawValue), SQLiteValue(trace.routedTier),
            SQLiteValue(trace.complexity), trace.risks.isEmpty ? .null : .text(trace.risks.joined(separator: ",")), SQLiteValue(trace.policyVersion),
            SQLiteValue(trace.usage.cacheWriteInputTokens), SQLiteValue(trace.usage.reasoningTokens), SQLiteValue(trace.fixedTierRole),
        ]
    }

    public func trace(requestID: String) async throws -> TraceRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM traces WHERE request_id = ?", arguments: [requestID]).map(Self.record(from:))
        }
    }

    /// Traces of one run, oldest first.
    public func traces(runID: String) async throws -> [TraceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM traces WHERE run_id = ? ORDER BY started_at", arguments: [runID]).map(Self.record(from:))
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM traces") ?? 0 }
    }

    static func record(from row: Row) throws -> TraceRecord {
        let reasonsText: String = row["reasons"]
        let attemptsText: String = row["attempts"]
        return TraceRecord(
            requestID: row["request_id"], runID: row["run_id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endpoint: row["endpoint"], role: row["role"], keyName: row["key_name"], requestedModel: row["requested_model"],
            mode: row["mode"], tier: row["tier"], lane: row["lane"], skill: row["skill"], model: row["model"], provider: row["provider"],
            stream: row["stream"], status: TraceStatus(rawValue: row["status"]) ?? .failed, httpStatus: row["http_status"],
            usage: Usage(
                inputTokens: row["input_tokens"], outputTokens: row["output_tokens"], cachedInputTokens: row["cached_input_tokens"],
                cacheWriteInputTokens: row["cache_write_input_tokens"], reasoningTokens: row["reasoning_tokens"]),
            costUSD: row["cost_usd"], latencyMs: row["latency_ms"], timeToFirstTokenMs: row["ttft_ms"],
            reasons: (try JSONParser.parse(reasonsText)).arrayValue?.compactMap(\.stringValue) ?? [],
            attempts: (try JSONParser.parse(attemptsText)).arrayValue?.compactMap(AttemptRecord.init(json:)) ?? [],
            error: row["error"], escalations: row["escalations"], validation: (row["validation"] as String?).flatMap(ValidationStatus.init(rawValue:)),
            routedTier: row["routed_tier"], complexity: row["complexity"],
            risks: (row["risks"] as String?).map { $0.split(separator: ",").map(String.init) } ?? [], policyVersion: row["policy_version"],
            fixedTierRole: row["fixed_tier_role"])
    }

    public func spend(by dimension: SpendDimension, from: Date, to: Date) async throws -> [SpendRow] {
        let column: String
        switch dimension {
        case .role: column = "role"
        case .tier: column = "tier"
        case .model: column = "model"
        }
        let window: StatementArguments = [from.timeIntervalSince1970, to.timeIntervalSince1970]
        return try await pool.read { db in
            let totals = try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(\(column), '(none)') AS key, COUNT(*) AS calls,
                           SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END) AS failed,
                           SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cached_input_tokens) AS cached,
                           SUM(cost_usd) AS cost
                    FROM traces WHERE started_at >= ? AND started_at < ?
                    GROUP BY key ORDER BY cost DESC, calls DESC, key
                    """, arguments: window)
            var rows: [SpendRow] = []
            for total in totals {
                let key: String = total["key"]
                let calls: Int = total["calls"]
                let median = try Double.fetchOne(
                    db,
                    sql: """
                        SELECT latency_ms FROM traces
                        WHERE started_at >= ? AND started_at < ? AND COALESCE(\(column), '(none)') = ?
                        ORDER BY latency_ms LIMIT 1 OFFSET ?
                        """, arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970, key, (calls - 1) / 2])
                rows.append(
                    SpendRow(
                        key: key, calls: calls, failedCalls: total["failed"], inputTokens: total["input"], outputTokens: total["output"],
                        cachedInputTokens: total["cached"], costUSD: total["cost"], p50LatencyMs: median ?? 0))
            }
            return rows
        }
    }
}
