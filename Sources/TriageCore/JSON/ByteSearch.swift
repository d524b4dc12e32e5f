/// Substring search over raw bytes, for cheap checks on the hot path before any parsing.
public enum ByteSearch {
    /// The index of the first occurrence of `needle` in `haystack`, or `nil`.
    public static func firstIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { matches(needle, in: haystack, at: $0) }
    }

    /// The index of the last occurrence of `needle` in `haystack`, or `nil`.
    public static func lastIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).reversed().first { matches(needle, in: haystack, at: $0) }
    }

    @inline(__always)
    private static func matches(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard haystack[index] == needle[0] else { return false }
        for offset in 1..<needle.count where haystack[index + offset] != needle[offset] { return false }
        return true
    }
}
