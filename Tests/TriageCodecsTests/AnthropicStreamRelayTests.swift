import Testing
import TriageCodecs
import TriageCore

/// The same-format relay forwards Anthropic's events byte for byte, whole events only, and
/// reads usage, the end and errors on the way — however the stream is cut into pieces.
@Suite struct AnthropicStreamRelayTests {
    static let cuts = [1, 7, 64, 200, Int.max]

    /// Relays `bytes` cut every `cutEvery` bytes; returns what went out.
    static func relayed(_ bytes: [UInt8], cutEvery: Int, into relay: inout AnthropicStreamRelay) throws -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(cutEvery, bytes.count))
            out += try relay.relay(Array(bytes[start..<end]))
            start = end
        }
        return out
    }

    @Test(arguments: ["text_stream.sse", "thinking_stream.sse", "tool_use_stream.sse"])
    func completeStreamsGoOutUnchanged(fixture: String) throws {
        let bytes = try AnthropicTest.fixture(fixture)
        for cut in Self.cuts {
            var relay = AnthropicStreamRelay()
            #expect(try Self.relayed(bytes, cutEvery: cut, into: &relay) == bytes, "cut every \(cut)")
            #expect(relay.sawStop)
            #expect(relay.upstreamErrorMessage == nil)
            #expect(relay.usage != nil)
        }
    }

    @Test func usageAddsCacheCountsToTheInputAndTakesTheLastOutputCount() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","usage":{"input_tokens":20,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":1}}}

            event: ping
            data: {"type": "ping"}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":42}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        for cut in Self.cuts {
            var relay = AnthropicStreamRelay()
            #expect(try Self.relayed(Array(stream.utf8), cutEvery: cut, into: &relay) == Array(stream.utf8))
            #expect(relay.usage == Usage(inputTokens: 1120, outputTokens: 42, cachedInputTokens: 1000, cacheWriteInputTokens: 100))
        }
    }

    /// The provider's error event and anything after it are held back; the caller closes the
    /// stream with the gateway's own (redacted) error event.
    @Test func anErrorEventEndsTheForwardedBytesBeforeIt() throws {
        let bytes = try AnthropicTest.fixture("overloaded_stream.sse")
        let text = String(decoding: bytes, as: UTF8.self)
        let beforeError = Array(text[..<text.range(of: "event: error")!.lowerBound].utf8)
        let trailing = Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n".utf8)
        for cut in Self.cuts {
            var relay = AnthropicStreamRelay()
            #expect(try Self.relayed(bytes + trailing, cutEvery: cut, into: &relay) == beforeError, "cut every \(cut)")
            #expect(relay.upstreamErrorMessage == "The provider is overloaded: Overloaded")
            #expect(!relay.sawStop)
            #expect(relay.usage == Usage(inputTokens: 12, outputTokens: 1))
        }
    }

    @Test func nothingAfterMessageStopAndNoPartialEventIsForwarded() throws {
        let stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        let ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n"
        var relay = AnthropicStreamRelay()
        #expect(try relay.relay(Array((ping + "event: ping\ndata: {\"ty").utf8)) == Array(ping.utf8))
        #expect(try relay.relay(Array(("pe\": \"ping\"}\n\n" + stop + ping).utf8)) == Array((ping + stop).utf8))
        #expect(relay.sawStop)
        #expect(try relay.relay(Array(ping.utf8)) == [])
    }

    /// Events without an `event:` line are recognised by their `type`; CR LF line ends go
    /// through the parser and come out as they came in. (An event ends at the CR of its blank
    /// line: when the stream's last LF arrives in a piece of its own, after `message_stop`, it
    /// is not forwarded.)
    @Test func dataOnlyEventsAndCRLFAreRelayed() throws {
        let dataOnly = "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n"
            + "data: {\"type\":\"message_stop\"}\n\n"
        let crlf = "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\r\n\r\n"
            + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n"
        for (stream, usage) in [(dataOnly, Usage(inputTokens: 0, outputTokens: 3)), (crlf, Usage(inputTokens: 5, outputTokens: 1))] {
            for cut in Self.cuts {
                var relay = AnthropicStreamRelay()
                let out = try Self.relayed(Array(stream.utf8), cutEvery: cut, into: &relay)
                #expect(out == Array(stream.utf8) || (cut == 1 && out == Array(stream.utf8.dropLast())), "cut every \(cut)")
                #expect(relay.sawStop)
                #expect(relay.usage == usage)
            }
        }
    }

    @Test func anOversizedEventIsAnError() throws {
        var relay = AnthropicStreamRelay(maxEventBytes: 64)
        #expect(throws: SSEParseError.self) { try relay.relay(Array(("data: " + String(repeating: "x", count: 100)).utf8)) }
    }
}
