import Testing
import TriageCore

@Suite struct ByteSearchTests {
    /// Every search agrees with a plain scan of the bytes, at every start, for every needle.
    @Test func searchesAgreeWithAPlainScan() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 7, 16, 33, 300] {
            let haystack = (0..<length).map { _ in [UInt8(ascii: "a"), UInt8(ascii: "\n"), UInt8(ascii: "\""), UInt8(ascii: "u")].randomElement(using: &generator)! }
            haystack.withUnsafeBufferPointer { bytes in
                for byte in [UInt8(ascii: "\n"), UInt8(ascii: "u"), UInt8(ascii: "z")] {
                    for start in 0...length {
                        let expected = haystack.indices.first { $0 >= start && haystack[$0] == byte }
                        #expect(ByteSearch.firstIndex(of: byte, in: bytes, from: start) == expected)
                    }
                }
                for needle in [Array("\"u".utf8), Array("a\na".utf8), Array("zz".utf8)] {
                    let starts = needle.count <= length ? Array(0...(length - needle.count)) : []
                    let matches = starts.filter { Array(haystack[$0..<($0 + needle.count)]) == needle }
                    #expect(ByteSearch.firstIndex(of: needle, in: bytes) == matches.first)
                    #expect(ByteSearch.lastIndex(of: needle, in: bytes) == matches.last)
                }
                #expect(ByteSearch.equal(bytes, haystack))
                #expect(!ByteSearch.equal(bytes, haystack + [0]))
                if length > 0 { #expect(!ByteSearch.equal(bytes, Array(haystack.dropLast()) + [UInt8(ascii: "z")])) }
            }
        }
    }
}
