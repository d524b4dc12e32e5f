import Foundation

/// A spend report ready to print as aligned tables or as JSON.
public struct SpendReport: Sendable {
    public let from: Date
    public let to: Date
    public let sections: [(SpendDimension, [SpendRow])]

    public init(from: Date, to: Date, sections: [(SpendDimension, [SpendRow])]) {
        self.from = from
        self.to = to
        self.sections = sections
    }

    /// Loads spend for every dimension from `store`.
    public static func load(from store: some TraceStore, from start: Date, to end: Date) async throws -> SpendReport {
        var sections: [(SpendDimension, [SpendRow])] = []
        for dimension in SpendDimension.allCases {
            sections.append((dimension, try await store.spend(by: dimension, from: start, to: end)))
        }
        return SpendReport(from: start, to: end, sections: sections)
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
        return out
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
