import Foundation
import TriageCore
import TriageStore

/// The JSON behind the dashboard: totals, the three operating metrics, spend over time by
/// role / tier / model, spend tables, the most expensive runs, recent decisions with their
/// reasons, the active policy version and the firing alerts.
struct DashboardData {
    let store: SQLiteTraceStore
    let policyVersion: Int?
    let alerts: [(name: String, since: Date, finding: AlertFinding)]

    /// Windows the page offers, with the bucket width of the spend chart.
    static func bucketSeconds(forWindow seconds: TimeInterval) -> Int {
        switch seconds {
        case ..<(2 * 3600): 300
        case ..<(2 * 86400): 3600
        default: 6 * 3600
        }
    }

    func document(since label: String, window: TimeInterval, now: Date = Date()) async throws -> JSONValue {
        let to = now.addingTimeInterval(1)
        let from = now.addingTimeInterval(-window)
        let bucket = Self.bucketSeconds(forWindow: window)
        let buckets = Int((to.timeIntervalSince(from) / Double(bucket)).rounded(.up))
        let totals = try await store.totals(from: from, to: to)
        let operating = try await store.operatingMetrics(from: from, to: to)

        var series = JSONObject()
        series["buckets"] = .array((0..<buckets).map { .string(Self.iso(from.addingTimeInterval(Double($0 * bucket)))) })
        var spend = JSONObject()
        for dimension in SpendDimension.allCases {
            var perKey: [String: [Double]] = [:]
            for point in try await store.spendSeries(by: dimension, from: from, to: to, bucketSeconds: bucket) where point.bucket < buckets {
                perKey[point.key, default: Array(repeating: 0, count: buckets)][point.bucket] += point.costUSD
            }
            series[dimension.rawValue] = .object(JSONObject(perKey.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSONValue.init))) }))
            spend[dimension.rawValue] = .array(try await store.spend(by: dimension, from: from, to: to).map(Self.row))
        }

        var document = JSONObject()
        document["generated_at"] = .string(Self.iso(now))
        document["window"] = [
            "since": .string(label), "from": .string(Self.iso(from)), "to": .string(Self.iso(now)), "bucket_seconds": JSONValue(bucket),
        ]
        document["policy_version"] = policyVersion.map { JSONValue($0) } ?? JSONValue.null
        document["totals"] = [
            "calls": JSONValue(totals.calls), "failed_calls": JSONValue(totals.failedCalls), "input_tokens": JSONValue(totals.inputTokens),
            "output_tokens": JSONValue(totals.outputTokens), "cost_usd": JSONValue(totals.costUSD),
        ]
        document["operating"] = [
            "tasks": JSONValue(operating.tasks), "cost_per_task_usd": Self.number(operating.costPerTaskUSD),
            "auto_decisions": JSONValue(operating.autoDecisions), "escalated": JSONValue(operating.escalated),
            "corrected": JSONValue(operating.corrected), "routing_accuracy": Self.number(operating.routingAccuracy),
            "escalation_override_rate": Self.number(operating.escalationOverrideRate),
        ]
        document["series"] = .object(series)
        document["spend"] = .object(spend)
        document["runs"] = .array(try await store.runs(from: from, to: to, limit: 15).map(Self.run))
        document["recent"] = .array(try await store.recentTraces(limit: 50).map(Self.decision))
        document["alerts"] = .array(
            alerts.map { alert in
                ["name": .string(alert.name), "state": "firing", "message": .string(alert.finding.message), "since": .string(Self.iso(alert.since))]
            })
        return .object(document)
    }

    static func row(_ row: SpendRow) -> JSONValue {
        [
            "key": .string(row.key), "calls": JSONValue(row.calls), "failed_calls": JSONValue(row.failedCalls),
            "input_tokens": JSONValue(row.inputTokens), "output_tokens": JSONValue(row.outputTokens),
            "cached_input_tokens": JSONValue(row.cachedInputTokens), "cost_usd": JSONValue(row.costUSD),
            "p50_latency_ms": JSONValue(row.p50LatencyMs),
        ]
    }

    static func run(_ run: RunSummary) -> JSONValue {
        [
            "run_id": .string(run.runID), "calls": JSONValue(run.calls), "escalations": JSONValue(run.escalations),
            "cost_usd": JSONValue(run.costUSD), "first_at": .string(iso(run.firstAt)), "last_at": .string(iso(run.lastAt)),
        ]
    }

    static func decision(_ trace: TraceRecord) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "request_id": .string(trace.requestID), "started_at": .string(iso(trace.startedAt)), "role": optional(trace.role),
            "skill": optional(trace.skill), "tier": optional(trace.tier), "model": optional(trace.model), "cost_usd": JSONValue(trace.costUSD),
            "latency_ms": JSONValue(trace.latencyMs), "status": .string(trace.status.rawValue), "escalations": JSONValue(trace.escalations),
            "reasons": .array(trace.reasons.map(JSONValue.string)),
        ]
    }

    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.init) ?? .null }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
