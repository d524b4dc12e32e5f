#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring search over raw bytes, for hot paths that must not build strings.
public enum ByteSearch {
    /// The index of the first `byte` at or after `start`, or `nil`: libc's vectorised `memchr`,
    /// for scans that look for one byte (a line end) over long runs.
    @inline(__always)
    public static func firstIndex(of byte: UInt8, in haystack: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        guard start < haystack.count, let base = haystack.baseAddress, let found = memchr(base + start, Int32(byte), haystack.count - start) else {
            return nil
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

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
