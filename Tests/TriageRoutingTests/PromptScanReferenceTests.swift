import Testing
import TriageCore

@testable import TriageRouting

/// The mask-driven scan against a byte-by-byte reference scan (the analyzer as it was before
/// the masks), on thousands of generated prompts: every count, phrase hit and lexical bucket
/// must be the same.
@Suite struct PromptScanReferenceTests {
    @Test func maskScanAgreesWithTheByteByByteScan() {
        var random = SplitMix(seed: 42)
        let lexical = PromptAnalyzer(groups: RoutingCues.groups(), collectsLexical: true)
        let plain = PromptAnalyzer(groups: RoutingCues.groups(), collectsLexical: false)
        let phrases = RoutingCues.groups().flatMap(\.phrases)
        let pieces = [
            " ", "  ", "\n", "\n\n", "\r\n", "\t", "\n \n", "- ", "* ", "1. ", "12) ", "1234. ", "?", "=", "+", "^", "\\", "$", "<", ">", "/", "*",
            "-", ".", ")", ",", "```", "```swift\n", "\n```\n", "   ```py\n", "src/app/main.swift", "utils.py", "a.b", "x.", "café", "日本語",
            "ABCdefGHIjkl", "word", "the", "parser", "9", "42", "_", "refactor", "Q:", "drop table", "DROP", "table", "to production",
        ]
        for round in 0..<3_000 {
            var messages: [PromptDigest.Message] = []
            for _ in 0..<(round % 50 == 0 ? 1 : 1 + Int(random.next() % 3)) {
                var text = ""
                // Now and then an ask long enough to fill the lexical features (and span many blocks).
                let pieceCount = round % 50 == 0 ? 1_500 : Int(random.next() % 60)
                for _ in 0..<pieceCount {
                    // (The long ask has no line breaks, so it is one paragraph.)
                    switch pieceCount > 100 ? random.next() % 2 * 3 : random.next() % 4 {
                    case 0: text += phrases[Int(random.next() % UInt64(phrases.count))]
                    case 1: text += String(UnicodeScalar(UInt8(truncatingIfNeeded: random.next() % 128)))
                    case 3: text += " " + phrases[Int(random.next() % UInt64(phrases.count))] + " x_\(random.next() % 500)"
                    default: text += pieces[Int(random.next() % UInt64(pieces.count))]
                    }
                }
                messages.append(.init(role: pieceCount > 100 || random.next() % 2 == 0 ? "user" : "assistant", text: text))
            }
            let digest = PromptDigest(messages: messages, toolNames: [], responseFormat: nil)
            let request = RouteRequest(target: .auto, features: RequestFeatures(estimatedInputTokens: 1), prompt: digest)
            for analyzer in [lexical, plain] {
                let scanned = analyzer.analyze(request)
                let expected = ReferenceScan.analyze(digest, analyzer: analyzer)
                #expect(Summary(scanned) == Summary(expected), "round \(round): \(messages.map(\.text))")
            }
        }
    }
}

/// The fields of an analysis the scan computes.
struct Summary: Equatable {
    var bytes, words, askWords, digits, questions, mathSymbols, listItems, codeBlocks, fileReferenceCount: Int
    var codeLanguages, fileReferences: [String]
    var lexical: [UInt32]
    var hits, askHits: [UInt16]
    var matches: [PhraseIndex.Match]

    init(_ analysis: PromptAnalysis) {
        bytes = analysis.bytes
        words = analysis.words
        askWords = analysis.askWords
        digits = analysis.digits
        questions = analysis.questions
        mathSymbols = analysis.mathSymbols
        listItems = analysis.listItems
        codeBlocks = analysis.codeBlocks
        fileReferenceCount = analysis.fileReferenceCount
        codeLanguages = analysis.codeLanguages
        fileReferences = analysis.fileReferences
        lexical = analysis.lexical
        hits = analysis.hits
        askHits = analysis.askHits
        matches = analysis.matches
    }
}

/// The analyzer's scan one byte at a time, every word hashed and probed: the definition the
/// mask-driven scan must agree with.
enum ReferenceScan {
    static func analyze(_ prompt: PromptDigest, analyzer: PromptAnalyzer) -> PromptAnalysis {
        var analysis = PromptAnalysis(groups: analyzer.phrases.groups.count)
        let lastUser = prompt.messages.lastIndex { $0.role == "user" }
        for (index, message) in prompt.messages.enumerated() {
            scan(Array(message.text.utf8), isAsk: index == lastUser, analyzer: analyzer, into: &analysis)
        }
        return analysis
    }

    static func scan(_ bytes: [UInt8], isAsk: Bool, analyzer: PromptAnalyzer, into analysis: inout PromptAnalysis) {
        let collectsLexical = isAsk && analyzer.collectsLexical
        let mask = UInt64((1 << analyzer.hashBits) - 1)
        let count = bytes.count
        analysis.bytes += count
        func record(_ hash: UInt64) {
            analyzer.phrases.forEachMatch(of: hash) { match in
                let before = analysis.hits[match.group]
                analysis.hits[match.group] = before &+ 1
                if isAsk { analysis.askHits[match.group] &+= 1 }
                if before < PromptAnalyzer.maximumMatchesPerGroup, !analysis.matches.contains(match) { analysis.matches.append(match) }
            }
        }
        func isPrefix(_ hash: UInt64) -> Bool {
            analyzer.phrases.withFilters { _, prefixes, _ in PhraseIndex.mayMatch(hash, prefixes) }
        }
        var previous: UInt64 = 0
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
            if WordHash.isWordByte(byte) {
                let start = index
                while index < count, WordHash.isWordByte(bytes[index]) {
                    if bytes[index] >= 0x30 && bytes[index] <= 0x39 { analysis.digits += 1 }
                    index += 1
                }
                let hash = bytes.withUnsafeBufferPointer { WordHash.hash($0.baseAddress!, from: start, to: index, count: count) }
                analysis.words += 1
                atLineStart = false
                blankLine = false
                var bigram: UInt64 = 0
                record(hash)
                if previous != 0, collectsLexical || previousBeginsPhrase {
                    bigram = WordHash.combine(previous, hash)
                    if previousBeginsPhrase { record(bigram) }
                }
                if previousBigramBeginsPhrase { record(WordHash.combine(previousBigram, hash)) }
                previousBigramBeginsPhrase = previousBeginsPhrase && bigram != 0 && isPrefix(bigram)
                previousBeginsPhrase = isPrefix(hash)
                if isAsk { analysis.askWords += 1 }
                if collectsLexical, analysis.lexical.count < PromptAnalyzer.lexicalCap {
                    analysis.lexical.append(UInt32(truncatingIfNeeded: (hash >> 11) & mask))
                    if bigram != 0 { analysis.lexical.append(UInt32(truncatingIfNeeded: (bigram >> 11) & mask)) }
                }
                if previousEnd == start - 1, start >= 1, bytes[start - 1] == 0x2e, PromptAnalyzer.sourceExtensions.contains(hash) {
                    analysis.fileReferenceCount += 1
                    if analysis.fileReferences.count < 3 {
                        var begin = previousStart
                        while begin > 0, WordHash.isWordByte(bytes[begin - 1]) || [0x2f, 0x2e, 0x2d].contains(bytes[begin - 1]) { begin -= 1 }
                        analysis.fileReferences.append(String(decoding: bytes[begin..<index], as: UTF8.self))
                    }
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
            case 0x0a:
                if blankLine && !inFence && isAsk {
                    analysis.lexical.removeAll()
                    analysis.askWords = 0
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
                if inFence {
                    analysis.codeBlocks += 1
                    var end = index + 3
                    while end < count, WordHash.isWordByte(bytes[end]) || bytes[end] == 0x2b || bytes[end] == 0x23 { end += 1 }
                    let language = String(decoding: bytes[(index + 3)..<end], as: UTF8.self).lowercased()
                    if end > index + 3, analysis.codeLanguages.count < 8, !analysis.codeLanguages.contains(language) { analysis.codeLanguages.append(language) }
                }
                index += 3
                atLineStart = false
                blankLine = false
                continue
            case 0x2d where atLineStart, 0x2a where atLineStart:
                if index + 1 < count, bytes[index + 1] == 0x20 { analysis.listItems += 1 }
                atLineStart = false
                blankLine = false
            case 0x3f:
                analysis.questions += 1
                atLineStart = false
                blankLine = false
            case 0x3d, 0x2b, 0x5e, 0x5c, 0x24, 0x3c, 0x3e, 0x2a, 0x2f, 0x2d:
                analysis.mathSymbols += 1
                atLineStart = false
                blankLine = false
            case 0x2e, 0x29:
                if previousEnd == index, previousStart >= 0, index - previousStart <= 3,
                    (previousStart..<index).allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }),
                    startsLine(previousStart, bytes)
                {
                    analysis.listItems += 1
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
    }

    static func startsLine(_ position: Int, _ bytes: [UInt8]) -> Bool {
        var cursor = position - 1
        while cursor >= 0, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor -= 1 }
        return cursor < 0 || bytes[cursor] == 0x0a
    }
}
