import Testing

@testable import TriageRouting

/// The scan's word reader against a plain reference: where words end, their digits, case.
@Suite struct WordHashTests {
    /// The reference: the word's lower-cased bytes, its end and its digits, one byte at a time.
    func reference(_ bytes: [UInt8], at start: Int) -> (lowered: [UInt8], end: Int, digits: Int) {
        var end = start
        var lowered: [UInt8] = []
        var digits = 0
        while end < bytes.count, WordHash.isWordByte(bytes[end]) {
            let byte = bytes[end]
            lowered.append(byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)
            if byte >= 0x30 && byte <= 0x39 { digits += 1 }
            end += 1
        }
        return (lowered, end, digits)
    }

    func word(_ bytes: [UInt8], at start: Int) -> WordHash.Word {
        bytes.withUnsafeBufferPointer { bytes in
            WordHash.byteClasses.withUnsafeBufferPointer { classes in
                WordHash.word(at: start, in: bytes.baseAddress!, count: bytes.count, classes: classes.baseAddress!)
            }
        }
    }

    @Test func readsWordsOfEveryLengthToTheirEndAndIgnoresCase() {
        let alphabet = Array("aZ0_é9Qx".utf8)
        var seen: [[UInt8]: UInt64] = [:]
        for length in 1...40 {
            for variant in 0..<20 {
                let word = (0..<length).map { alphabet[($0 * 7 + variant * 13 + length * 3 + $0 * $0 * variant) % alphabet.count] }
                for (prefix, suffix) in [([UInt8](), [UInt8]()), (Array("  ".utf8), Array(" tail".utf8)), (Array("x ".utf8), Array(".".utf8))] {
                    let bytes = prefix + word + suffix
                    let read = self.word(bytes, at: prefix.count)
                    let expected = reference(bytes, at: prefix.count)
                    #expect(read.end == expected.end)
                    #expect(read.digits == expected.digits)
                    #expect(read.hash & 1 == 1)
                    // The same lower-cased word always hashes the same, wherever it stands.
                    if let earlier = seen[expected.lowered] { #expect(earlier == read.hash) } else { seen[expected.lowered] = read.hash }
                    let upper = bytes.map { $0 >= 0x61 && $0 <= 0x7a ? $0 & ~0x20 : $0 }
                    #expect(self.word(upper, at: prefix.count).hash == read.hash)
                }
            }
        }
        // Different words, different hashes.
        #expect(Set(seen.values).count == seen.count)
    }

    @Test func splitsTextIntoWordsAsTheScanDoes() {
        let words = WordHash.words("Refactor the parser_v2, then café!")
        #expect(words.count == 5)
        #expect(words == WordHash.words("refactor THE Parser_V2 then CAFé"))
        #expect(WordHash.words("") == [])
        #expect(WordHash.words(" .,; ") == [])
        #expect(WordHash.words("abcdefgh") != WordHash.words("abcdefgh0"))
    }
}
