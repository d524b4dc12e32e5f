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
}
