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
        let rows = try traces.map(Self.arguments(for:))
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: Self.insertSQL)
            for row in rows { try statement.execute(arguments: row) }
        }
    }

    static func arguments(for trace: TraceRecord) throws -> StatementArguments {
        let reasons = JSONWriter.string(.array(trace.reasons.map(JSONValue.string)))
        let attempts = JSONWriter.string(.array(trace.attempts.map(\.json)))
        // Concrete database values, not existentials: binding 34 columns per trace is on the
        // trace writer's hot path.
        func optional(_ value: (some DatabaseValueConvertible)?) -> DatabaseValue { value?.databaseValue ?? .null }
        let values: [DatabaseValue] = [
            trace.requestID.databaseValue, optional(trace.runID), trace.startedAt.timeIntervalSince1970.databaseValue, trace.endpoint.databaseValue,
            optional(trace.role), optional(trace.keyName), trace.requestedModel.databaseValue, trace.mode.databaseValue, optional(trace.tier),
            optional(trace.lane), optional(trace.skill), optional(trace.model), optional(trace.provider), trace.stream.databaseValue,
            trace.status.rawValue.databaseValue, trace.httpStatus.databaseValue, trace.usage.inputTokens.databaseValue,
            trace.usage.outputTokens.databaseValue, trace.usage.cachedInputTokens.databaseValue, trace.costUSD.databaseValue,
            trace.latencyMs.databaseValue, optional(trace.timeToFirstTokenMs), reasons.databaseValue, attempts.databaseValue,
            optional(trace.error), trace.escalations.databaseValue, optional(trace.validation?.rawValue), optional(trace.routedTier),
            optional(trace.complexity), trace.risks.isEmpty ? .null : trace.risks.joined(separator: ",").databaseValue, optional(trace.policyVersion),
            trace.usage.cacheWriteInputTokens.databaseValue, trace.usage.reasoningTokens.databaseValue, trace.fixedTierRole.databaseValue,
        ]
        return StatementArguments(values)
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
