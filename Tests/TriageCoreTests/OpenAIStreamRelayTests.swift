import Testing
import TriageCodecs
import TriageCore

@Suite struct OpenAIStreamRelayTests {
    let content = #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}"# + "\n\n"
    let usage = #"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4}}}"# + "\n\n"
    let done = "data: [DONE]\n\n"

    @Test func dropsUsageChunkTheClientDidNotAskFor() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        let out = try relay.consume(Array((content + usage + done).utf8))
        #expect(String(decoding: out, as: UTF8.self) == content)
        #expect(relay.usage == Usage(inputTokens: 12, outputTokens: 3, cachedInputTokens: 4))
        #expect(relay.sawDone)
    }

    @Test func keepsUsageChunkWhenAsked() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: true)
        let out = try relay.consume(Array((content + usage + done).utf8))
        #expect(String(decoding: out, as: UTF8.self) == content + usage)
    }

    @Test func notDoneWhenCut() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        _ = try relay.consume(Array((content + "data: {\"id\":").utf8))
        #expect(!relay.sawDone)
    }

    @Test func recordsInStreamErrors() throws {
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        _ = try relay.consume(Array((#"data: {"error":{"message":"overloaded","type":"server_error"}}"# + "\n\n").utf8))
        #expect(relay.upstreamErrorMessage == "overloaded")
    }
}
