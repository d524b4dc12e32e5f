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
        let (brain, policy, _) = try options.load()
        // The same layers the gateway runs; no models are needed to assess a prompt.
        let pipeline = brain.pipeline(policy: policy, catalog: ModelCatalog(models: [], providers: []))
        var output: [UInt8] = []
        output.reserveCapacity(1 << 16)
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            let verdict: JSONValue
            do {
                let assessment = pipeline.assess(try LabeledPrompt(jsonLine: line, needsLabel: false).routeRequest)
                let risks = assessment.risks.map { risk in
                    JSONValue.object(JSONObject([("name", .string(risk.name)), ("score", JSONValue((risk.score * 100).rounded() / 100)), ("reason", .string(risk.reason))]))
                }
                verdict = .object(
                    JSONObject([
                        ("score", JSONValue(((assessment.complexity ?? 0) * 10_000).rounded() / 10_000)), ("tier", .string(assessment.tier.rawValue)),
                        ("skill", assessment.skill.map(JSONValue.string) ?? .null), ("risks", .array(risks)),
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
