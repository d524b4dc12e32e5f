/// The word hashing shared by the prompt scan, the phrase index and the lexical features:
/// FNV-1a over lower-cased bytes, combined into n-gram hashes. Zero never occurs, so it marks
/// "no word".
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// The hash of an n-gram ending in `next` after the n-gram hashed as `previous`.
    @inline(__always)
    static func combine(_ previous: UInt64, _ next: UInt64) -> UInt64 {
        let mixed = (previous &* 0x9e37_79b9_7f4a_7c15) ^ (next &+ 0x632b_e59b_d9b4_e019 &+ (previous >> 29))
        return mixed | 1
    }

    /// Whether `byte` belongs to a word: ASCII letters and digits, `_`, and every byte of a
    /// non-ASCII character (so words in other scripts hash whole).
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
        var hashes: [UInt64] = []
        var hash = seed
        var inWord = false
        for byte in text.utf8 {
            if isWordByte(byte) {
                hash = step(hash, lowered(byte))
                inWord = true
            } else if inWord {
                hashes.append(hash | 1)
                hash = seed
                inWord = false
            }
        }
        if inWord { hashes.append(hash | 1) }
        return hashes
    }

    /// The hash of a phrase of one or more words.
    static func phrase(_ words: [UInt64]) -> UInt64 {
        guard var hash = words.first else { return 0 }
        for word in words.dropFirst() { hash = combine(hash, word) }
        return hash
    }
}
