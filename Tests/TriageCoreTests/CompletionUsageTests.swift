import Testing
import TriageCodecs
import TriageCore

/// Usage read from a completion body without parsing the whole answer.
@Suite struct CompletionUsageTests {
    func read(_ body: String) -> (isObject: Bool, usage: Usage?) {
        Array(body.utf8).withUnsafeBytes { OpenAIUsage.usage(inCompletion: $0) }
    }

    @Test func compactAndPrettyBodies() {
        let compact = #"{"id":"x","choices":[{"message":{"content":"see \"usage\": {\"prompt_tokens\": 999}"}}],"usage":{"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}"#
        #expect(read(compact).usage == Usage(inputTokens: 12, outputTokens: 5, cachedInputTokens: 4))
        let pretty = """
            {
              "id": "chatcmpl-1",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "the usage: of words"}}],
              "usage": {
                "prompt_tokens": 30,
                "completion_tokens": 7,
                "total_tokens": 37,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}
              }
            }

            """
        #expect(read(pretty).usage == Usage(inputTokens: 30, outputTokens: 7, cachedInputTokens: 0))
    }

    @Test func missingUsageAndNonObjects() {
        #expect(read(#"{"choices":[]}"#).isObject)
        #expect(read(#"{"choices":[]}"#).usage == nil)
        #expect(read(#"{"usage":null}"#).usage == nil)
        #expect(!read(#"[1,2]"#).isObject)
        #expect(!read("not json").isObject)
        #expect(!read("").isObject)
        #expect(read(#"{"usage":{"prompt_tokens":1"#).usage == nil)
    }
}
