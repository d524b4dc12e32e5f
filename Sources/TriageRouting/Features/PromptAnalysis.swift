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
        WordHash.byteClasses.withUnsafeBufferPointer { classes in
            phrases.withFilters { filter, prefixFilter in
                hits.withUnsafeMutableBufferPointer { hits in
                    askHits.withUnsafeMutableBufferPointer { askHits in
                        for (index, message) in prompt.messages.enumerated() {
                            if message.role == "user" { analysis.userTurns += 1 }
                            var text = message.text
                            text.withUTF8 { bytes in
                                guard let base = bytes.baseAddress else { return }
                                let scan = Scan(
                                    analyzer: self, isAsk: index == lastUser, classes: classes.baseAddress!, filter: filter, prefixFilter: prefixFilter,
                                    hits: hits, askHits: askHits)
                                scan.run(base, count: bytes.count, into: &analysis)
                            }
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

    /// One message's scan. `run` keeps its running state in locals, so the loop works in
    /// registers; only what outlives a word (the previous n-grams and where the previous word
    /// was) is carried from one word to the next.
    struct Scan {
        let phraseIndex: PhraseIndex
        let classes: UnsafePointer<UInt16>
        let filter: UnsafeBufferPointer<UInt64>
        let prefixFilter: UnsafeBufferPointer<UInt64>
        let hits: UnsafeMutableBufferPointer<UInt16>
        let askHits: UnsafeMutableBufferPointer<UInt16>
        let isAsk: Bool
        let collectsLexical: Bool
        let mask: UInt64

        init(
            analyzer: PromptAnalyzer, isAsk: Bool, classes: UnsafePointer<UInt16>, filter: UnsafeBufferPointer<UInt64>,
            prefixFilter: UnsafeBufferPointer<UInt64>, hits: UnsafeMutableBufferPointer<UInt16>, askHits: UnsafeMutableBufferPointer<UInt16>
        ) {
            self.phraseIndex = analyzer.phrases
            self.classes = classes
            self.filter = filter
            self.prefixFilter = prefixFilter
            self.hits = hits
            self.askHits = askHits
            self.isAsk = isAsk
            self.collectsLexical = isAsk && analyzer.collectsLexical
            self.mask = UInt64((1 << analyzer.hashBits) - 1)
        }

        func run(_ bytes: UnsafePointer<UInt8>, count: Int, into analysis: inout PromptAnalysis) {
            analysis.bytes += count
            var askWords = analysis.askWords
            var words = 0
            var digits = 0
            var questions = 0
            var mathSymbols = 0
            var listItems = 0
            var previous: UInt64 = 0
            /// The bigram ending at `previous`, 0 when there is none or it was not needed.
            var previousBigram: UInt64 = 0
            var previousBeginsPhrase = false
            var previousBigramBeginsPhrase = false
            var previousStart = -1
            var previousEnd = -2
            var atLineStart = true
            var lineIndent = 0
            var blankLine = true
            var inFence = false
            var index = 0
            while index < count {
                let byte = bytes[index]
                if classes[Int(byte)] != 0 {
                    let start = index
                    let word = WordHash.word(at: start, in: bytes, count: count, classes: classes)
                    index = word.end
                    digits &+= word.digits
                    words &+= 1
                    atLineStart = false
                    blankLine = false
                    // Cue phrases of one, two and three words ending here. The filters rule out
                    // almost every n-gram with one load; a bigram or trigram is only formed after
                    // a word (or pair) that begins some phrase, or for the lexical features.
                    let hash = word.hash
                    var bigram: UInt64 = 0
                    if PhraseIndex.mayMatch(hash, filter) { record(hash, &analysis) }
                    if previous != 0, collectsLexical || previousBeginsPhrase {
                        bigram = WordHash.combine(previous, hash)
                        if previousBeginsPhrase, PhraseIndex.mayMatch(bigram, filter) { record(bigram, &analysis) }
                    }
                    if previousBigramBeginsPhrase {
                        let trigram = WordHash.combine(previousBigram, hash)
                        if PhraseIndex.mayMatch(trigram, filter) { record(trigram, &analysis) }
                    }
                    previousBigramBeginsPhrase = previousBeginsPhrase && PhraseIndex.mayMatch(bigram, prefixFilter)
                    previousBeginsPhrase = PhraseIndex.mayMatch(hash, prefixFilter)
                    if isAsk { askWords &+= 1 }
                    if collectsLexical, analysis.lexical.count < PromptAnalyzer.lexicalCap {
                        analysis.lexical.append(UInt32(truncatingIfNeeded: (hash >> 11) & mask))
                        if bigram != 0 { analysis.lexical.append(UInt32(truncatingIfNeeded: (bigram >> 11) & mask)) }
                    }
                    // `name.ext`: a referenced source file.
                    if previousEnd == start - 1, start >= 1, bytes[start - 1] == 0x2e {
                        fileReference(hash, from: previousStart, to: index, bytes: bytes, into: &analysis)
                    }
                    previousBigram = bigram
                    previous = hash
                    previousStart = start
                    previousEnd = index
                    continue
                }
                switch byte {
                case 0x20, 0x09:
                    if atLineStart { lineIndent += 1 }
                case 0x0a:  // newline
                    if blankLine && !inFence && isAsk {
                        // A blank line in the ask starts a new paragraph: only the last one feeds
                        // the lexical features, so few-shot examples and pasted context do not
                        // drown the question.
                        analysis.lexical.removeAll(keepingCapacity: true)
                        askWords = 0
                        previous = 0
                        previousBigram = 0
                        previousBeginsPhrase = false
                        previousBigramBeginsPhrase = false
                    }
                    atLineStart = true
                    blankLine = true
                    lineIndent = 0
                case 0x60 where atLineStart && lineIndent <= 3 && index + 2 < count && bytes[index + 1] == 0x60 && bytes[index + 2] == 0x60:
                    inFence.toggle()
                    if inFence { Self.openFence(at: index + 3, bytes: bytes, count: count, into: &analysis) }
                    index += 3
                    atLineStart = false
                    blankLine = false
                    continue
                case 0x2d where atLineStart, 0x2a where atLineStart:  // "- item", "* item"
                    if index + 1 < count, bytes[index + 1] == 0x20 { listItems += 1 }
                    atLineStart = false
                    blankLine = false
                case 0x3f:
                    questions += 1
                    atLineStart = false
                    blankLine = false
                case 0x3d, 0x2b, 0x5e, 0x5c, 0x24, 0x3c, 0x3e, 0x2a, 0x2f, 0x2d:
                    mathSymbols += 1
                    atLineStart = false
                    blankLine = false
                case 0x2e, 0x29:  // "1. item", "2) item"
                    if previousEnd == index, previousStart >= 0, Self.lineStarts(at: previousStart, bytes),
                        Self.allDigits(bytes, previousStart, index)
                    {
                        listItems += 1
                    }
                    atLineStart = false
                    blankLine = false
                case 0x0d:
                    break
                default:
                    atLineStart = false
                    blankLine = false
                }
                index += 1
            }
            analysis.digits += digits
            analysis.questions += questions
            analysis.mathSymbols += mathSymbols
            analysis.listItems += listItems
            analysis.words += words
            analysis.askWords = askWords
        }

        static func lineStarts(at position: Int, _ bytes: UnsafePointer<UInt8>) -> Bool {
            var cursor = position - 1
            while cursor >= 0, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor -= 1 }
            return cursor < 0 || bytes[cursor] == 0x0a
        }

        static func allDigits(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
            end - start <= 3 && (start..<end).allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
        }

        /// A code block opens: count it and note the language named after the fence.
        static func openFence(at position: Int, bytes: UnsafePointer<UInt8>, count: Int, into analysis: inout PromptAnalysis) {
            analysis.codeBlocks += 1
            var end = position
            while end < count, WordHash.isWordByte(bytes[end]) || bytes[end] == 0x2b || bytes[end] == 0x23 { end += 1 }
            if end > position, analysis.codeLanguages.count < 8 {
                let language = String(decoding: UnsafeBufferPointer(start: bytes + position, count: end - position), as: UTF8.self).lowercased()
                if !analysis.codeLanguages.contains(language) { analysis.codeLanguages.append(language) }
            }
        }

        /// `word` followed a dot right after the previous word, which started at `start`: a
        /// referenced source file when `word` is a source extension.
        func fileReference(_ word: UInt64, from start: Int, to end: Int, bytes: UnsafePointer<UInt8>, into analysis: inout PromptAnalysis) {
            guard PromptAnalyzer.sourceExtensions.contains(word) else { return }
            analysis.fileReferenceCount += 1
            if analysis.fileReferences.count < 3 {
                var begin = start
                while begin > 0, WordHash.isWordByte(bytes[begin - 1]) || bytes[begin - 1] == 0x2f || bytes[begin - 1] == 0x2e || bytes[begin - 1] == 0x2d {
                    begin -= 1
                }
                analysis.fileReferences.append(String(decoding: UnsafeBufferPointer(start: bytes + begin, count: end - begin), as: UTF8.self))
            }
        }

        /// The slow path, for an n-gram that passed the filter.
        @inline(never)
        func record(_ hash: UInt64, _ analysis: inout PromptAnalysis) {
            let isAsk = self.isAsk
            let hits = self.hits
            let askHits = self.askHits
            phraseIndex.forEachMatch(of: hash) { match in
                let before = hits[match.group]
                hits[match.group] = before &+ 1
                if isAsk { askHits[match.group] &+= 1 }
                if before < PromptAnalyzer.maximumMatchesPerGroup, !analysis.matches.contains(match) { analysis.matches.append(match) }
            }
        }
    }
}

extension PromptAnalysis {
    /// The distinct phrases matched in `group`, in order of first appearance.
    public func matchedPhrases(_ group: Int, in index: PhraseIndex) -> [String] {
        matches.filter { $0.group == group }.map { index.phrase($0) }
    }
}
