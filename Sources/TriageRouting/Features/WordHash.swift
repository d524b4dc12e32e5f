/// The word hashing shared by the prompt scan, the phrase index and the lexical features:
/// FNV-1a over lower-cased bytes, combined into n-gram hashes. Zero never occurs, so it marks
/// "no word".
///
/// A word is a run of ASCII letters, digits, `_` and non-ASCII bytes (so words in other scripts
/// hash whole). Reading eight bytes at a time with SWAR classification was tried and measured
/// twice as slow as this byte loop over its class table on the benchmark machine.
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// Byte classes: the low byte is the byte lower-cased, bit 8 marks a byte of a word, bit 9
    /// a digit; 0 for every other byte.
    static let byteClasses: [UInt16] = (0..<256).map { value in
        let byte = UInt8(value)
        guard isWordByte(byte) else { return 0 }
        return 0x100 | (byte >= 0x30 && byte <= 0x39 ? 0x200 : 0) | UInt16(lowered(byte))
    }

    /// A word read from a text.
    struct Word {
        /// Its hash (never zero).
        var hash: UInt64
        /// The offset just past its last byte.
        var end: Int
        /// How many of its bytes are ASCII digits.
        var digits: Int
    }

    /// The word starting at `start`, whose first byte must be a word byte; `classes` is
    /// `byteClasses`.
    @inline(__always)
    static func word(at start: Int, in bytes: UnsafePointer<UInt8>, count: Int, classes: UnsafePointer<UInt16>) -> Word {
        var hash = seed
        var digits = 0
        var index = start
        var kind = classes[Int(bytes[index])]
        repeat {
            hash = step(hash, UInt8(truncatingIfNeeded: kind))
            digits &+= Int(kind >> 9)
            index &+= 1
            if index == count { break }
            kind = classes[Int(bytes[index])]
        } while kind != 0
        return Word(hash: hash | 1, end: index, digits: digits)
    }

    /// The hash of an n-gram ending in `next` after the n-gram hashed as `previous`.
    @inline(__always)
    static func combine(_ previous: UInt64, _ next: UInt64) -> UInt64 {
        let mixed = (previous &* 0x9e37_79b9_7f4a_7c15) ^ (next &+ 0x632b_e59b_d9b4_e019 &+ (previous >> 29))
        return mixed | 1
    }

    /// Whether `byte` belongs to a word.
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f
    }

    @inline(__always)
    static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }

    /// The hashes of the words of `text`, as the scan would produce them.
    static func words(_ text: String) -> [UInt64] {
        var text = text
        return text.withUTF8 { bytes in
            byteClasses.withUnsafeBufferPointer { classes in
                guard let base = bytes.baseAddress, let classes = classes.baseAddress else { return [] }
                var hashes: [UInt64] = []
                var index = 0
                while index < bytes.count {
                    if classes[Int(base[index])] != 0 {
                        let word = word(at: index, in: base, count: bytes.count, classes: classes)
                        hashes.append(word.hash)
                        index = word.end
                    } else {
                        index += 1
                    }
                }
                return hashes
            }
        }
    }

    /// The hash of a phrase of one or more words.
    static func phrase(_ words: [UInt64]) -> UInt64 {
        guard var hash = words.first else { return 0 }
        for word in words.dropFirst() { hash = combine(hash, word) }
        return hash
    }
}
