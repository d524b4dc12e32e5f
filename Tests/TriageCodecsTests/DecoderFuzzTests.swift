import PropertyBased
import Testing
import TriageCodecs
import TriageCore

/// Every decoder of untrusted bytes, fed 100,000 generated inputs each: pieces of the formats
/// it reads (so inputs reach deep into the parsers) mixed with arbitrary bytes. None may crash
/// or hang, and each keeps its own invariant.
@Suite struct DecoderFuzzTests {
    static let count = 100_000

    /// Fragments of JSON, OpenAI chat bodies and SSE framing, plus raw bytes that are not UTF-8.
    static let pieces: [[UInt8]] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u00", "\\ud83d", "1", "-0.5e9", "true", "null", " ", "\n", "\r\n", "\n\n",
        #""model""#, #""triage/auto""#, #""messages""#, #""role""#, #""user""#, #""content""#, #""stream""#, #""tools""#,
        #""type""#, #""text""#, "data: ", "data: [DONE]", "event: x", ": comment", "id: 7", "retry: 1",
        #"{"choices":[{"delta":{"content":"hi"}}]}"#, #""usage":{"prompt_tokens":3}"#,
    ].map { Array($0.utf8) } + [[0xff], [0xc3], [0xe2, 0x82], [0x00], [0xf0, 0x9f, 0x98, 0x80]]

    static let input = Gen<[UInt8]?>.element(of: pieces).map { $0 ?? [] }.array(of: 0...40).map { $0.flatMap { $0 } }

    @Test func jsonParserRoundTripsWhatItAccepts() async {
        await propertyCheck(count: Self.count, input: Self.input) { bytes in
            guard let value = try? JSONParser.parse(bytes) else { return }
            let written = JSONWriter.bytes(value)
            #expect((try? JSONParser.parse(written)) == value)
        }
    }

    @Test func chatRequestDecodeAnswersWithAClientError() async {
        await propertyCheck(count: Self.count, input: Self.input) { bytes in
            do {
                let request = try OpenAIChatRequest.decode(bytes)
                #expect(!request.model.isEmpty)
            } catch let error as GatewayError {
                #expect(error.httpStatus == 400 || error.httpStatus == 404, "\(error.message)")
            } catch {
                Issue.record("decode threw something other than a client error: \(error)")
            }
        }
    }

    /// However the bytes are cut into pieces, the parser sees the same events.
    @Test func sseParserIsIndependentOfHowBytesArrive() async {
        await propertyCheck(count: Self.count, input: Self.input, Gen.int(in: 0...64)) { bytes, cut in
            func events(_ parts: [[UInt8]]) -> [SSEEvent]? {
                var parser = SSEParser(maxEventBytes: 1 << 12)
                var events: [SSEEvent] = []
                for part in parts {
                    guard let found = try? part.withUnsafeBytes({ buffer throws(SSEParseError) in try parser.push(buffer) }) else { return nil }
                    events += found
                }
                return events
            }
            let split = min(cut, bytes.count)
            let whole = events([bytes])
            let pieces = events([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(whole?.map(\.data) == pieces?.map(\.data))
            #expect(whole?.map(\.event) == pieces?.map(\.event))
        }
    }

    @Test func streamRelayNeverCrashes() async {
        await propertyCheck(count: Self.count, input: Self.input) { bytes in
            var relay = OpenAIStreamRelay(clientWantsUsage: false, maxEventBytes: 1 << 12)
            _ = try? relay.consume(bytes)
        }
    }
}
