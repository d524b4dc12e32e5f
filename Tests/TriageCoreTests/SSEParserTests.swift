import Foundation
import Testing
import TriageCodecs
import TriageCore

@Suite struct SSEParserTests {
    let stream = "data: {\"a\":1}\n\n: keep-alive\n\nevent: ping\ndata: x\ndata: y\n\ndata: [DONE]\n\n"

    @Test func parsesEventsWithRawBytes() throws {
        var parser = SSEParser()
        let events = try parser.push(Array(stream.utf8))
        #expect(events.map(\.data) == ["{\"a\":1}", "x\ny", "[DONE]"])
        #expect(events[1].event == "ping")
        #expect(String(decoding: events[0].raw, as: UTF8.self) == "data: {\"a\":1}\n\n")
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkBoundariesDoNotMatter(chunkSize: Int) throws {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        let bytes = Array(stream.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var index = 0
        while index < bytes.count {
            events += try parser.push(bytes[index..<min(index + chunkSize, bytes.count)])
            index += chunkSize
        }
        #expect(events.map(\.data) == ["{\"a\":1}", "x\ny", "[DONE]"])
    }

    @Test func bareCarriageReturnsEndLines() throws {
        var parser = SSEParser()
        let events = try parser.push(Array("data: a\r\rdata: b\r\r".utf8))
        #expect(events.map(\.data) == ["a", "b"])
    }

    @Test func oversizedEventIsAnError() {
        var parser = SSEParser(maxEventBytes: 32)
        #expect(throws: SSEParseError.self) { try parser.push(Array(("data: " + String(repeating: "x", count: 64)).utf8)) }
    }

    @Test func partialEventIsReported() throws {
        var parser = SSEParser()
        _ = try parser.push(Array("data: {\"choices\":[".utf8))
        #expect(parser.hasPartialEvent)
    }

    @Test func writerFramesMultilinePayloads() {
        #expect(String(decoding: SSEWriter.data("a\nb"), as: UTF8.self) == "data: a\ndata: b\n\n")
        #expect(String(decoding: SSEWriter.done, as: UTF8.self) == "data: [DONE]\n\n")
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("data: event:id:\n\r:{}[DONE]x ".utf8) + [0x00, 0xFF, 0xEF, 0xBB, 0xBF]
        for _ in 0..<5_000 {
            var parser = SSEParser(maxEventBytes: 1024)
            let length = Int(generator.next() % 200)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            _ = try? parser.push(bytes)
        }
    }
}

@Suite struct SSEWriterTests {
    /// `json` must write exactly what the string route writes, line breaks in values included,
    /// and what it writes must parse back to the value as one event.
    @Test(arguments: [
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"two\nlines\r\nand \"quotes\" \u0001"}}"#,
        #"[1,-0.5e9,true,null,"é😀",{"a":{}}]"#,
        #""just a string""#,
    ])
    func jsonEventEqualsTheStringRoute(_ text: String) throws {
        let value = try JSONParser.parse(text)
        for name in [nil, "content_block_delta"] as [String?] {
            let direct = SSEWriter.json(value, event: name)
            #expect(direct == SSEWriter.data(JSONWriter.string(value), event: name))
            var parser = SSEParser()
            let events = try parser.push(direct)
            #expect(events.count == 1)
            #expect(events.first?.event == name)
            #expect(try JSONParser.parse(events.first?.data ?? "") == value)
        }
    }

    /// Plain whole events are read in place with the names and data `push` gives; anything
    /// else is left, untouched, to `push`.
    @Test func plainEventsAreReadInPlaceAndTheRestIsLeftToPush() throws {
        func inPlace(_ text: String) -> [String]? {
            var parser = SSEParser()
            var seen: [String] = []
            let read = Array(text.utf8).withUnsafeBufferPointer { bytes in
                parser.readPlainEventsInPlace(bytes) { name, data in
                    seen.append((name.map { String(decoding: $0, as: UTF8.self) + "|" } ?? "") + String(decoding: data, as: UTF8.self))
                    return true
                }
            }
            return read ? seen : nil
        }
        #expect(inPlace("data: a\n\n: comment\n\nevent: ping\ndata: {}\n\n: only a comment\n\n") == ["a", "ping|{}"])
        #expect(inPlace("event: x\n\n") == [])
        #expect(inPlace("data: a\r\n\r\nevent: e\r\ndata: b\n\r\n") == ["a", "e|b"])
        #expect(inPlace("data: a\r\r") == nil)
        #expect(inPlace("data: a\rb\n\n") == nil)
        #expect(inPlace("data: a\r\n\r") == nil)
        #expect(inPlace("data: a\n\r\n\r") == nil)
        #expect(inPlace("data: a\ndata: b\n\n") == nil)
        #expect(inPlace("id: 7\ndata: a\n\n") == nil)
        #expect(inPlace("data:a\n\n") == nil)
        #expect(inPlace("data: a\n\ndata: b\n") == nil)
        #expect(inPlace("data: a") == nil)
        var parser = SSEParser()
        _ = try parser.push(Array("data: half".utf8))
        let read = Array("data: b\n\n".utf8).withUnsafeBufferPointer { parser.readPlainEventsInPlace($0) { _, _ in true } }
        #expect(!read)
    }

    /// Pieces read in place where the reader takes them, and by `push` where it does not, give
    /// the events `push` alone gives: 3,000 generated streams of LF, CRLF and lone-CR lines,
    /// comments, names, several data lines and other fields, cut into random pieces.
    @Test func readingInPlaceWherePossibleGivesWhatPushGives() throws {
        var random = SplitMix64(seed: 0x55E)
        let lineEnds = ["\n", "\r\n", "\r\n", "\n", "\r"]
        let lines = ["data: {\"a\":1}", "data: x\ry", "data: ", "event: message", "event: ping", ": keep", "id: 3", "data:tight", "retry: 5", "data: é😀"]
        var inPlaceReads = 0
        for _ in 0..<3_000 {
            // Two streams in three are written the plain way: at most a name, a comment and one
            // data line per block, LF or CRLF ends.
            let plain = Int.random(in: 0..<3, using: &random) > 0
            var text = ""
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let end = plain ? lineEnds[Int.random(in: 0...3, using: &random)] : lineEnds.randomElement(using: &random)!
                if plain {
                    if Bool.random(using: &random) { text += "event: e" + end }
                    if Bool.random(using: &random) { text += ": c" + end }
                    text += "data: {\"n\":\(Int.random(in: 0...99, using: &random))}" + end
                } else {
                    for _ in 0..<Int.random(in: 0...3, using: &random) {
                        text += lines.randomElement(using: &random)! + lineEnds.randomElement(using: &random)!
                    }
                }
                text += end
            }
            let bytes = Array(text.utf8)
            var whole = SSEParser()
            let expected = try whole.push(bytes).map { "\($0.event ?? "-")|\($0.data)" }
            var parser = SSEParser()
            var seen: [String] = []
            var start = 0
            while start < bytes.count {
                let end = Int.random(in: 0...3, using: &random) == 0 ? min(bytes.count, start + Int.random(in: 1...12, using: &random)) : bytes.count
                let piece = Array(bytes[start..<end])
                let read = piece.withUnsafeBufferPointer { piece in
                    parser.readPlainEventsInPlace(piece) { name, data in
                        seen.append("\(name.map { String(decoding: $0, as: UTF8.self) } ?? "-")|\(String(decoding: data, as: UTF8.self))")
                        return true
                    }
                }
                if read { inPlaceReads += 1 } else { seen += try parser.push(piece).map { "\($0.event ?? "-")|\($0.data)" } }
                start = end
            }
            #expect(seen == expected, "\(text.debugDescription)")
        }
        #expect(inPlaceReads > 1_500)
    }
}
