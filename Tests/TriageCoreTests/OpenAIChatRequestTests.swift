import Testing
import TriageCodecs
import TriageCore

@Suite struct OpenAIChatRequestTests {
    func decode(_ text: String) throws(GatewayError) -> OpenAIChatRequest {
        try OpenAIChatRequest.decode(Array(text.utf8))
    }

    @Test func keepsEveryFieldAndRewritesOnlyTheModel() throws {
        let request = try decode(
            #"{"model":"triage/auto","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":"auto","response_format":{"type":"json_object"},"logprobs":true,"n":2,"stop":["x"],"seed":7,"user":"u","metadata":{"role":"worker","team":"a"}}"#
        )
        #expect(request.toolCount == 1)
        #expect(request.metadataString("role") == "worker")
        let upstream = try JSONParser.parse(request.upstreamBody(model: "gpt-5-mini"))
        #expect(upstream["model"] == "gpt-5-mini")
        for key in ["tools", "tool_choice", "response_format", "logprobs", "n", "stop", "seed", "user"] {
            #expect(upstream[key] == request.body[key], "field \(key) must pass through")
        }
        // Gateway metadata is removed; the client's own stays.
        #expect(upstream["metadata"] == ["team": "a"])
    }

    @Test func streamsAlwaysAskForUsage() throws {
        let request = try decode(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(request.stream)
        #expect(!request.clientWantsStreamUsage)
        let upstream = try JSONParser.parse(request.upstreamBody(model: "m"))
        #expect(upstream["stream_options"]?["include_usage"] == true)
        #expect(upstream["metadata"] == nil)
    }

    @Test(arguments: [
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
        (#"{"model":"m"}"#, "messages"),
        (#"{"model":"m","messages":[]}"#, "messages"),
        (#"{"model":"m","messages":"hi"}"#, "messages"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}"#, "max_tokens"),
        (#"{"model":5,"messages":[{"role":"user","content":"x"}]}"#, "model"),
    ])
    func invalidRequestsNameTheParameter(body: String, param: String) {
        #expect {
            try decode(body)
        } throws: { error in
            guard let error = error as? GatewayError else { return false }
            return error.httpStatus == 400 && error.param == param
        }
    }

    @Test func malformedJSONIsInvalidJSON() {
        #expect {
            try decode("{not json")
        } throws: { ($0 as? GatewayError)?.code == "invalid_json" }
    }

    @Test func estimatesTokensFromContent() throws {
        let text = String(repeating: "word ", count: 400)  // 2,000 characters
        let request = try decode(#"{"model":"m","messages":[{"role":"user","content":"\#(text)"}]}"#)
        #expect((490...520).contains(request.estimatedInputTokens))
    }
}
