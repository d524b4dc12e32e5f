import Testing

@testable import TriageRouting

/// The word hash and the scan's byte masks against plain byte-by-byte references.
@Suite struct WordHashTests {
    func hash(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        bytes.withUnsafeBufferPointer { WordHash.hash($0.baseAddress!, from: range.lowerBound, to: range.upperBound, count: $0.count) }
    }

    @Test func hashesWordsOfEveryLengthWhereverTheyStandIgnoringCase() {
        let alphabet = Array("aZ0_é9Qx".utf8)
        var seen: [[UInt8]: UInt64] = [:]
        for length in 1...40 {
            for variant in 0..<20 {
                let word = (0..<length).map { alphabet[($0 * 7 + variant * 13 + length * 3 + $0 * $0 * variant) % alphabet.count] }
                let lowered = word.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }
                // At the start, in the middle, and at the very end of the buffer (where the
                // eight-byte reads must not pass it).
                for (prefix, suffix) in [([UInt8](), [UInt8]()), (Array("  ".utf8), Array(" tail and more text".utf8)), (Array("x ".utf8), Array(".".utf8))] {
                    let bytes = prefix + word + suffix
                    let read = hash(bytes, prefix.count..<(prefix.count + length))
                    #expect(read & 1 == 1)
                    // The same lower-cased word always hashes the same, wherever it stands.
                    if let earlier = seen[lowered] { #expect(earlier == read) } else { seen[lowered] = read }
                    let upper = bytes.map { $0 >= 0x61 && $0 <= 0x7a ? $0 & ~0x20 : $0 }
                    #expect(hash(upper, prefix.count..<(prefix.count + length)) == read)
                }
            }
        }
        // Different words, different hashes.
        #expect(Set(seen.values).count == seen.count)
        // Bytes past the word never count.
        #expect(hash(Array("abcXYZ--------".utf8), 0..<3) == hash(Array("abc".utf8), 0..<3))
    }

    @Test func splitsTextIntoWordsAsTheScanDoes() {
        let words = WordHash.words("Refactor the parser_v2, then café!")
        #expect(words.count == 5)
        #expect(words == WordHash.words("refactor THE Parser_V2 then CAFé"))
        #expect(WordHash.words("") == [])
        #expect(WordHash.words(" .,; ") == [])
        #expect(WordHash.words("abcdefgh") != WordHash.words("abcdefgh0"))
        #expect(WordHash.shapeKeys("Drop table") == WordHash.shapeKeys("dROP TABLE"))
    }

    /// Every byte value in every lane, and random blocks: the SSE2 masks and the portable
    /// loop's against the byte-by-byte definitions.
    @Test func masksAgreeWithTheByteDefinitions() {
        var random = SplitMix(seed: 7)
        var texts: [[UInt8]] = (0..<256).map { value in (0..<67).map { UInt8(truncatingIfNeeded: value &+ $0 &* 37) } }
        for length in [0, 1, 7, 8, 63, 64, 65, 200] {
            texts.append((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            texts.append((0..<length).map { _ in Array(" aZ_9\n\t.-é?`".utf8)[Int(random.next() % 13)] })
        }
        for text in texts {
            let blocks = (text.count + 63) / 64
            var words = [UInt64](repeating: 0, count: max(blocks, 1))
            var events = words
            var portableWords = words
            var portableEvents = words
            let (digits, portableDigits) = text.withUnsafeBufferPointer { bytes in
                let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 8)!
                return (
                    TextMasks.fill(base, count: text.count, words: &words, events: &events),
                    TextMasks.fillPortable(base, count: text.count, words: &portableWords, events: &portableEvents)
                )
            }
            #expect(digits == text.filter { $0 >= 0x30 && $0 <= 0x39 }.count)
            // Targets without SSE2 run the portable loop: it must give the same masks.
            #expect(portableDigits == digits)
            #expect(portableWords == words)
            #expect(portableEvents == events)
            for (index, byte) in text.enumerated() {
                let isWord = words[index >> 6] >> UInt64(index & 63) & 1 == 1
                let isEvent = events[index >> 6] >> UInt64(index & 63) & 1 == 1
                #expect(isWord == WordHash.isWordByte(byte), "byte \(byte) at \(index)")
                #expect(isEvent == (!WordHash.isWordByte(byte) && byte != 0x20), "byte \(byte) at \(index)")
            }
            // Padding past the text is neither.
            for index in text.count..<(blocks * 64) {
                #expect(words[index >> 6] >> UInt64(index & 63) & 1 == 0)
                #expect(events[index >> 6] >> UInt64(index & 63) & 1 == 0)
            }
        }
    }
}

/// A small deterministic generator for tests that need the same random inputs every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }
}
