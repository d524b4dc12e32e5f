/// The cue phrase groups every routing layer reads, built into one `PromptAnalyzer` so a
/// request's text is scanned once. Group names: `skill:<label>`, `risk:<kind>`, `cue:<kind>`.
public enum RoutingCues {
    /// The default skill labels and the phrases that suggest them, most specific first (ties
    /// go to the skill listed first).
    public static let defaultSkillCues: [(skill: String, phrases: [String])] = [
        ("extraction", ["extract", "pull out", "find all", "list all", "parse", "which fields", "get the", "fill in"]),
        ("classification", ["classify", "categorize", "categorise", "label", "sentiment", "is this spam", "which category", "tag", "single choice", "correct answer"]),
        ("formatting", ["format", "reformat", "convert", "as a table", "as json", "as markdown", "as yaml", "rename", "indent", "sort", "capitalize"]),
        ("summarization", ["summarize", "summarise", "summary", "tl dr", "tldr", "key points", "condense", "shorten"]),
        ("translation", ["translate", "translation", "into french", "into german", "into spanish", "into english", "into japanese", "into chinese"]),
        ("code-edit", ["refactor", "fix", "bug", "patch", "change the function", "rename the", "update the code", "diff", "optimize this"]),
        (
            "code-generation",
            ["write a function", "write a python", "write a script", "implement", "write code", "write a program", "generate code", "class that", "unit test", "function that", "function to"]
        ),
        ("math-reasoning", ["solve", "prove", "calculate", "compute", "equation", "integral", "derivative", "probability", "how many", "what is the sum"]),
        ("planning", ["plan", "roadmap", "design", "architecture", "strategy", "break down", "milestones", "steps to", "approach"]),
        ("open-ended-writing", ["write an essay", "write a story", "blog post", "poem", "write an email", "cover letter", "write an article", "speech"]),
        ("chit-chat", ["hello", "hi", "hey", "thanks", "thank you", "how are you", "good morning"]),
    ]

    public static var defaultSkills: [String] { defaultSkillCues.map(\.skill) }

    static let codeTask = [
        "refactor", "bug", "fix", "function", "method", "class", "compile", "compiler", "stack trace", "exception", "implement", "module", "test",
        "tests", "repository", "repo", "codebase",
    ]
    static let migration = [
        "alter table", "drop table", "drop column", "drop index", "drop database", "rename column", "truncate table", "migration", "migrate", "migrations",
        "schema change", "backfill", "data migration", "deploy to production", "rollout", "roll back", "rollback",
    ]
    static let security = [
        "password", "passwords", "secret", "secrets", "api key", "private key", "encryption", "encrypt", "decrypt", "crypto", "cryptographic", "oauth",
        "jwt", "authentication", "authorization", "permission", "permissions", "rbac", "access control", "vulnerability", "cve", "sql injection",
        "xss", "csrf", "pii", "ssn", "social security", "credit card", "personal data", "gdpr", "hipaa", "tls certificate",
    ]
    static let consequence = [
        "rm rf", "delete from", "force push", "push force", "in production", "production database", "prod database", "payment", "payments",
        "charge the", "refund", "wire transfer", "transfer funds", "payout", "invoice", "send to all", "email all", "mass email", "delete all",
        "wipe", "irreversible",
    ]
    static let sequencing = ["then", "after that", "afterwards", "finally", "next", "step"]
    /// Asks for analysis or justification: a lean towards the stronger tiers.
    static let reasoning = [
        "why", "explain", "prove", "analyze", "analyse", "compare", "evaluate", "trade offs", "tradeoffs", "design", "architecture", "reason",
        "justify", "derive", "optimize", "debug", "root cause", "step by step", "in depth", "detailed", "comprehensive", "research",
    ]
    /// Mechanical asks: a lean towards the small tier.
    static let mechanical = [
        "extract", "format", "reformat", "convert", "rename", "translate", "classify", "label", "list", "sort", "capitalize", "summarize",
        "summarise", "fix typos", "spell", "lowercase", "uppercase", "json", "csv", "yaml", "only", "single choice",
    ]

    /// The groups for `skills` (labels with their phrases) plus the built-in risk and cue groups.
    public static func groups(skills: [(skill: String, phrases: [String])] = defaultSkillCues) -> [PhraseIndex.Group] {
        skills.map { PhraseIndex.Group(name: "skill:\($0.skill)", phrases: $0.phrases) } + [
            .init(name: "risk:code-task", phrases: codeTask),
            .init(name: "risk:migration", phrases: migration),
            .init(name: "risk:security", phrases: security),
            .init(name: "risk:consequence", phrases: consequence),
            .init(name: "risk:sequencing", phrases: sequencing),
            .init(name: "cue:reasoning", phrases: reasoning),
            .init(name: "cue:mechanical", phrases: mechanical),
        ]
    }

    /// The cues of the default labels, for `labels` chosen in config: known labels keep their
    /// phrases, new labels bring their own (`extra`), unknown ones without phrases match nothing.
    public static func skillCues(labels: [String], extra: [String: [String]] = [:]) -> [(skill: String, phrases: [String])] {
        labels.map { label in
            let builtIn = defaultSkillCues.first { $0.skill == label }?.phrases ?? []
            return (label, builtIn + (extra[label] ?? []))
        }
    }
}
