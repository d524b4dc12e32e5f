import Testing
import TriageCodecs
import TriageCore

/// Upstream pieces that hold whole, forwarded events are sent on as received.
@Suite struct StreamRelayForwardTests {
    static let content = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
    static let usageOnly = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
    static let done = "data: [DONE]\n\n"

    func relay(_ relay: inout OpenAIStreamRelay, _ text: String) throws -> OpenAIStreamRelay.Forward {
        try Array(text.utf8).withUnsafeBytes { buffer in
            try Result { () throws(SSEParseError) -> OpenAIStreamRelay.Forward in try relay.relay(buffer) }.get()
        }
    }

    @Test func wholeEventsAreForwardedAsReceived() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        #expect(try self.relay(&relay, Self.content + ": keep-alive comment\n\n" + Self.content) == .input)
        #expect(relay.forwardedEvents == 2)
    }

    @Test func anEventSplitAcrossPiecesIsReassembled() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        let cut = Self.content.index(Self.content.startIndex, offsetBy: 20)
        #expect(try self.relay(&relay, Self.content + String(Self.content[..<cut])) == .bytes(Array(Self.content.utf8)))
        #expect(try self.relay(&relay, String(Self.content[cut...])) == .bytes(Array(Self.content.utf8)))
    }

    @Test func droppedUsageAndDoneAreNotForwarded() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        #expect(try self.relay(&relay, Self.content + Self.usageOnly + Self.done) == .bytes(Array(Self.content.utf8)))
        #expect(relay.sawDone)
        #expect(relay.usage == Usage(inputTokens: 3, outputTokens: 1))
        var wanting = OpenAIStreamRelay(clientWantsUsage: true)
        #expect(try self.relay(&wanting, Self.content + Self.usageOnly) == .input)
        #expect(try self.relay(&wanting, Self.done) == .bytes([]))
    }

    /// The in-place fast path (taken without an observer) and the event parser (taken with one)
    /// send the same bytes and learn the same facts, however the stream is cut into pieces.
    @Test(arguments: [false, true])
    func inPlaceReadingMatchesTheParser(clientWantsUsage: Bool) throws {
        let error = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"
        let streams = [
            Self.content + Self.content + Self.usageOnly + Self.done,
            Self.content + ": ping\n\n" + Self.content + Self.usageOnly + Self.done,
            Self.content + "data:{\"choices\":[]}\n\n" + Self.done + Self.content,
            Self.content + "data: {\"a\":\n\rdata: 1}\r\n\r\n" + Self.usageOnly + Self.done,
            "\u{FEFF}" + Self.content + Self.done,
            Self.content + error + Self.content,
            Self.content + "event: message\ndata: {\"choices\":[]}\n\n" + Self.usageOnly,
        ]
        for stream in streams {
            let bytes = Array(stream.utf8)
            for cutEvery in [1, 7, 64, 200, bytes.count] {
                var fast = OpenAIStreamRelay(clientWantsUsage: clientWantsUsage)
                var parsed = OpenAIStreamRelay(clientWantsUsage: clientWantsUsage)
                var fastOut: [UInt8] = []
                var parsedOut: [UInt8] = []
                var start = 0
                while start < bytes.count {
                    let piece = Array(bytes[start..<min(start + cutEvery, bytes.count)])
                    start += cutEvery
                    try piece.withUnsafeBytes { buffer in
                        try Result { () throws(SSEParseError) in
                            fastOut += Self.bytes(try fast.relay(buffer), piece)
                            parsedOut += Self.bytes(try parsed.relay(buffer, observe: { _ in }), piece)
                        }.get()
                    }
                }
                #expect(fastOut == parsedOut, "\(stream.debugDescription) cut every \(cutEvery)")
                #expect(fast.usage == parsed.usage)
                #expect(fast.sawDone == parsed.sawDone)
                #expect(fast.upstreamErrorMessage == parsed.upstreamErrorMessage)
                #expect(fast.forwardedEvents == parsed.forwardedEvents)
            }
        }
    }

    static func bytes(_ forward: OpenAIStreamRelay.Forward, _ input: [UInt8]) -> [UInt8] {
        switch forward {
        case .input: input
        case .bytes(let bytes): bytes
        }
    }
}
