import TriageCore

/// Names what a request asks for from the cue phrases of its last user message and the
/// request's structure (code blocks, structured output, digits). Transparent and needs no
/// training data; labels and extra phrases come from config.
public struct KeywordSkillClassifier: SkillClassifier {
    /// Group index in the analyzer's phrase index for each label, in priority order.
    private let labels: [(skill: String, group: Int)]

    public init(analyzer: PromptAnalyzer) {
        labels = analyzer.phrases.groups.enumerated().compactMap { index, group in
            group.name.hasPrefix("skill:") ? (String(group.name.dropFirst("skill:".count)), index) : nil
        }
    }

    public var skills: [String] { labels.map(\.skill) }

    public func skill(for analysis: PromptAnalysis) -> String? {
        guard !labels.isEmpty, analysis.words > 0 else { return nil }
        var best: (skill: String, score: Double)?
        for (skill, group) in labels {
            var score = Double(analysis.askHits[group])
            switch skill {
            case "code-edit" where analysis.codeBlocks > 0: score += 1.5
            case "extraction" where analysis.structuredOutput: score += 0.5
            case "math-reasoning" where analysis.digits > 6 && analysis.mathSymbols > 0: score += 1
            default: break
            }
            if score > 0, score > (best?.score ?? 0) { best = (skill, score) }
        }
        if let best { return best.skill }
        if analysis.askWords < 8, labels.contains(where: { $0.skill == "chit-chat" }) { return "chit-chat" }
        return labels.contains { $0.skill == "open-ended-writing" } ? "open-ended-writing" : nil
    }
}
