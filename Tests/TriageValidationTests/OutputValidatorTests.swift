import Testing
import TriageCore
import TriageValidation

@Suite struct OutputValidatorTests {
    let schema = try! JSONParser.parse(#"{"type":"object","required":["city","temp"],"properties":{"city":{"type":"string"},"temp":{"type":"number"}}}"#)

    @Test func jsonAndSchema() {
        #expect(OutputValidator.jsonParses.validate(CandidateAnswer(text: #"{"a":1}"#)).passed)
        #expect(OutputValidator.jsonParses.validate(CandidateAnswer(text: "```json\n{\"a\":1}\n```")).passed)
        #expect(!OutputValidator.jsonParses.validate(CandidateAnswer(text: "{'a': 1}")).passed)
        #expect(OutputValidator.jsonSchema(schema).validate(CandidateAnswer(text: #"{"city":"Paris","temp":21.5}"#)).passed)
        let bad = OutputValidator.jsonSchema(schema).validate(CandidateAnswer(text: #"{"city":"Paris","temp":"warm"}"#))
        #expect(!bad.passed)
        #expect(bad.detail == "/temp: expected number, got a string")
    }

    @Test func requiredFields() {
        #expect(OutputValidator.requiredFields(["id", "total"]).validate(CandidateAnswer(text: #"{"id":1,"total":2}"#)).passed)
        #expect(OutputValidator.requiredFields(["id", "total"]).validate(CandidateAnswer(text: #"{"id":1,"total":null}"#)).detail == "missing total")
    }

    @Test func toolArguments() {
        let validator = OutputValidator.toolArguments(schemasByTool: ["get_weather": schema])
        #expect(validator.validate(CandidateAnswer(text: "", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo","temp":1}"#)])).passed)
        #expect(!validator.validate(CandidateAnswer(text: "", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo""#)])).passed)
        #expect(!validator.validate(CandidateAnswer(text: "", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo"}"#)])).passed)
        #expect(!validator.validate(CandidateAnswer(text: "", toolCalls: [.init(name: "delete_db", arguments: "{}")])).passed)
    }

    @Test func regexLengthRefusalConfidence() {
        #expect(OutputValidator.regex("^[A-Z]{3}-\\d+$").validate(CandidateAnswer(text: "ABC-42")).passed)
        #expect(!OutputValidator.regex("^[A-Z]{3}-\\d+$").validate(CandidateAnswer(text: "abc")).passed)
        #expect(!OutputValidator.length(min: 10, max: nil).validate(CandidateAnswer(text: "short")).passed)
        #expect(!OutputValidator.length(min: nil, max: 3).validate(CandidateAnswer(text: "long")).passed)
        #expect(!OutputValidator.notRefusal.validate(CandidateAnswer(text: "I'm sorry, but I can't help with that.")).passed)
        #expect(!OutputValidator.notRefusal.validate(CandidateAnswer(text: "", refusal: "Policy")).passed)
        #expect(OutputValidator.notRefusal.validate(CandidateAnswer(text: "Sure, here it is.")).passed)
        #expect(!OutputValidator.confidence(minimumMeanLogProbability: -0.5).validate(CandidateAnswer(text: "x", meanLogProbability: -1.2)).passed)
        #expect(OutputValidator.confidence(minimumMeanLogProbability: -0.5).validate(CandidateAnswer(text: "x", meanLogProbability: nil)).passed)
    }

    @Test func readsOpenAICompletions() throws {
        let completion = try JSONParser.parse(
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"logprobs":{"content":[{"token":"a","logprob":-0.5},{"token":"b","logprob":-1.5}]},"finish_reason":"tool_calls"}]}"#)
        let answer = try #require(CandidateAnswer(openAICompletion: completion))
        #expect(answer.toolCalls == [.init(name: "f", arguments: "{}")])
        #expect(answer.meanLogProbability == -1.0)
        #expect(answer.finishReason == "tool_calls")
    }
}
