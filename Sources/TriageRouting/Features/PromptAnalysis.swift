import TriageCore

/// Everything the routing layers read from a request, computed in one pass over its text by
/// `PromptAnalyzer`: size and shape (tokens, conversation depth, tools), content (code blocks and
/// their languages, math, lists, questions, referenced source files), cue phrases per group, and
/// hashed word n-grams of the ask for the learned complexity model.
public struct PromptAnalysis: Sendable {
    public var estimatedTokens: Int = 0
    /// Messages in the conversation (its depth).
    public var messageCount: Int = 0
    public var userTurns: Int = 0
    public var toolCount: Int = 0
    /// Tools whose names say they change something (write, delete, deploy, pay …).
    public var mutatingToolCount: Int = 0
    public var codeBlocks: Int = 0
    /// Languages named on the opening fences of code blocks, lower-cased.
    public var codeLanguages: [String] = []
    /// Operators and LaTeX / dollar signs: `= + - * / ^ \ $ < >` between or around digits and words.
    public var mathSymbols: Int = 0
    public var digits: Int = 0
    public var bytes: Int = 0
    public var words: Int = 0
    public var listItems: Int = 0
    public var questions: Int = 0
    /// Whether the request asks for JSON or schema-shaped output.
    public var structuredOutput: Bool = false
    /// Source files named in the text (`src/app.py`), the first few, and how many in all.
    public var fileReferences: [String] = []
    public var fileReferenceCount: Int = 0
    /// Words of the ask: the last paragraph of the last user message (few-shot examples and
    /// pasted context before it are left out).
    public var askWords: Int = 0
    /// Hashed unigram and bigram buckets of the ask, for the complexity model.
    public var lexical: [UInt32] = []
    /// Cue phrase hits per group of the analyzer's phrase index, in the whole text and in the
    /// last user message.
    public var hits: [UInt16]
    public var askHits: [UInt16]
    /// The first phrases matched per group, for human-readable reasons.
    public var matches: [PhraseIndex.Match] = []
    public var role: String? = nil
    /// Escalations earlier in the same run.
    public var priorEscalations: Int = 0

    init(groups: Int) {
        hits = [UInt16](repeating: 0, count: groups)
        askHits = hits
    }
}

/// Builds `PromptAnalysis` in one pass over the bytes of a request's messages. Holds the phrase
/// index of every cue group the classifier, risk predictor and complexity features use, so the
/// text is read once however many layers look at it.
public struct PromptAnalyzer: Sendable {
    public let phrases: PhraseIndex
    /// Lexical features are hashed into `1 << hashBits` buckets.
    public let hashBits: Int
    /// Whether to hash the ask's n-grams at all: only a complexity model with lexical weights
    /// reads them, so without one the hot path skips the work.
    public let collectsLexical: Bool
    /// At most this many lexical buckets per request (the ask is capped, not the scan).
    public static let lexicalCap = 1024
    static let maximumMatchesPerGroup = 3

    public init(groups: [PhraseIndex.Group], hashBits: Int = 16, collectsLexical: Bool = true) {
        self.collectsLexical = collectsLexical
        self.phrases = PhraseIndex(groups: groups)
        self.hashBits = hashBits
    }

    static let sourceExtensions: Set<UInt64> = Set(
        [
            "swift", "py", "ts", "tsx", "js", "jsx", "go", "rs", "java", "kt", "rb", "c", "cc", "cpp", "h", "hpp", "cs", "php", "scala", "sql",
            "yaml", "yml", "toml", "json", "sh", "tf",
        ].map { WordHash.words($0)[0] })

    static let mutatingToolWords = [
        "write", "edit", "update", "delete", "remove", "create", "insert", "put", "patch", "deploy", "send", "pay", "transfer", "exec",
        "execute", "run", "shell", "bash", "command", "drop", "move", "rename", "commit", "push", "merge",
    ]

    public func analyze(_ request: RouteRequest) -> PromptAnalysis {
        var analysis = PromptAnalysis(groups: phrases.groups.count)
        analysis.estimatedTokens = request.features.estimatedInputTokens
        analysis.role = request.role
        analysis.priorEscalations = request.priorEscalations
        guard let prompt = request.prompt else {
            analysis.messageCount = request.features.messageCount
            analysis.toolCount = request.features.toolCount
            return analysis
        }
        analysis.messageCount = prompt.messages.count
        analysis.toolCount = prompt.toolNames.count
        analysis.structuredOutput = prompt.responseFormat != nil
        for name in prompt.toolNames where Self.isMutatingTool(name) { analysis.mutatingToolCount += 1 }
        let lastUser = prompt.messages.lastIndex { $0.role == "user" }
        if collectsLexical { analysis.lexical.reserveCapacity(Self.lexicalCap) }
        // The hit counters are written through pointers for the scan (no copy-on-write checks
        // per match), then put back.
        var hits = analysis.hits
        var askHits = analysis.askHits
        analysis.hits = []
        analysis.askHits = []
        phrases.withFilters { filter, prefixFilter, firstWordFilter in
            hits.withUnsafeMutableBufferPointer { hits in
                askHits.withUnsafeMutableBufferPointer { askHits in
                    for (index, message) in prompt.messages.enumerated() {
                        if message.role == "user" { analysis.userTurns += 1 }
                        var text = message.text
                        text.withUTF8 { bytes in
                            guard let base = bytes.baseAddress else { return }
                            let scan = Scan(
                                analyzer: self, isAsk: index == lastUser, filter: filter, prefixFilter: prefixFilter, firstWordFilter: firstWordFilter,
                                hits: hits, askHits: askHits)
                            scan.run(base, count: bytes.count, into: &analysis)
                        }
                    }
                }
            }
        }
        analysis.hits = hits
        analysis.askHits = askHits
        return analysis
    }

    /// Whether a tool's name contains one of `mutatingToolWords`, ignoring ASCII case; compares
    /// bytes, so the hot path needs no Foundation string search.
    static func isMutatingTool(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            mutatingToolBytes.contains { word in
                guard word.count <= bytes.count else { return false }
                for start in 0...(bytes.count - word.count) {
                    var offset = 0
                    while offset < word.count, WordHash.lowered(bytes[start + offset]) == word[offset] { offset += 1 }
                    if offset == word.count { return true }
                }
                return false
            }
        }
    }

    static let mutatingToolBytes: [[UInt8]] = mutatingToolWords.map { Array($0.utf8) }
}

extension PromptAnalysis {
    /// The distinct phrases matched in `group`, in order of first appearance.
    public func matchedPhrases(_ group: Int, in index: PhraseIndex) -> [String] {
        matches.filter { $0.group == group }.map { index.phrase($0) }
    }
}
