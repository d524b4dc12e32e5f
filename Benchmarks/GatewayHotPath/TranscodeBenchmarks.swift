import Benchmark
import Foundation
import TriageCodecs
import TriageCore

/// The cost of translating between wire formats, per streamed event: a realistic 200-event text
/// answer (built once, outside the measured block) pushed one upstream event at a time through
/// each transcoder, against the same-format baseline (the OpenAI relay, which forwards bytes).
/// Every measured iteration is one event; a fresh transcoder starts each time the stream wraps
/// around, so the per-stream set-up (and the heavier first and last events) counts in the p99.
/// Also the non-streamed translations: a response (Anthropic message → canonical → Anthropic
/// client JSON) and a request (Anthropic Messages with system, 6 turns and tools → canonical →
/// Gemini).
func transcodeBenchmarks() {
    let perEvent = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .nanoseconds, maxDuration: .seconds(3),
        maxIterations: 1_000_000)
    let anthropicStream = TranscodeFixtures.anthropicStream()
    let geminiStream = TranscodeFixtures.geminiStream()
    let canonicalStream = TranscodeFixtures.canonicalStream()

    func perEventBenchmark(
        _ name: String, _ events: [[UInt8]], checksOutput: Bool = true, _ makeStep: @escaping () -> (UnsafeRawBufferPointer) -> [UInt8]
    ) {
        // A fixture the transcoder rejects would time an early exit: the whole stream must come
        // out at least half as long as it went in.
        let check = makeStep()
        let output = events.reduce(0) { total, event in total + event.withUnsafeBytes { check($0).count } }
        let input = events.reduce(0) { $0 + $1.count }
        if checksOutput, output < input / 2 { fatalError("Transcode \(name): the fixture stream came out as \(output) of \(input) bytes") }
        let cursor = StreamCursor(events: events, makeStep: makeStep)
        Benchmark("Transcode \(name) (per event, 200-event text stream)", configuration: perEvent) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(cursor.next())
            }
        }
    }

    let anthropic = AnthropicProviderCodec(now: { 1_700_000_000 })
    let gemini = GeminiProviderCodec(now: { 1_700_000_000 })

    perEventBenchmark("Anthropic provider → canonical", anthropicStream) {
        var transcoder = CanonicalStreamTranscoder(decoder: anthropic.streamDecoder(model: "claude-sonnet-4-5"))
        return { transcoder.push($0) }
    }
    perEventBenchmark("Gemini provider → canonical", geminiStream) {
        var transcoder = CanonicalStreamTranscoder(decoder: gemini.streamDecoder(model: "gemini-2.5-flash"))
        return { transcoder.push($0) }
    }
    perEventBenchmark("canonical → Anthropic client", canonicalStream) {
        var transcoder = ClientStreamTranscoder(encoder: AnthropicClientCodec().streamEncoder())
        return { transcoder.push($0) }
    }
    perEventBenchmark("canonical → Responses client", canonicalStream) {
        var transcoder = ClientStreamTranscoder(encoder: ResponsesClientCodec().streamEncoder())
        return { transcoder.push($0) }
    }
    // A long answer: the per-event cost must not grow with the text so far (it did while the
    // Responses encoder rebuilt the accumulated text on every delta).
    let longCanonicalStream = TranscodeFixtures.canonicalStream(eventCount: 4_000)
    for (name, codec) in [("Anthropic", AnthropicClientCodec() as any ClientCodec), ("Responses", ResponsesClientCodec())] {
        let cursor = StreamCursor(events: longCanonicalStream) {
            var transcoder = ClientStreamTranscoder(encoder: codec.streamEncoder())
            return { transcoder.push($0) }
        }
        Benchmark("Transcode canonical → \(name) client (per event, 4,000-event text stream)", configuration: perEvent) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(cursor.next())
            }
        }
    }
    perEventBenchmark("Anthropic provider → canonical → Responses client", anthropicStream) {
        var provider = CanonicalStreamTranscoder(decoder: anthropic.streamDecoder(model: "claude-sonnet-4-5"))
        var client = ClientStreamTranscoder(encoder: ResponsesClientCodec().streamEncoder())
        return { client.push(provider.push($0)) }
    }
    perEventBenchmark("baseline: canonical relay (OpenAIStreamRelay.relay)", canonicalStream, checksOutput: false) {
        var relay = OpenAIStreamRelay(clientWantsUsage: true)
        return { buffer in
            switch try? relay.relay(buffer) {
            case .input?: return []  // forwarded as it is: nothing copied
            case .bytes(let out)?: return out
            case nil: return []
            }
        }
    }

    let message = TranscodeFixtures.anthropicMessage()
    Benchmark("Transcode response: Anthropic message → canonical → Anthropic client JSON", configuration: perEvent) { benchmark in
        for _ in benchmark.scaledIterations {
            guard let body = try? JSONParser.parse(message), let completion = try? anthropic.completion(from: body, model: "claude-sonnet-4-5"),
                let response = try? AnthropicClientCodec().response(from: completion)
            else { fatalError("response fixture does not translate") }
            blackHole(JSONWriter.bytes(response))
        }
    }

    let request = TranscodeFixtures.anthropicRequest()
    Benchmark("Transcode request: Anthropic Messages (system, 6 turns, tools) → canonical → Gemini", configuration: perEvent) { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .object(let body)? = try? JSONParser.parse(request), let canonical = try? AnthropicClientCodec().canonicalRequest(from: body),
                let upstream = try? gemini.request(from: canonical, upstreamModel: "gemini-2.5-flash", stream: true)
            else { fatalError("request fixture does not translate") }
            blackHole(upstream)
        }
    }
}

/// One event per call, from a stream that starts over (with a fresh transcoder) at its end.
final class StreamCursor: @unchecked Sendable {
    let events: [[UInt8]]
    let makeStep: () -> (UnsafeRawBufferPointer) -> [UInt8]
    var step: (UnsafeRawBufferPointer) -> [UInt8]
    var index = 0

    init(events: [[UInt8]], makeStep: @escaping () -> (UnsafeRawBufferPointer) -> [UInt8]) {
        self.events = events
        self.makeStep = makeStep
        self.step = makeStep()
    }

    func next() -> [UInt8] {
        if index == events.count {
            index = 0
            step = makeStep()
        }
        defer { index += 1 }
        return events[index].withUnsafeBytes { step($0) }
    }
}

enum TranscodeFixtures {
    static let eventCount = 200
    /// Answer text, one token-sized piece per content event, as it stands inside a JSON string
    /// (the line break escaped: a raw one would break both the JSON and the SSE line).
    static func piece(_ index: Int) -> String {
        ["The ", "migration ", "copies ", "each ", "table ", "in ", "batches ", "and ", "verifies ", "row ", "counts.\\n"][index % 11]
    }

    static func sse(_ json: String, event: String? = nil) -> [UInt8] {
        SSEWriter.data(json, event: event)
    }

    /// Anthropic: message_start, content_block_start, ping, 194 text deltas, content_block_stop,
    /// message_delta, message_stop — 200 events, one per upstream write.
    static func anthropicStream() -> [[UInt8]] {
        var events = [
            sse(
                #"{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":1800,"output_tokens":1}}}"#,
                event: "message_start"),
            sse(#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#, event: "content_block_start"),
            sse(#"{"type":"ping"}"#, event: "ping"),
        ]
        for index in 0..<(eventCount - 6) {
            events.append(
                sse(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(piece(index))"}}"#, event: "content_block_delta"))
        }
        events += [
            sse(#"{"type":"content_block_stop","index":0}"#, event: "content_block_stop"),
            sse(#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":194}}"#, event: "message_delta"),
            sse(#"{"type":"message_stop"}"#, event: "message_stop"),
        ]
        precondition(events.count == eventCount)
        return events
    }

    /// Gemini: 200 `GenerateContentResponse` chunks, the last with the finish reason and usage,
    /// framed with CRLF as Google frames `alt=sse`.
    static func geminiStream() -> [[UInt8]] {
        (0..<eventCount).map { index in
            let last = index == eventCount - 1
            return Array("data: ".utf8) + Array(
                #"{"candidates":[{"content":{"parts":[{"text":"\#(piece(index))"}],"role":"model"}\#(last ? #","finishReason":"STOP""# : ""),"index":0}],"usageMetadata":{"promptTokenCount":2095,"candidatesTokenCount":\#(index + 1),"totalTokenCount":\#(2096 + index)},"modelVersion":"gemini-2.5-flash","responseId":"fc9ZaK2bMoPv"}"#
                    .utf8) + Array("\r\n\r\n".utf8)
        }
    }

    /// Canonical: the role chunk, 197 content chunks, the finish chunk and the usage-only chunk
    /// (200 events), then `[DONE]` (written with the usage chunk, as the relay does).
    static func canonicalStream(eventCount: Int = eventCount) -> [[UInt8]] {
        let head = #"{"id":"chatcmpl-01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion.chunk","created":1700000000,"model":"claude-sonnet-4-5","#
        var events = [sse(head + #""choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#)]
        for index in 0..<(eventCount - 3) {
            events.append(sse(head + #""choices":[{"index":0,"delta":{"content":"\#(piece(index))"},"logprobs":null,"finish_reason":null}]}"#))
        }
        events.append(sse(head + #""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#))
        events.append(
            sse(
                head
                    + #""choices":[],"usage":{"prompt_tokens":3895,"completion_tokens":197,"total_tokens":4092,"prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":0}}}"#
            ) + SSEWriter.done)
        precondition(events.count == eventCount)
        return events
    }

    static func anthropicMessage() -> [UInt8] {
        let text = String(repeating: "The migration copies each table in batches and verifies row counts. ", count: 12)
        return Array(
            #"{"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"The user wants the weather.","signature":"EqQBCgIYAhIM"},{"type":"text","text":"\#(text)"},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503,"cache_creation_input_tokens":100,"cache_read_input_tokens":1800}}"#
                .utf8)
    }

    /// An Anthropic Messages request: system prompt, 6 turns (a tool call and its result among
    /// them) and 2 tools.
    static func anthropicRequest() -> [UInt8] {
        let words = String(repeating: "refactor the parser so ", count: 40)
        return Array(
            #"""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"system":[{"type":"text","text":"You are a careful coding agent. \#(words)"}],
             "messages":[
              {"role":"user","content":"Read the parser and tell me what to change. \#(words)"},
              {"role":"assistant","content":[{"type":"text","text":"Let me read it."},{"type":"tool_use","id":"toolu_1","name":"read_file","input":{"path":"Sources/Parser.swift"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"struct Parser { \#(words) }"}]},
              {"role":"assistant","content":"The parser re-scans each line; buffer it instead."},
              {"role":"user","content":[{"type":"text","text":"Do it, and run the tests."}]},
              {"role":"assistant","content":[{"type":"text","text":"Here is the plan:"}]}
             ],
             "tools":[
              {"name":"read_file","description":"Reads a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},
              {"name":"run_tests","description":"Runs the tests","input_schema":{"type":"object","properties":{"filter":{"type":"string"}}}}
             ],
             "tool_choice":{"type":"auto"},"temperature":0.2,"stream":true}
            """#
                .utf8)
    }
}
