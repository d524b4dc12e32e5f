import Foundation
import Testing
import TriageCodecs
import TriageCore
import TriageFakeUpstream

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fake Gemini server over real HTTP, read back with `GeminiProviderCodec`.
@Suite struct GeminiFakeUpstreamTests {
    let codec = GeminiProviderCodec(now: { 1 })

    func post(_ fake: FakeGeminiUpstream, stream: Bool, key: String? = "k", model: String = "gemini-2.5-flash") async throws -> (Int, [UInt8]) {
        let canonical: JSONValue = ["model": "x", "messages": [["role": "user", "content": "Hello there, model"]]]
        let built = try codec.request(from: canonical.objectValue!, upstreamModel: model, stream: stream)
        var request = URLRequest(url: URL(string: fake.baseURL + built.path)!)
        request.httpMethod = "POST"
        request.httpBody = Data(built.body)
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        if let key { request.setValue(key, forHTTPHeaderField: "x-goog-api-key") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data))
    }

    @Test func textStreamToolCallsAndErrors() async throws {
        let fake = FakeGeminiUpstream(defaultBehavior: .text("Hi from Gemini"), cachedTokens: 2, apiKey: "k")
        try await fake.start()
        defer { Task { await fake.stop() } }

        let (status, body) = try await post(fake, stream: false)
        #expect(status == 200)
        let completion = try codec.completion(from: try JSONParser.parse(body), model: "m")
        #expect(completion["choices"]?.geminiAt(0)?["message"]?["content"] == "Hi from Gemini")
        #expect(completion["usage"]?["prompt_tokens_details"]?["cached_tokens"] == 2)
        #expect(fake.requests.first?.model == "gemini-2.5-flash")
        #expect(fake.requests.first?.headers["x-goog-api-key"] == "k")

        fake.enqueue(.toolCalls([FakeToolCall(name: "a", arguments: #"{"x":1}"#), FakeToolCall(name: "b", arguments: "{}")]), forModel: "gemini-2.5-flash")
        let (_, streamed) = try await post(fake, stream: true)
        #expect(String(decoding: streamed, as: UTF8.self).hasSuffix("\r\n\r\n"))
        var parser = SSEParser()
        var decoder = codec.streamDecoder(model: "m")
        var chunks: [JSONObject] = []
        for event in try parser.push(streamed) { chunks += try decoder.decode(event) }
        #expect(decoder.isComplete)
        #expect(chunks.compactMap { $0["choices"]?.geminiAt(0)?["delta"]?["tool_calls"]?.geminiAt(0)?["function"]?["name"] } == ["a", "b"])
        #expect(chunks.last?["usage"] != nil)

        let (missing, missingBody) = try await post(fake, stream: false, key: nil)
        #expect(missing == 403)
        #expect(codec.errorDetail(status: missing, body: try? JSONParser.parse(missingBody)).type == "PERMISSION_DENIED")
        let (wrong, wrongBody) = try await post(fake, stream: false, key: "bad")
        #expect(wrong == 400)
        #expect(codec.errorDetail(status: wrong, body: try? JSONParser.parse(wrongBody)).message == "API key not valid. Please pass a valid API key.")

        fake.enqueue(.error(status: 429, type: "RESOURCE_EXHAUSTED", code: nil, message: "Quota exceeded.", retryAfterSeconds: 7), forModel: "gemini-2.5-flash")
        let (limited, limitedBody) = try await post(fake, stream: true)
        #expect(limited == 429)
        let error = try JSONParser.parse(limitedBody)
        #expect(error["error"]?["status"] == "RESOURCE_EXHAUSTED")
        #expect(error["error"]?["details"]?.geminiAt(0)?["retryDelay"] == "7s")
        await fake.stop()
    }
}
