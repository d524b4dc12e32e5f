import Foundation
import GRDB

/// A person's verdict on one call (`requestID`) or on every call of a run (`runID`).
public struct FeedbackRecord: Sendable, Equatable {
    public var id: Int64?
    public var requestID: String?
    public var runID: String?
    /// 0 (bad) … 1 (good).
    public var score: Double
    /// The tier the person says the call needed.
    public var correctTier: String?
    public var comment: String?
    public var createdAt: Date

    public init(id: Int64? = nil, requestID: String? = nil, runID: String? = nil, score: Double, correctTier: String? = nil, comment: String? = nil, createdAt: Date = Date()) {
        self.id = id
        self.requestID = requestID
        self.runID = runID
        self.score = score
        self.correctTier = correctTier
        self.comment = comment
        self.createdAt = createdAt
    }
}

extension SQLiteTraceStore {
    /// Whether a trace with this request id, or any trace of this run, is stored.
    public func hasTraces(requestID: String? = nil, runID: String? = nil) async throws -> Bool {
        try await pool.read { db in
            if let requestID {
                return try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM traces WHERE request_id = ?)", arguments: [requestID]) ?? false
            }
            if let runID {
                return try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM traces WHERE run_id = ?)", arguments: [runID]) ?? false
            }
            return false
        }
    }

    /// Stores one piece of feedback and returns its id.
    @discardableResult
    public func insertFeedback(_ feedback: FeedbackRecord) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO feedback (request_id, run_id, score, correct_tier, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [feedback.requestID, feedback.runID, feedback.score, feedback.correctTier, feedback.comment, feedback.createdAt.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Feedback that applies to a call: given on its request id, or on its run.
    public func feedback(requestID: String) async throws -> [FeedbackRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT f.* FROM feedback f
                    WHERE f.request_id = ?1
                       OR (f.request_id IS NULL AND f.run_id IS NOT NULL AND f.run_id = (SELECT run_id FROM traces WHERE request_id = ?1))
                    ORDER BY f.id
                    """, arguments: [requestID]
            ).map(Self.feedback(from:))
        }
    }

    /// Feedback given on a run as a whole.
    public func feedback(runID: String) async throws -> [FeedbackRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feedback WHERE run_id = ? AND request_id IS NULL ORDER BY id", arguments: [runID]).map(Self.feedback(from:))
        }
    }

    static func feedback(from row: Row) -> FeedbackRecord {
        FeedbackRecord(
            id: row["id"], requestID: row["request_id"], runID: row["run_id"], score: row["score"], correctTier: row["correct_tier"],
            comment: row["comment"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
