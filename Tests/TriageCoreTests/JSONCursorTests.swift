import Testing

@testable import TriageCore

/// The in-place cursor: what it skips or reads it must accept exactly when the parser does.
@Suite struct JSONCursorTests {
    /// Generated documents, most damaged on purpose: skipping a value ends where parsing it
    /// ends, and fails exactly when parsing fails.
    @Test func skippingAcceptsExactlyWhatParsingAccepts() {
        var random = SplitMix64(seed: 11)
        let atoms = [
            "0", "-12.5e+3", "01", "1.", "-", "true", "nul", "null", "\"\"", "\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00x\"",
            "\"\\q\"", "\"caf\u{e9}\"", "\"a long plain string of more than eight bytes, in words\"",
            "\"a longer one: \\\"quoted\\\" then \\\\ and caf\u{e9} and more words\"", "\"tab\there\"", "\"\\u12\"", "[]", "{}", "[1,]", "{\"a\":}", "{\"a\" 1}", "[1 2]", "{,}",
        ]
        func value(_ depth: Int) -> String {
            switch random.next() % (depth > 3 ? 1 : 4) {
            case 0: return atoms[Int(random.next() % UInt64(atoms.count))]
            case 1: return "[" + (0..<Int(random.next() % 4)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default: return "{" + (0..<Int(random.next() % 4)).map { _ in "\"k\(random.next() % 9)\" : " + value(depth + 1) }.joined(separator: ", ") + "}"
            }
        }
        var accepted = 0
        for round in 0..<20_000 {
            var bytes = Array(value(0).utf8)
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            case 1 where !bytes.isEmpty: bytes.removeLast(Int(random.next() % UInt64(bytes.count)) + 1)
            case 2: bytes.insert([0xff, 0xc3, 0xe2, 0x80, 0x5c, 0x22][Int(random.next() % 6)], at: Int(random.next() % UInt64(bytes.count + 1)))
            default: break
            }
            bytes.withUnsafeBytes { buffer in
                var parser = JSONParser.Reader(bytes: buffer, maxDepth: 3 + round % 4)
                var skipper = parser
                let parsed = Result { () throws(JSONParseError) in try parser.parseValue(depth: 0) }
                let skipped = Result { () throws(JSONParseError) in try skipper.skipValue(depth: 0) }
                switch (parsed, skipped) {
                case (.success, .success):
                    accepted += 1
                    #expect(parser.index == skipper.index, "\(String(decoding: bytes, as: UTF8.self))")
                case (.failure, .failure): break
                default: Issue.record("parse \(parsed), skip \(skipped): \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
        #expect(accepted > 2_000)
    }

    /// Strings read eight bytes at a time where they are plain: every byte that matters is
    /// still seen wherever it falls in an eight-byte group.
    @Test func stringsReadEightBytesAtATimeMissNothing() throws {
        var random = SplitMix64(seed: 5)
        let pieces = ["a", "plain text ", "é", "東京", "😀", "\"", "\\", "\n", "\u{1}", "/", "\u{7f}"]
        for _ in 0..<3_000 {
            let text = (0..<Int(random.next() % 40)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            var written: [UInt8] = []
            JSONWriter.writeString(text, into: &written)
            #expect(try JSONParser.parse(written) == .string(text))
            // A raw control character or a bad UTF-8 byte anywhere in the string is refused,
            // and so are an unknown escape and a string cut before its quote.
            let inside = Int(random.next() % UInt64(written.count - 1)) + 1
            for (bad, at) in [([UInt8(0x0a)], inside), ([0xff], inside), ([0x5c, 0x71], 1)] {
                var broken = written
                broken.insert(contentsOf: bad, at: at)
                #expect(throws: JSONParseError.self) { try JSONParser.parse(broken) }
            }
            #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(written.dropLast())) }
        }
    }

    @Test func readsMembersWhereTheyLie() throws {
        let text = Array(#" {"id": "r\u0031", "n": [1, {"x": null}], "plain": "café", "end": true} "#.utf8)
        try text.withUnsafeBufferPointer { bytes in
            var cursor = JSONCursor(bytes)
            try cursor.enterObject()
            var first = true
            var seen: [String] = []
            while let key = try cursor.nextKey(first: &first) {
                if cursor.matches(key, "id") {
                    let id = try cursor.stringContent()
                    #expect(!id.plain)
                    #expect(try cursor.decodedString(id.content) == "r1")
                } else if cursor.matches(key, "plain") {
                    let plain = try cursor.stringContent()
                    #expect(plain.plain)
                    #expect(String(decoding: cursor.bytes(plain.content), as: UTF8.self) == "café")
                } else {
                    try cursor.skipValue()
                }
                seen.append(String(decoding: cursor.bytes(key.content), as: UTF8.self))
            }
            try cursor.finish()
            #expect(seen == ["id", "n", "plain", "end"])
        }
        for bad in [#"{"a":1 "b":2}"#, #"{"a":1,}"#, #"{"a":1} x"#, #"["a"]"#, #"{"a":"\x"}"#] {
            #expect(throws: JSONParseError.self) {
                try Array(bad.utf8).withUnsafeBufferPointer { bytes in
                    var cursor = JSONCursor(bytes)
                    try cursor.enterObject()
                    var first = true
                    while try cursor.nextKey(first: &first) != nil { try cursor.skipValue() }
                    try cursor.finish()
                }
            }
        }
    }
}
