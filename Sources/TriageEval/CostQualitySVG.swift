import Foundation

/// Draws cost-quality charts as standalone SVG: each model alone as a labelled dot, Triage's
/// policies as small dots and their hull as a line; cost on a log axis.
public enum CostQualitySVG {
    public static func render(_ reports: [RouterEvaluation.SetReport]) -> String {
        let charts = reports.compactMap { report in report.costQuality.map { (report.name, $0) } }
        let width = 720.0
        let height = 440.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height) * max(1, charts.count))" \
            font-family="sans-serif" font-size="11">\n
            """
        for (index, (name, chart)) in charts.enumerated() {
            svg += panel(name: name, chart: chart, top: Double(index) * height, width: width, height: height)
        }
        return svg + "</svg>\n"
    }

    static func panel(name: String, chart: RouterEvaluation.CostQualityReport, top: Double, width: Double, height: Double) -> String {
        let left = 70.0
        let right = width - 180
        let plotTop = top + 40
        let bottom = top + height - 50
        let all = chart.models.map(\.point) + chart.policies
        let costs = all.map(\.cost).filter { $0 > 0 }
        let low = log10(costs.min() ?? 1e-6)
        let high = log10(costs.max() ?? 1e-3)
        let minQuality = (all.map(\.quality).min() ?? 0) - 0.02
        let maxQuality = (all.map(\.quality).max() ?? 1) + 0.02
        func x(_ cost: Double) -> Double { left + (log10(max(cost, 1e-12)) - low) / max(high - low, 1e-9) * (right - left) }
        func y(_ quality: Double) -> Double { bottom - (quality - minQuality) / max(maxQuality - minQuality, 1e-9) * (bottom - plotTop) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var out = "<g>\n"
        let saving = chart.saving.map { String(format: ", saving %.0f%% at %.0f%% of %@ quality", $0 * 100, chart.floor * 100, chart.reference) } ?? ""
        out += "<text x=\"\(f(left))\" y=\"\(f(top + 22))\" font-size=\"14\">\(escape(name)): AIQ \(String(format: "%.3f", chart.aiq))\(escape(saving))</text>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(plotTop))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 36))\" text-anchor=\"middle\">mean cost per query (USD, log scale)</text>\n"
        out += "<text x=\"16\" y=\"\(f((plotTop + bottom) / 2))\" transform=\"rotate(-90 16 \(f((plotTop + bottom) / 2)))\" text-anchor=\"middle\">mean quality</text>\n"
        for step in 0...4 {
            let cost = pow(10, low + (high - low) * Double(step) / 4)
            out += "<text x=\"\(f(x(cost)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(String(format: "%.2g", cost))</text>\n"
            let quality = minQuality + (maxQuality - minQuality) * Double(step) / 4
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(quality) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", quality))</text>\n"
        }
        for policy in chart.policies {
            out += "<circle cx=\"\(f(x(policy.cost)))\" cy=\"\(f(y(policy.quality)))\" r=\"1.5\" fill=\"#9ecae1\"/>\n"
        }
        let hull = chart.hull.map { "\(f(x($0.cost))),\(f(y($0.quality)))" }.joined(separator: " ")
        out += "<polyline points=\"\(hull)\" fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\"/>\n"
        if let atFloor = chart.atFloor {
            out += "<circle cx=\"\(f(x(atFloor.cost)))\" cy=\"\(f(y(atFloor.quality)))\" r=\"5\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
        }
        for (model, point) in chart.models {
            out += "<circle cx=\"\(f(x(point.cost)))\" cy=\"\(f(y(point.quality)))\" r=\"3.5\" fill=\"#e6550d\"/>\n"
            out += "<text x=\"\(f(x(point.cost) + 6))\" y=\"\(f(y(point.quality) + 4))\" fill=\"#636363\">\(escape(model.split(separator: "/").last.map(String.init) ?? model))</text>\n"
        }
        out += "<text x=\"\(f(right + 20))\" y=\"\(f(plotTop + 10))\" fill=\"#08519c\">— Triage hull</text>\n"
        out += "<text x=\"\(f(right + 20))\" y=\"\(f(plotTop + 26))\" fill=\"#e6550d\">● single model</text>\n"
        out += "<text x=\"\(f(right + 20))\" y=\"\(f(plotTop + 42))\" fill=\"#d62728\">○ cheapest at floor</text>\n"
        return out + "</g>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
