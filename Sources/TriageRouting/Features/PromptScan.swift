extension PromptAnalyzer {
    /// One message's scan, driven by bit masks rather than byte by byte.
    ///
    /// `TextMasks` first turns the text into two masks per 64 bytes, word bytes and event bytes
    /// (anything but a word byte or a space), sixteen bytes at a time. Then two passes walk the set
    /// bits: the events (line breaks, fences, list markers, questions, math) and the words (cue
    /// phrases, lexical features, file references). A word is hashed only when it may begin a
    /// phrase (`PhraseIndex`'s first-word filter, read from its first and last bytes and its
    /// length), continues one, or feeds the lexical features, so most words cost a few bit
    /// operations and no byte loop.
    struct Scan {
        let phraseIndex: PhraseIndex
        let filter: UnsafeBufferPointer<UInt64>
        let prefixFilter: UnsafeBufferPointer<UInt64>
        let firstWordFilter: UnsafeBufferPointer<UInt64>
        let hits: UnsafeMutableBufferPointer<UInt16>
        let askHits: UnsafeMutableBufferPointer<UInt16>
        let isAsk: Bool
        let collectsLexical: Bool
        let mask: UInt64

        init(
            analyzer: PromptAnalyzer, isAsk: Bool, filter: UnsafeBufferPointer<UInt64>, prefixFilter: UnsafeBufferPointer<UInt64>,
            firstWordFilter: UnsafeBufferPointer<UInt64>, hits: UnsafeMutableBufferPointer<UInt16>, askHits: UnsafeMutableBufferPointer<UInt16>
        ) {
            self.phraseIndex = analyzer.phrases
            self.filter = filter
            self.prefixFilter = prefixFilter
            self.firstWordFilter = firstWordFilter
            self.hits = hits
            self.askHits = askHits
            self.isAsk = isAsk
            self.collectsLexical = isAsk && analyzer.collectsLexical
            self.mask = UInt64((1 << analyzer.hashBits) - 1)
        }

        func run(_ bytes: UnsafePointer<UInt8>, count: Int, into analysis: inout PromptAnalysis) {
            analysis.bytes += count
            let blocks = (count + 63) >> 6
            // Word, event and paragraph-break masks, one word of each per block.
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * blocks) { masks in
                let words = masks.baseAddress!
                let events = words + blocks
                let breaks = events + blocks
                breaks.initialize(repeating: 0, count: blocks)
                analysis.digits += TextMasks.fill(bytes, count: count, words: words, events: events)
                let lastBreak = readEvents(bytes, count: count, events: events, blocks: blocks, breaks: breaks, into: &analysis)
                readWords(bytes, count: count, words: words, blocks: blocks, breaks: breaks, lastBreak: lastBreak, into: &analysis)
            }
        }

        /// The event pass: line structure, fences, lists, questions and math. Returns the
        /// position of the ask's last paragraph break (a blank line outside code), or -1, and
        /// marks every such break in `breaks`.
        func readEvents(
            _ bytes: UnsafePointer<UInt8>, count: Int, events: UnsafePointer<UInt64>, blocks: Int, breaks: UnsafeMutablePointer<UInt64>,
            into analysis: inout PromptAnalysis
        ) -> Int {
            var questions = 0
            var mathSymbols = 0
            var listItems = 0
            var inFence = false
            var lastBreak = -1
            var skipBefore = 0
            for block in 0..<blocks {
                var pending = events[block]
                while pending != 0 {
                    let index = block << 6 | pending.trailingZeroBitCount
                    pending &= pending &- 1
                    if index < skipBefore { continue }
                    switch bytes[index] {
                    case 0x0a:  // newline
                        if isAsk, !inFence, Self.indent(before: index, bytes, skippingReturns: true) != nil {
                            // A blank line in the ask starts a new paragraph: only the last one
                            // feeds the lexical features, so few-shot examples and pasted
                            // context do not drown the question.
                            breaks[block] |= 1 << UInt64(index & 63)
                            lastBreak = index
                        }
                    case 0x60:  // a fence: three backticks at the start of a line indented at most three
                        guard index + 2 < count, bytes[index + 1] == 0x60, bytes[index + 2] == 0x60,
                            let indent = Self.indent(before: index, bytes, skippingReturns: true), indent <= 3
                        else { break }
                        inFence.toggle()
                        if inFence { Self.openFence(at: index + 3, bytes: bytes, count: count, into: &analysis) }
                        skipBefore = index + 3
                    case 0x2d, 0x2a:  // "- item", "* item" at the start of a line, else math
                        if Self.indent(before: index, bytes, skippingReturns: true) != nil {
                            if index + 1 < count, bytes[index + 1] == 0x20 { listItems += 1 }
                        } else {
                            mathSymbols += 1
                        }
                    case 0x3f:
                        questions += 1
                    case 0x3d, 0x2b, 0x5e, 0x5c, 0x24, 0x3c, 0x3e, 0x2f:
                        mathSymbols += 1
                    case 0x2e, 0x29:  // "1. item", "2) item"
                        if Self.endsListNumber(at: index, bytes) { listItems += 1 }
                    default:
                        break
                    }
                }
            }
            analysis.questions += questions
            analysis.mathSymbols += mathSymbols
            analysis.listItems += listItems
            return lastBreak
        }

        /// The word pass: words, the ask's words, cue phrases of one to three words, lexical
        /// n-grams of the ask's last paragraph, and referenced source files.
        func readWords(
            _ bytes: UnsafePointer<UInt8>, count: Int, words: UnsafePointer<UInt64>, blocks: Int, breaks: UnsafePointer<UInt64>, lastBreak: Int,
            into analysis: inout PromptAnalysis
        ) {
            var wordCount = 0
            var askWords = analysis.askWords
            // Words after these positions count as the ask's, and feed the lexical features.
            let askFrom = isAsk ? lastBreak : Int.max
            let lexicalFrom = collectsLexical ? lastBreak : Int.max
            var chain = Chain()
            var nextBreak = isAsk ? Self.nextBit(in: breaks, blocks: blocks, from: 0) : Int.max
            var carry: UInt64 = 0
            for block in 0..<blocks {
                let wordBits = words[block]
                var starts = wordBits & ~(wordBits << 1 | carry)
                carry = wordBits >> 63
                while starts != 0 {
                    let bit = starts.trailingZeroBitCount
                    starts &= starts &- 1
                    let start = block << 6 | bit
                    let rest = ~wordBits >> UInt64(bit)
                    let end = rest != 0 ? start &+ rest.trailingZeroBitCount : Self.wordEnd(after: block, words: words, blocks: blocks, count: count)
                    wordCount &+= 1
                    if start > askFrom { askWords &+= 1 }
                    if start > nextBreak {
                        // Phrases and n-grams do not run across a paragraph break.
                        chain = Chain()
                        nextBreak = Self.nextBit(in: breaks, blocks: blocks, from: start)
                    }
                    // (Once the lexical features are full, a word feeds them no more.)
                    let lexical = start > lexicalFrom && analysis.lexical.count < PromptAnalyzer.lexicalCap
                    // `name.ext`: a word right after a dot right after a word.
                    let dotted = start >= 2 && bytes[start &- 1] == 0x2e && WordHash.isWordByte(bytes[start &- 2])
                    guard chain.continues || lexical || dotted || PhraseIndex.hasBit(WordHash.shapeKey(bytes, from: start, to: end), firstWordFilter) else {
                        // Neither a phrase's first word nor a continuation: nothing to hash.
                        chain.previous = 0
                        continue
                    }
                    read(bytes, from: start, to: end, count: count, lexical: lexical, dotted: dotted, chain: &chain, into: &analysis)
                }
            }
            analysis.words += wordCount
            analysis.askWords = askWords
        }

        /// A word that must be hashed: its phrases, lexical n-grams and file reference. Kept out
        /// of line, so the loop over the words that need none of it stays in registers.
        @inline(never)
        func read(
            _ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, count: Int, lexical: Bool, dotted: Bool, chain: inout Chain,
            into analysis: inout PromptAnalysis
        ) {
            let hash = WordHash.hash(bytes, from: start, to: end, count: count)
            let bigram = chain.add(hash, formingBigram: lexical, scan: self, into: &analysis)
            if lexical {
                analysis.lexical.append(UInt32(truncatingIfNeeded: (hash >> 11) & mask))
                if bigram != 0 { analysis.lexical.append(UInt32(truncatingIfNeeded: (bigram >> 11) & mask)) }
            }
            if dotted { fileReference(hash, dot: start - 1, end: end, bytes: bytes, into: &analysis) }
        }

        /// The words just read, as far as a phrase of up to three words can still use them.
        struct Chain {
            /// The last word's hash, 0 when it was not hashed.
            var previous: UInt64 = 0
            /// The bigram ending at `previous`, 0 when there is none or it was not needed.
            var previousBigram: UInt64 = 0
            var previousBeginsPhrase = false
            var previousBigramBeginsPhrase = false

            /// Whether the next word may continue a phrase, so it must be hashed.
            var continues: Bool { previousBeginsPhrase || previousBigramBeginsPhrase }

            /// Adds a word: records the phrases of one to three words ending in it and returns
            /// the bigram ending in it when one was formed (for a phrase, or when `formingBigram`).
            @inline(__always)
            mutating func add(_ hash: UInt64, formingBigram: Bool, scan: Scan, into analysis: inout PromptAnalysis) -> UInt64 {
                var bigram: UInt64 = 0
                if PhraseIndex.mayMatch(hash, scan.filter) { scan.record(hash, &analysis) }
                if previous != 0, formingBigram || previousBeginsPhrase {
                    bigram = WordHash.combine(previous, hash)
                    if previousBeginsPhrase, PhraseIndex.mayMatch(bigram, scan.filter) { scan.record(bigram, &analysis) }
                }
                if previousBigramBeginsPhrase {
                    let trigram = WordHash.combine(previousBigram, hash)
                    if PhraseIndex.mayMatch(trigram, scan.filter) { scan.record(trigram, &analysis) }
                }
                previousBigramBeginsPhrase = previousBeginsPhrase && PhraseIndex.mayMatch(bigram, scan.prefixFilter)
                previousBeginsPhrase = PhraseIndex.mayMatch(hash, scan.prefixFilter)
                previousBigram = bigram
                previous = hash
                return bigram
            }
        }

        /// The end of a word that runs to the end of `block`: the first clear bit of the word
        /// masks after it, or `count`.
        static func wordEnd(after block: Int, words: UnsafePointer<UInt64>, blocks: Int, count: Int) -> Int {
            var block = block + 1
            while block < blocks {
                let clear = ~words[block]
                if clear != 0 { return block << 6 | clear.trailingZeroBitCount }
                block += 1
            }
            return count
        }

        /// The first set bit at or after `position`, or `Int.max`.
        static func nextBit(in masks: UnsafePointer<UInt64>, blocks: Int, from position: Int) -> Int {
            var block = position >> 6
            guard block < blocks else { return Int.max }
            var bits = masks[block] & (UInt64.max << UInt64(position & 63))
            while bits == 0 {
                block += 1
                guard block < blocks else { return Int.max }
                bits = masks[block]
            }
            return block << 6 | bits.trailingZeroBitCount
        }

        /// The spaces and tabs between the start of the line and `position` when nothing else
        /// stands there (carriage returns are skipped when `skippingReturns`), else nil.
        @inline(__always)
        static func indent(before position: Int, _ bytes: UnsafePointer<UInt8>, skippingReturns: Bool) -> Int? {
            var indent = 0
            var cursor = position - 1
            while cursor >= 0 {
                switch bytes[cursor] {
                case 0x20, 0x09: indent += 1
                case 0x0d where skippingReturns: break
                case 0x0a: return indent
                default: return nil
                }
                cursor -= 1
            }
            return indent
        }

        /// Whether the dot or parenthesis at `position` ends a list number: one to three digits
        /// alone at the start of a line.
        static func endsListNumber(at position: Int, _ bytes: UnsafePointer<UInt8>) -> Bool {
            var start = position
            while start > 0, WordHash.isWordByte(bytes[start - 1]) {
                start -= 1
                if position - start > 3 { return false }
            }
            guard start < position, (start..<position).allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) else { return false }
            return indent(before: start, bytes, skippingReturns: false) != nil
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

        /// `word` (ending at `end`) followed a dot right after another word: a referenced source
        /// file when `word` is a source extension. The path is read back from the dot.
        func fileReference(_ word: UInt64, dot: Int, end: Int, bytes: UnsafePointer<UInt8>, into analysis: inout PromptAnalysis) {
            guard PromptAnalyzer.sourceExtensions.contains(word) else { return }
            analysis.fileReferenceCount += 1
            if analysis.fileReferences.count < 3 {
                var begin = dot
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
