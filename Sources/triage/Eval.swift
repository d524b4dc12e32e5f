import ArgumentParser
import Foundation
import TriageCore
import TriageEval
import TriageRouting

/// `triage eval`: the router's APGR / CPT, cost-quality hull, AIQ and saving on labeled data.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the router on labeled routing data (APGR, CPT, AIQ, cost saving).",
        discussion: """
            --data takes the shared routing data folder (routerbench/, alpacaeval/, routerarena/), \
            one of those folders, or a RouterBench CSV. RouterBench is evaluated on its test splits; \
            quality priors for the many-model view are fitted on its train splits.
            """)

    @Option(name: .long, help: "Routing data to evaluate on. Repeatable.")
    var data: [String] = ["../shared/data/routing"]

    @OptionGroup var options: BrainOptions

    @Option(name: .long, help: "Strong model of the pair (default per dataset).")
    var strong: String?

    @Option(name: .long, help: "Weak model of the pair (default per dataset).")
    var weak: String?

    @Option(name: .long, help: "Quality floor for the cost saving, as a share of the strongest model's quality.")
    var floor = 0.95

    @Option(name: .long, help: "Write the cost-quality chart here (SVG).")
    var svg: String?

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    func run() throws {
        let (brain, _, model) = try options.load()
        var sets: [EvaluationSet] = []
        for path in data { sets += try EvaluationData.sets(at: path, strong: strong, weak: weak) }
        let evaluation = RouterEvaluation(brain: brain, model: model)
        var reports: [RouterEvaluation.SetReport] = []
        for set in sets {
            let bar = ProgressBar(label: "scoring \(set.dataset.name)", total: set.dataset.items.count)
            reports.append(evaluation.evaluate(set, floor: floor, progress: bar.update))
            bar.finish()
        }
        if let svg {
            try CostQualitySVG.render(reports).write(toFile: svg, atomically: true, encoding: .utf8)
        }
        print(json ? EvalOutput.json(reports, model: model) : EvalOutput.table(reports, model: model))
    }
}

/// Formats evaluation reports.
enum EvalOutput {
    static func number(_ value: Double?, _ digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "—"
    }

    static func table(_ reports: [RouterEvaluation.SetReport], model: ComplexityModel) -> String {
        var lines = ["complexity model: \(model.metadata["name"] ?? model.metadata["data"] ?? "trained")", ""]
        lines.append("dataset                 items  pair (strong vs weak)                             scorer          APGR   CPT50  CPT80")
        for report in reports {
            for (index, entry) in report.pair.enumerated() {
                let head = index == 0
                    ? report.name.padding(toLength: 22, withPad: " ", startingAt: 0) + " " + String(report.items).leftPadded(6) + "  "
                        + "\(report.strong) vs \(report.weak)".padding(toLength: 48, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: 79)
                lines.append(
                    "\(head)  \(entry.scorer.padding(toLength: 14, withPad: " ", startingAt: 0)) \(number(entry.metrics.apgr))  \(number(entry.metrics.cpt50))  \(number(entry.metrics.cpt80))")
            }
            let spread = report.randomSpread
            lines.append(
                String(repeating: " ", count: 81)
                    + "(random over \(spread.seeds) seeds: sd \(number(spread.standardDeviation)), 95th percentile \(number(spread.percentile95)))")
        }
        for report in reports {
            guard let chart = report.costQuality else { continue }
            lines.append("")
            lines.append("\(report.name): \(chart.models.count) priced models, \(chart.policies.count) Triage policies")
            lines.append("  AIQ (Triage hull) \(number(chart.aiq, 4)); AIQ (single models) \(number(chart.modelsAIQ, 4))")
            if let reference = chart.models.first(where: { $0.name == chart.reference }) {
                lines.append("  always \(chart.reference): quality \(number(reference.point.quality)), cost $\(number(reference.point.cost * 1000, 4)) per 1k queries")
            }
            if let point = chart.atFloor, let saving = chart.saving {
                lines.append(
                    "  cheapest Triage policy at ≥ \(Int(chart.floor * 100))% of its quality: quality \(number(point.quality)), cost $\(number(point.cost * 1000, 4)) per 1k queries → saving \(number(saving * 100, 1))%")
            } else {
                lines.append("  no Triage policy reaches \(Int(chart.floor * 100))% of \(chart.reference)'s quality")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ reports: [RouterEvaluation.SetReport], model: ComplexityModel) -> String {
        func optional(_ value: Double?) -> JSONValue { value.map { JSONValue($0) } ?? .null }
        func point(_ p: RoutingMetrics.CostQuality) -> JSONValue { .object(JSONObject([("cost", JSONValue(p.cost)), ("quality", JSONValue(p.quality))])) }
        let sets = reports.map { report -> JSONValue in
            var members: [(key: String, value: JSONValue)] = [
                ("dataset", .string(report.name)), ("items", JSONValue(report.items)), ("strong", .string(report.strong)), ("weak", .string(report.weak)),
                (
                    "scorers",
                    .object(
                        JSONObject(
                            report.pair.map { entry in
                                (
                                    entry.scorer,
                                    .object(JSONObject([("apgr", JSONValue(entry.metrics.apgr)), ("cpt50", optional(entry.metrics.cpt50)), ("cpt80", optional(entry.metrics.cpt80))]))
                                )
                            }))
                ),
                (
                    "random_spread",
                    .object(
                        JSONObject([
                            ("seeds", JSONValue(report.randomSpread.seeds)), ("sd", JSONValue(report.randomSpread.standardDeviation)),
                            ("p95", JSONValue(report.randomSpread.percentile95)),
                        ]))
                ),
                ("curve", .array(report.curve.map { .object(JSONObject([("strong_share", JSONValue($0.strongShare)), ("pgr", JSONValue($0.pgr))])) })),
            ]
            if let chart = report.costQuality {
                members.append(
                    (
                        "cost_quality",
                        .object(
                            JSONObject([
                                ("aiq", JSONValue(chart.aiq)), ("models_aiq", JSONValue(chart.modelsAIQ)), ("reference", .string(chart.reference)),
                                ("floor", JSONValue(chart.floor)), ("saving", optional(chart.saving)), ("at_floor", chart.atFloor.map(point) ?? .null),
                                ("hull", .array(chart.hull.map(point))),
                                ("models", .object(JSONObject(chart.models.map { ($0.name, point($0.point)) }))),
                            ]))
                    ))
            }
            return .object(JSONObject(members))
        }
        let metadata = JSONObject(model.metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        return JSONWriter.string(.object(JSONObject([("model", .object(metadata)), ("datasets", .array(sets))])))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
