import TriageCore

/// Names what a request asks for from the wording of its last user message and the request's
/// structure (code blocks, tools, structured output). A transparent baseline that needs no
/// training data; a learned classifier plugs in through the same `SkillClassifier` protocol.
public struct KeywordSkillClassifier: SkillClassifier {
    /// The default skill labels.
    public static let defaultSkills = [
        "extraction", "classification", "formatting", "summarization", "translation", "code-edit", "code-generation", "math-reasoning",
        "planning", "open-ended-writing", "chit-chat",
    ]

    static let cues: [(skill: String, phrases: [String])] = [
        ("extraction", ["extract", "pull out", "find all", "list all", "parse", "which fields", "get the", "fill in"]),
        ("classification", ["classify", "categorize", "categorise", "label", "sentiment", "is this spam", "which category", "tag"]),
        ("formatting", ["format", "reformat", "convert", "as a table", "as json", "as markdown", "as yaml", "rename", "indent", "sort", "capitalize"]),
        ("summarization", ["summarize", "summarise", "summary", "tl;dr", "tldr", "key points", "condense", "shorten"]),
        ("translation", ["translate", "translation", "into french", "into german", "into spanish", "into english", "into japanese", "into chinese"]),
        ("code-edit", ["refactor", "fix", "bug", "patch", "change the function", "rename the", "update the code", "diff", "optimize this"]),
        ("code-generation", ["write a function", "write a script", "implement", "write code", "write a program", "generate code", "class that", "unit test", "function that"]),
        ("math-reasoning", ["solve", "prove", "calculate", "compute", "equation", "integral", "derivative", "probability", "how many", "what is the sum"]),
        ("planning", ["plan", "roadmap", "design", "architecture", "strategy", "break down", "milestones", "steps to", "approach"]),
        ("open-ended-writing", ["write an essay", "write a story", "blog post", "poem", "write an email", "cover letter", "write an article", "speech"]),
        ("chit-chat", ["hello", "hi", "hey", "thanks", "thank you", "how are you", "good morning"]),
    ]

    public let skills: Set<String>

    /// - Parameter skills: the labels in use (from config); cues for other labels are ignored.
    public init(skills: [String] = Self.defaultSkills) {
        self.skills = Set(skills)
    }

    public func skill(for request: RouteRequest) -> String? {
        guard let prompt = request.prompt else { return nil }
        let asked = prompt.lastUserText
        let scan = TextScan(asked)
        var scores: [String: Double] = [:]
        for (skill, phrases) in Self.cues where skills.contains(skill) {
            let hits = scan.matches(phrases).count
            if hits > 0 { scores[skill, default: 0] += Double(hits) }
        }
        let code = scan.codeBlocks
        if code.count > 0 {
            scores["code-edit", default: 0] += 1.5
        }
        if prompt.responseFormat != nil {
            scores["extraction", default: 0] += 0.5
        }
        if asked.count < 40, scores.isEmpty {
            scores["chit-chat"] = 0.5
        }
        let digits = asked.filter(\.isNumber).count
        if digits > 6, asked.contains(where: { "+-*/=^".contains($0) }) {
            scores["math-reasoning", default: 0] += 1
        }
        // Ties go to the skill listed first in `cues` (the more specific ask).
        let rank = Dictionary(uniqueKeysWithValues: Self.cues.enumerated().map { ($1.skill, $0) })
        let best = scores.filter { skills.contains($0.key) }.max { lhs, rhs in
            lhs.value != rhs.value ? lhs.value < rhs.value : rank[lhs.key, default: 99] > rank[rhs.key, default: 99]
        }
        return best?.key ?? (skills.contains("open-ended-writing") ? "open-ended-writing" : nil)
    }
}
