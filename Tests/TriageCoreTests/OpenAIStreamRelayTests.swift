import Testing
@testable import TriageCodecs
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

    @Test func chunksAreParsedOnlyForUsageOrAnError() {
        func inspect(_ data: String) -> OpenAIStreamChunk { OpenAIStreamChunk.inspect(data) }
        let plain = inspect(#"{"id":"c","choices":[{"index":0,"delta":{"content":"the \"usage\" and \"error\" words"},"finish_reason":null}],"usage":null}"#)
        #expect(plain == OpenAIStreamChunk(usage: nil, isUsageOnly: false, errorMessage: nil, isDone: false))
        func keys(_ data: String) -> String {
            let found = Array(data.utf8).withUnsafeBufferPointer { OpenAIStreamChunk.keysToParse($0) }
            return "usage: \(found.usage), error: \(found.error)"
        }
        #expect(keys(#"{"usage" : null,"x":1}"#) == "usage: false, error: false")
        let usageOnly = inspect(#"{"id":"c","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":1}}"#)
        #expect(usageOnly.usage == Usage(inputTokens: 2, outputTokens: 1) && usageOnly.isUsageOnly)
        // A null usage key does not hide a later one: the chunk is parsed, and its top-level usage read.
        let late = inspect(#"{"usage":null,"choices":[{"index":0,"delta":{}}],"x":{"usage":{"prompt_tokens":1}}}"#)
        #expect(keys(#"{"usage":null,"x":{"usage":{"a":1}}}"#) == "usage: true, error: false")
        #expect(keys(#"{"error":{"message":"m"},"usage":null}"#) == "usage: false, error: true")
        #expect(late.usage == nil)
        #expect(inspect(#"{"error":{"message":"overloaded"}}"#).errorMessage == "overloaded")
        #expect(inspect(#"{"error":{}}"#).errorMessage == "upstream error")
        #expect(inspect("[DONE]").isDone)
        #expect(inspect(#""usage""#) == OpenAIStreamChunk(usage: nil, isUsageOnly: false, errorMessage: nil, isDone: false))
    }

    /// The skipping key search finds what reading every byte finds, on random mixes of keys,
    /// near-misses and filler.
    @Test func keySearchAgreesWithAByteByByteSearch() {
        func reference(_ bytes: [UInt8]) -> String {
            let text = String(decoding: bytes, as: UTF8.self)
            var usage = false
            var rest = text[...]
            while let range = rest.range(of: #""usage""#) {
                let after = rest[range.upperBound...].drop { $0 == " " || $0 == ":" }
                if !after.hasPrefix("nu") || after.utf8.count < 4 { usage = true }
                rest = rest[range.upperBound...]
            }
            return "usage: \(usage), error: \(text.contains(#""error""#))"
        }
        let pieces = [#""usage""#, #""error""#, ":null", ": null", ":{}", #""usag"#, #"sage""#, #""erro"#, "rror\"", "e", "r", "\"", "x", "{", ",", "nu", "  ", "é"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let bytes = Array(text.utf8)
            let found = bytes.withUnsafeBufferPointer { OpenAIStreamChunk.keysToParse($0) }
            #expect("usage: \(found.usage), error: \(found.error)" == reference(bytes), "\(text)")
        }
    }

    /// A usage chunk read without a tree gives what parsing the whole chunk gives, whatever the
    /// spacing, key order or nesting.
    @Test func usageChunksReadInPlaceAsParsed() throws {
        let usage = #"{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}"#
        let chunks = [
            #"{"id":"c","object":"chat.completion.chunk","choices":[],"usage":\#(usage)}"#,
            #"{"id":"c","choices": [ ],"usage": \#(usage)}"#,
            #"{"id":"c","choices":[{"index":0,"delta":{"content":"x"}}],"usage":\#(usage)}"#,
            #"{"id":"c","usage":\#(usage),"choices":[]}"#,
            #"{"usage":\#(usage)}"#,
            #"{"id":"c","choices":[],"usage":\#(usage) }"#,
            #"{"usage":null,"choices":[],"x":{"usage":\#(usage)}}"#,
            #"{"choices":[],"usage":{"prompt_tokens":1,"x":{"y":"}"}}}"#,
        ]
        for chunk in chunks {
            let inspected = OpenAIStreamChunk.inspect(chunk)
            let value = try JSONParser.parse(Array(chunk.utf8))
            let expectedUsage = OpenAIUsage.usage(in: value)
            #expect(inspected.usage == expectedUsage, "\(chunk)")
            #expect(inspected.isUsageOnly == (expectedUsage != nil && value["choices"]?.arrayValue?.isEmpty == true), "\(chunk)")
        }
    }
}
