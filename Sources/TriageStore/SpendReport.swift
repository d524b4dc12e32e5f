import Foundation

/// Parses a window length: `30m`, `24h`, `7d` (also `s`) into seconds.
public enum SpendWindow {
    public static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount > 0, amount.isFinite else { return nil }
        switch unit {
        case "s": return amount
        case "m": return amount * 60
        case "h": return amount * 3600
        case "d": return amount * 86400
        default: return nil
        }
    }
}

/// A spend report ready to print as aligned tables or as JSON: spend by role, tier and model,
/// the three operating metrics and the most expensive runs.
public struct SpendReport: Sendable {
    public let from: Date
    public let to: Date
    public let sections: [(SpendDimension, [SpendRow])]
    public let operating: OperatingMetrics
    public let runs: [RunSummary]

    public init(from: Date, to: Date, sections: [(SpendDimension, [SpendRow])], operating: OperatingMetrics = .init(), runs: [RunSummary] = []) {
        self.from = from
        self.to = to
        self.sections = sections
        self.operating = operating
        self.runs = runs
    }

    /// Loads every figure of the window from `store`.
    public static func load(from store: SQLiteTraceStore, from start: Date, to end: Date, runs runLimit: Int = 10) async throws -> SpendReport {
        var sections: [(SpendDimension, [SpendRow])] = []
        for dimension in SpendDimension.allCases {
            sections.append((dimension, try await store.spend(by: dimension, from: start, to: end)))
        }
        return SpendReport(
            from: start, to: end, sections: sections, operating: try await store.operatingMetrics(from: start, to: end),
            runs: try await store.runs(from: start, to: end, limit: runLimit))
    }

    /// Aligned text tables, one per dimension, with totals.
    public func table() -> String {
        let formatter = ISO8601DateFormatter()
        var out = "Spend from \(formatter.string(from: from)) to \(formatter.string(from: to))\n"
        for (dimension, rows) in sections {
            out += "\nBy \(dimension.rawValue)\n"
            let header = [dimension.rawValue, "calls", "failed", "input tok", "output tok", "cached tok", "cost USD", "p50 ms"]
            var lines = [header]
            for row in rows {
                lines.append([
                    row.key, String(row.calls), String(row.failedCalls), String(row.inputTokens), String(row.outputTokens),
                    String(row.cachedInputTokens), String(format: "%.6f", row.costUSD), String(format: "%.1f", row.p50LatencyMs),
                ])
            }
            let total = rows.reduce(into: (calls: 0, cost: 0.0)) { $0.calls += $1.calls; $0.cost += $1.costUSD }
            lines.append(["total", String(total.calls), "", "", "", "", String(format: "%.6f", total.cost), ""])
            out += Self.align(lines)
        }
        out += "\nOperating metrics\n"
        out += Self.align([
            ["cost per automated task", operating.costPerTaskUSD.map { String(format: "$%.6f", $0) } ?? "—", "\(operating.tasks) runs"],
            ["routing accuracy", Self.percent(operating.routingAccuracy), "\(operating.accurate) of \(operating.autoDecisions) router decisions neither escalated nor corrected"],
            [
                "escalation override rate", Self.percent(operating.escalationOverrideRate),
                "\(operating.corrected) corrected by feedback to another tier than the router chose; \(operating.escalated) escalated",
            ],
        ])
        if !runs.isEmpty {
            out += "\nMost expensive runs\n"
            var lines = [["run", "calls", "escalations", "cost USD"]]
            for run in runs { lines.append([run.runID, String(run.calls), String(run.escalations), String(format: "%.6f", run.costUSD)]) }
            out += Self.align(lines)
        }
        return out
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    }

    /// The same figures as pretty-printed JSON.
    public func json() -> String {
        var object: [String: Any] = [
            "from": ISO8601DateFormatter().string(from: from),
            "to": ISO8601DateFormatter().string(from: to),
        ]
        for (dimension, rows) in sections {
            object["by_\(dimension.rawValue)"] = rows.map { row in
                [
                    dimension.rawValue: row.key, "calls": row.calls, "failed_calls": row.failedCalls, "input_tokens": row.inputTokens,
                    "output_tokens": row.outputTokens, "cached_input_tokens": row.cachedInputTokens, "cost_usd": row.costUSD,
                    "p50_latency_ms": row.p50LatencyMs,
                ] as [String: Any]
            }
        }
        func number(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
        object["operating"] = [
            "tasks": operating.tasks, "cost_per_task_usd": number(operating.costPerTaskUSD), "auto_decisions": operating.autoDecisions,
            "escalated": operating.escalated, "corrected": operating.corrected, "routing_accuracy": number(operating.routingAccuracy),
            "escalation_override_rate": number(operating.escalationOverrideRate),
        ] as [String: Any]
        object["runs"] = runs.map { run in
            ["run_id": run.runID, "calls": run.calls, "escalations": run.escalations, "cost_usd": run.costUSD] as [String: Any]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Left-aligns the first column and right-aligns the numbers.
    static func align(_ lines: [[String]]) -> String {
        guard let columns = lines.first?.count else { return "" }
        let widths = (0..<columns).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
