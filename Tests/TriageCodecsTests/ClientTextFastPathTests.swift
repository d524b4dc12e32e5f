import Testing
import TriageCodecs
import TriageCore

/// Client stream encoders write plain text chunks without parsing them: the bytes must be the
/// ones the parsed path writes, whatever shape the canonical chunks come in.
@Suite struct ClientTextFastPathTests {
    /// An encoder with its text fast path switched off: `encode(_:)` for every chunk.
    struct SlowPathOnly: ClientStreamEncoder {
        var inner: any ClientStreamEncoder
        mutating func encode(_ chunk: JSONObject) -> [UInt8] { inner.encode(chunk) }
        mutating func finish() -> [UInt8] { inner.finish() }
        mutating func fail(_ error: GatewayError) -> [UInt8] { inner.fail(error) }
    }

    static let gatewayHead = #"{"id":"msg_1","object":"chat.completion.chunk","created":7,"model":"m","#
    static let openAIHead = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"gpt-5-mini","service_tier":"default","system_fingerprint":"fp_1","#

    static func chunk(_ head: String, delta: String, finish: String = "null", usage: String? = nil) -> String {
        "data: " + head + #""choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}]"# + (usage.map { #","usage":\#($0)"# } ?? "") + "}\n\n"
    }

    /// A whole canonical stream: role chunk, text pieces of every kind, a tool call, the finish
    /// and usage chunks, `[DONE]`.
    static func stream(_ head: String, usageField: String?) -> String {
        var out = chunk(head, delta: #"{"role":"assistant","content":""}"#, usage: usageField)
        for text in ["Hello", " caf\u{e9} 東京 🚀", #"say \"hi\""#, #"two\nlines"#, "a/b <c> & d", String(repeating: "long ", count: 300)] {
            out += chunk(head, delta: #"{"content":"\#(text)"}"#, usage: usageField)
        }
        out += chunk(head, delta: #"{"content":"obfuscated","obfuscation":"x1"}"#, usage: usageField)
        out += chunk(head, delta: #"{"content":""}"#, usage: usageField)
        out += chunk(head, delta: #"{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}"#, usage: usageField)
        out += chunk(head, delta: #"{"content":"after the call"}"#, usage: usageField)
        out += chunk(head, delta: #"{"content":"more"}"#, usage: usageField)
        out += chunk(head, delta: "{}", finish: #""stop""#, usage: usageField)
        out += "data: " + head + #""choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}}"# + "\n\n"
        out += ": x-triage-cost-usd: 0.00001\n\ndata: [DONE]\n\n"
        return out
    }

    @Test(arguments: ["anthropic", "responses"])
    func textChunksEncodeAsTheParsedPathDoes(client: String) {
        func encoder() -> any ClientStreamEncoder {
            client == "anthropic" ? AnthropicClientCodec().streamEncoder() : ResponsesClientCodec().streamEncoder()
        }
        for stream in [Self.stream(Self.gatewayHead, usageField: nil), Self.stream(Self.openAIHead, usageField: "null")] {
            let bytes = Array(stream.utf8)
            for cutEvery in [bytes.count, 97, 13] {
                var fast = ClientStreamTranscoder(encoder: encoder())
                var slow = ClientStreamTranscoder(encoder: SlowPathOnly(inner: encoder()))
                var fastOut: [UInt8] = []
                var slowOut: [UInt8] = []
                var start = 0
                while start < bytes.count {
                    let piece = Array(bytes[start..<min(start + cutEvery, bytes.count)])
                    fastOut += fast.push(piece)
                    slowOut += slow.push(piece)
                    start += cutEvery
                }
                #expect(fastOut == slowOut, "\(client), cut every \(cutEvery)")
                #expect(fastOut == Self.reference(bytes, encoder()), "\(client), cut every \(cutEvery)")
                #expect(String(decoding: fastOut, as: UTF8.self).contains("after the call"))
            }
        }
    }

    /// The plainest reading: every event parsed, every chunk through `encode(_:)`.
    static func reference(_ stream: [UInt8], _ encoder: any ClientStreamEncoder) -> [UInt8] {
        var encoder = encoder
        var parser = SSEParser()
        var out: [UInt8] = []
        for event in (try? parser.push(stream)) ?? [] {
            if event.data == "[DONE]" { return out + encoder.finish() }
            guard case .object(let chunk)? = try? JSONParser.parse(event.data) else { continue }
            out += encoder.encode(chunk)
        }
        return out
    }

    @Test func onlyPlainTextChunksAreRecognized() {
        func text(_ data: String) -> String? {
            var data = data
            return data.withUTF8 { CanonicalTextChunk.text(inChunk: $0) }
        }
        let plain = #"\#(Self.gatewayHead)"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}"#
        #expect(text(plain) == "Hi")
        #expect(text(#"\#(Self.openAIHead)"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}"#) == "Hi")
        #expect(text(#"\#(Self.gatewayHead)"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":"stop"}]}"#) == nil)
        #expect(text(#"\#(Self.gatewayHead)"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":1}}"#) == nil)
        #expect(text(#"{"usage":{"x":1},"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}"#) == nil)
        #expect(text(#"\#(Self.gatewayHead)"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null},{"index":1}]}"#) == nil)
        #expect(text(#"\#(Self.gatewayHead)"choices":[{"index":0,"delta":{"content":"a\"b"},"logprobs":null,"finish_reason":null}]}"#) == nil)
        #expect(text(String(plain.dropLast())) == nil)
    }
}
