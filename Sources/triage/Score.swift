import ArgumentParser
import Foundation
import TriageCore
import TriageEval
import TriageRouting

/// `triage score`: the routing brain's verdict for each prompt on standard input.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score prompts: one JSON line in ({\"prompt\": …} or {\"messages\": […]}), one out, in order.",
        discussion: """
            Each output line is {"score": 0…1, "tier": …, "skill": …, "risks": [{"name", "score", "reason"}]}, \
            score being the estimated probability that the frontier tier is needed. A line that \
            cannot be read gives {"error": …} and scoring goes on.
            """)

    @OptionGroup var options: BrainOptions

    func run() throws {
        let (brain, policy, model) = try options.load()
        let analyzer = brain.analyzer()
        let classifier = KeywordSkillClassifier(analyzer: analyzer)
        let risks = PatternRiskPredictor(analyzer: analyzer, minimumTiers: brain.riskTiers)
        let router = ComplexityTierRouter(model: model, analyzer: analyzer, thresholds: brain.thresholds, skillTiers: brain.skillTiers)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 16)
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            let verdict: JSONValue
            do {
                let row = try LabeledPrompt(jsonLine: line, needsLabel: false)
                let analysis = analyzer.analyze(row.routeRequest)
                let skill = classifier.skill(for: analysis)
                let found = risks.risks(for: analysis)
                let choice = router.tier(for: analysis, skill: skill, policy: policy)
                var tier = choice.tier
                for risk in found where risk.minimumTier > tier { tier = risk.minimumTier }
                verdict = .object(
                    JSONObject([
                        ("score", JSONValue(((choice.complexity ?? 0) * 10_000).rounded() / 10_000)), ("tier", .string(tier.rawValue)),
                        ("skill", skill.map(JSONValue.string) ?? .null),
                        (
                            "risks",
                            .array(
                                found.map { risk in
                                    .object(JSONObject([("name", .string(risk.name)), ("score", JSONValue((risk.score * 100).rounded() / 100)), ("reason", .string(risk.reason))]))
                                })
                        ),
                    ]))
            } catch {
                verdict = .object(JSONObject([("error", .string("\(error)"))]))
            }
            JSONWriter.write(verdict, into: &output)
            output.append(0x0a)
            if output.count >= 1 << 16 { flush(&output) }
        }
        flush(&output)
    }

    private func flush(_ output: inout [UInt8]) {
        guard !output.isEmpty else { return }
        output.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        output.removeAll(keepingCapacity: true)
    }
}
