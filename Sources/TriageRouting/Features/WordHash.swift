import CTriageScan

/// The word hashing shared by the prompt scan, the phrase index and the lexical features. A
/// word is a run of ASCII letters, digits, `_` and non-ASCII bytes (so words in other scripts
/// hash whole); its hash reads the lower-cased word eight bytes at a time, so a word of up to
/// eight bytes costs one load and two multiplies. Zero never occurs, so it marks "no word".
///
/// Changing the hash changes every lexical bucket: `ComplexityModel.version` names the hash a
/// model file was trained with.
enum WordHash {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The hash of the word in `bytes[start..<end]`; `count` bounds the buffer, so the eight-byte
    /// reads never pass its end.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, count: Int) -> UInt64 {
        let length = end &- start
        if length <= 8, start &+ 8 <= count {
            return finish(mix(UInt64(truncatingIfNeeded: length) &* 0x9e37_79b9_7f4a_7c15, lowered(load(bytes, start) & lowBytes(length))))
        }
        return longHash(bytes, from: start, to: end, count: count)
    }

    /// Words longer than eight bytes, and words near the end of the buffer.
    @inline(never)
    static func longHash(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, count: Int) -> UInt64 {
        var state = UInt64(truncatingIfNeeded: end - start) &* 0x9e37_79b9_7f4a_7c15
        var offset = start
        while offset < end {
            let take = min(8, end - offset)
            var chunk: UInt64
            if offset + 8 <= count {
                chunk = load(bytes, offset) & lowBytes(take)
            } else {
                chunk = 0
                for index in 0..<take { chunk |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
            }
            state = mix(state, lowered(chunk))
            offset += take
        }
        return finish(state)
    }

    @inline(__always)
    static func mix(_ state: UInt64, _ chunk: UInt64) -> UInt64 {
        let mixed = (state ^ chunk) &* 0xff51_afd7_ed55_8ccd
        return mixed ^ (mixed >> 32)
    }

    @inline(__always)
    static func finish(_ state: UInt64) -> UInt64 {
        let mixed = (state ^ (state >> 29)) &* 0xc4ce_b9fe_1a85_ec53
        return (mixed ^ (mixed >> 32)) | 1
    }

    /// Eight bytes from `offset`, the first in the low byte.
    @inline(__always)
    static func load(_ bytes: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt64.self))
    }

    /// A mask of the low `count` bytes (1...8).
    @inline(__always)
    static func lowBytes(_ count: Int) -> UInt64 {
        UInt64.max >> UInt64(truncatingIfNeeded: 64 &- 8 &* count)
    }

    /// The eight bytes with ASCII upper-case letters lower-cased, every other byte as it is.
    @inline(__always)
    static func lowered(_ chunk: UInt64) -> UInt64 {
        let ascii = chunk & ~highs
        let upper = (ascii &+ ones &* (0x80 - 0x41)) & ~(ascii &+ ones &* (0x7f - 0x5a)) & ~chunk & highs
        return chunk | (upper >> 2)
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

    /// The key of a word in `PhraseIndex`'s first-word filter: its first and last bytes (five
    /// low bits each, which ignores ASCII case) and its length up to 15. Computed without
    /// hashing, so the scan hashes only the few words that may begin a phrase.
    @inline(__always)
    static func shapeKey(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        Int(bytes[start] & 0x1f) << 9 | Int(bytes[end &- 1] & 0x1f) << 4 | min(end &- start, 15)
    }

    /// The words of `text` as `(start, end)` byte ranges.
    static func ranges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isWordByte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
            ranges.append(start..<index)
        }
        return ranges
    }

    /// The hashes of the words of `text`, as the scan would produce them.
    static func words(_ text: String) -> [UInt64] {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return [] }
            return ranges(bytes).map { hash(base, from: $0.lowerBound, to: $0.upperBound, count: bytes.count) }
        }
    }

    /// The first-word filter keys of the words of `text`.
    static func shapeKeys(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return [] }
            return ranges(bytes).map { shapeKey(base, from: $0.lowerBound, to: $0.upperBound) }
        }
    }

    /// The hash of a phrase of one or more words.
    static func phrase(_ words: [UInt64]) -> UInt64 {
        guard var hash = words.first else { return 0 }
        for word in words.dropFirst() { hash = combine(hash, word) }
        return hash
    }
}

/// A text's 64-byte blocks as bit masks: which bytes belong to words, and which are "events"
/// for the scan (any byte that is neither a word byte nor a space: punctuation, line breaks,
/// tabs). Bit `i` of a block's mask stands for its byte `i`. Computed by `CTriageScan`, sixteen
/// bytes per instruction with SSE2 (Swift's SIMD types compiled to far slower code here).
enum TextMasks {
    /// Fills `words` and `events` with the masks of every block of `bytes[0..<count]` (the last
    /// one padded with bytes that are neither) and returns how many ASCII digits there are.
    @inline(__always)
    static func fill(_ bytes: UnsafePointer<UInt8>, count: Int, words: UnsafeMutablePointer<UInt64>, events: UnsafeMutablePointer<UInt64>) -> Int {
        triage_text_masks(bytes, count, words, events)
    }

    /// The same masks from the portable byte-by-byte loop (what targets without SSE2 run).
    static func fillPortable(_ bytes: UnsafePointer<UInt8>, count: Int, words: UnsafeMutablePointer<UInt64>, events: UnsafeMutablePointer<UInt64>) -> Int {
        triage_text_masks_portable(bytes, count, words, events)
    }
}
