import Benchmark
import TriageCodecs
import TriageCore

/// What translation adds to one short exchange — the load test's call, a system prompt and a
/// question answered in five words — outside the network: the upstream request body built from
/// the decoded chat request, then the whole answer stream read as it arrives in one piece. The
/// same-format exchange (chat to an OpenAI model) is the baseline; chat to an Anthropic model
/// translates both ways; Anthropic Messages to an Anthropic model translates the request and
/// relays the provider's stream untranslated.
func exchangeBenchmarks() {
    let chatBody = Array(
        #"{"model":"triage/auto","messages":[{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"Rename the column user_name to username in the users table and explain the change in one sentence."}],"temperature":0.2,"stream":true}"#
            .utf8)
    let messagesBody = Array(
        #"{"model":"claude-haiku-4-5","max_tokens":256,"system":"You are a careful assistant.","messages":[{"role":"user","content":"Rename the column user_name to username in the users table and explain the change in one sentence."}],"temperature":0.2,"stream":true}"#
            .utf8)
    guard let chat = try? OpenAIChatRequest.decode(chatBody), case .object(let messages)? = try? JSONParser.parse(messagesBody) else {
        fatalError("exchange fixtures do not decode")
    }
    let anthropic = AnthropicProviderCodec(now: { 1_700_000_000 })
    let openAIStream = ExchangeFixtures.openAIStream()
    let anthropicStream = ExchangeFixtures.anthropicStream()

    Benchmark("Exchange, same format: chat → OpenAI (request body, 5-word stream relayed)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(chat.upstreamBody(model: "gpt-5-mini"))
            var relay = OpenAIStreamRelay(clientWantsUsage: false)
            blackHole(try? relay.consume(openAIStream))
            precondition(relay.sawDone)
        }
    }
    Benchmark("Exchange, translated: chat → Anthropic (request encoded, 5-word stream → canonical → relayed)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? anthropic.request(from: chat.upstreamObject(model: "claude-haiku-4-5"), upstreamModel: "claude-haiku-4-5", stream: true))
            var transcoder = CanonicalStreamTranscoder(decoder: anthropic.streamDecoder(model: "claude-haiku-4-5"))
            var relay = OpenAIStreamRelay(clientWantsUsage: false)
            blackHole(try? relay.consume(transcoder.push(anthropicStream)))
            precondition(relay.sawDone)
        }
    }
    Benchmark("Exchange, same provider: Messages → Anthropic (request through canonical, stream relayed untranslated)") { benchmark in
        for _ in benchmark.scaledIterations {
            guard let canonical = try? AnthropicClientCodec().canonicalRequest(from: messages),
                let request = try? anthropic.request(from: canonical, upstreamModel: "claude-haiku-4-5", stream: true)
            else { fatalError("the Messages fixture does not translate") }
            blackHole(request)
            var relay = AnthropicStreamRelay()
            blackHole(try? relay.relay(anthropicStream))
            precondition(relay.sawStop)
        }
    }
}

/// The fake upstreams' answer streams for a five-word answer, byte for byte as they send them.
enum ExchangeFixtures {
    static let words = ["Hello", " from", " the", " fake", " upstream."]

    static func openAIStream() -> [UInt8] {
        let head = #"{"id":"chatcmpl-fake00000000000000000001","object":"chat.completion.chunk","created":1732406400,"model":"fake-mid","service_tier":"default","system_fingerprint":"fp_f4ke5e7ba1","#
        var out = SSEWriter.data(head + #""choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#)
        for word in words {
            out += SSEWriter.data(head + #""choices":[{"index":0,"delta":{"content":"\#(word)"},"logprobs":null,"finish_reason":null}],"usage":null}"#)
        }
        out += SSEWriter.data(head + #""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#)
        out += SSEWriter.data(
            head
                + #""choices":[],"usage":{"prompt_tokens":32,"completion_tokens":5,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#
        )
        return out + SSEWriter.done
    }

    static func anthropicStream() -> [UInt8] {
        var out = SSEWriter.data(
            #"{"type":"message_start","message":{"id":"msg_fake0000000000000001","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":32,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"#,
            event: "message_start")
        out += SSEWriter.data(#"{"type":"ping"}"#, event: "ping")
        out += SSEWriter.data(#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#, event: "content_block_start")
        for word in words {
            out += SSEWriter.data(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(word)"}}"#, event: "content_block_delta")
        }
        out += SSEWriter.data(#"{"type":"content_block_stop","index":0}"#, event: "content_block_stop")
        out += SSEWriter.data(
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}"#, event: "message_delta")
        return out + SSEWriter.data(#"{"type":"message_stop"}"#, event: "message_stop")
    }
}
