/// Substring search over raw bytes, for hot paths that must not build strings.
public enum ByteSearch {
    /// Whether `bytes` are exactly `other` (lengths first, then one `memcmp`-like pass).
    @inline(__always)
    public static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Bool {
        guard bytes.count == other.count else { return false }
        return other.withUnsafeBufferPointer { other in
            var index = 0
            while index < other.count {
                if bytes[index] != other[index] { return false }
                index &+= 1
            }
            return true
        }
    }

    /// The index of the first occurrence of `needle` in `haystack`, or `nil`.
    public static func firstIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count, let base = haystack.baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { needle in
            let first = needle[0]
            let last = haystack.count - needle.count
            var index = 0
            while index <= last {
                if base[index] == first, matches(needle, in: base, at: index) { return index }
                index &+= 1
            }
            return nil
        }
    }

    /// The index of the last occurrence of `needle` in `haystack`, or `nil`.
    public static func lastIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count, let base = haystack.baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { needle in
            var index = haystack.count - needle.count
            while index >= 0 {
                if base[index] == needle[0], matches(needle, in: base, at: index) { return index }
                index &-= 1
            }
            return nil
        }
    }

    @inline(__always)
    private static func matches(_ needle: UnsafeBufferPointer<UInt8>, in base: UnsafePointer<UInt8>, at index: Int) -> Bool {
        var offset = 1
        while offset < needle.count {
            if base[index &+ offset] != needle[offset] { return false }
            offset &+= 1
        }
        return true
    }
}
