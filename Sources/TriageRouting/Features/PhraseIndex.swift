/// Named groups of cue phrases (one to three words each), matched in the single pass of the
/// prompt scan through an open-addressing table of phrase hashes: a word costs at most three
/// probes, whatever the number of phrases.
public final class PhraseIndex: Sendable {
    /// A group of phrases that count together (a skill's cues, a risk's trigger words).
    public struct Group: Sendable, Hashable {
        public var name: String
        public var phrases: [String]
        public init(name: String, phrases: [String]) {
            self.name = name
            self.phrases = phrases
        }
    }

    /// A phrase found in the text.
    public struct Match: Sendable, Hashable {
        public var group: Int
        public var phrase: Int
    }

    public let groups: [Group]
    private let keys: [UInt64]
    /// For each slot, the range of `entries` that the phrase belongs to.
    private let starts: [UInt32]
    private let counts: [UInt8]
    private let entries: [Match]
    private let mask: Int
    /// One bit per 16-bit hash slice: a word whose bit is clear matches no phrase, which is the
    /// answer for almost every word, found with one load.
    private let filter: [UInt64]
    /// The same kind of filter for the n-grams that begin a longer phrase (the first word of
    /// "drop table", the first two of "write to production"): the scan combines a word into a
    /// bigram or trigram only after one of these, so most words cost one probe of each filter.
    private let prefixFilter: [UInt64]
    /// One bit per `WordHash.shapeKey` of every phrase's first word: the scan hashes a word only
    /// when its bit is set (or when a phrase or the lexical features need it anyway).
    private let firstWordFilter: [UInt64]

    public init(groups: [Group]) {
        self.groups = groups
        var byHash: [UInt64: [Match]] = [:]
        var prefixes: Set<UInt64> = []
        var firstWordFilter = [UInt64](repeating: 0, count: Self.firstWordFilterWords)
        for (groupIndex, group) in groups.enumerated() {
            for (phraseIndex, phrase) in group.phrases.enumerated() {
                let words = WordHash.words(phrase)
                guard !words.isEmpty, words.count <= 3 else { continue }
                byHash[WordHash.phrase(words), default: []].append(Match(group: groupIndex, phrase: phraseIndex))
                for length in 1..<words.count { prefixes.insert(WordHash.phrase(Array(words.prefix(length)))) }
                let key = WordHash.shapeKeys(phrase)[0]
                firstWordFilter[key >> 6] |= 1 << UInt64(key & 63)
            }
        }
        var size = 16
        while size < byHash.count * 4 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var starts = [UInt32](repeating: 0, count: size)
        var counts = [UInt8](repeating: 0, count: size)
        var entries: [Match] = []
        for (hash, matches) in byHash {
            var slot = Int(truncatingIfNeeded: hash >> 7) & (size - 1)
            while keys[slot] != 0 { slot = (slot + 1) & (size - 1) }
            keys[slot] = hash
            starts[slot] = UInt32(entries.count)
            counts[slot] = UInt8(min(matches.count, 255))
            entries += matches.prefix(255)
        }
        self.filter = Self.filter(of: byHash.keys)
        self.prefixFilter = Self.filter(of: prefixes)
        self.firstWordFilter = firstWordFilter
        self.keys = keys
        self.starts = starts
        self.counts = counts
        self.entries = entries
        self.mask = size - 1
    }

    /// A 65,536-bit filter with the bit of each hash set.
    private static func filter(of hashes: some Sequence<UInt64>) -> [UInt64] {
        var filter = [UInt64](repeating: 0, count: 1024)
        for hash in hashes {
            let bit = Int(truncatingIfNeeded: hash >> 40) & 0xffff
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        return filter
    }

    /// `WordHash.shapeKey` has 14 bits.
    static let firstWordFilterWords = (1 << 14) / 64

    /// Runs `body` with the phrase filter, the prefix filter and the first-word filter, for a
    /// scan that probes them for every word.
    @inline(__always)
    func withFilters<R>(
        _ body: (_ phrases: UnsafeBufferPointer<UInt64>, _ prefixes: UnsafeBufferPointer<UInt64>, _ firstWords: UnsafeBufferPointer<UInt64>) -> R
    ) -> R {
        filter.withUnsafeBufferPointer { phrases in
            prefixFilter.withUnsafeBufferPointer { prefixes in firstWordFilter.withUnsafeBufferPointer { firstWords in body(phrases, prefixes, firstWords) } }
        }
    }

    /// Whether bit `key` of `filter` is set.
    @inline(__always)
    static func hasBit(_ key: Int, _ filter: UnsafeBufferPointer<UInt64>) -> Bool {
        filter[key >> 6] & (1 << UInt64(key & 63)) != 0
    }

    /// Whether `hash` may be a phrase: `false` for almost every n-gram of a text, from one load.
    @inline(__always)
    static func mayMatch(_ hash: UInt64, _ filter: UnsafeBufferPointer<UInt64>) -> Bool {
        let bit = Int(truncatingIfNeeded: hash >> 40) & 0xffff
        return filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// Calls `body` with each group and phrase whose hash is `hash`.
    @inline(__always)
    func forEachMatch(of hash: UInt64, _ body: (Match) -> Void) {
        let bit = Int(truncatingIfNeeded: hash >> 40) & 0xffff
        guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { return }
        var slot = Int(truncatingIfNeeded: hash >> 7) & mask
        while true {
            let key = keys[slot]
            if key == 0 { return }
            if key == hash {
                let start = Int(starts[slot])
                for index in start..<(start + Int(counts[slot])) { body(entries[index]) }
                return
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index of the group named `name`.
    public func group(named name: String) -> Int? {
        groups.firstIndex { $0.name == name }
    }

    /// The text of a matched phrase.
    public func phrase(_ match: Match) -> String {
        groups[match.group].phrases[match.phrase]
    }
}
