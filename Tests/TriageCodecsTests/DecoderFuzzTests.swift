import PropertyBased
import Testing
import TriageCodecs
import TriageCore

/// Every decoder of untrusted bytes, fed 100,000 generated inputs each: pieces of the formats
/// it reads (so inputs reach deep into the parsers) mixed with arbitrary bytes. None may crash
/// or hang, and each keeps its own invariant.
@Suite struct DecoderFuzzTests {
    static let count = FuzzInput.count
    /// Fragments of JSON, of the wire formats and SSE framing, glued together (see `FuzzInput`).
    static let input = FuzzInput.input

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
