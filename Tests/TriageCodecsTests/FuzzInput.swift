import Foundation
import PropertyBased
import TriageCodecs
import TriageCore

/// The generator machinery the fuzz suites share (`DecoderFuzzTests`, `CodecFuzzTests`):
///
/// - `input`: byte strings glued together from `pieces`, fragments of JSON, of the wire formats
///   the gateway reads (OpenAI chat, Anthropic Messages, Responses, Gemini) and of SSE framing,
///   plus raw bytes that are not UTF-8;
/// - `document(seeds:)`: a realistic document of a format (a seed) mutated node by node (values
///   replaced, members dropped or added, subtrees grafted from other formats), written as JSON and
///   now and then cut or spliced with `pieces`, so most inputs parse and reach deep into a codec;
/// - `stream(seeds:)`: an SSE byte stream of mutated seed events mixed with arbitrary pieces.
enum FuzzInput {
    /// Inputs per property: 100,000, or `TRIAGE_FUZZ_COUNT` (e.g. a long local run).
    static let count = ProcessInfo.processInfo.environment["TRIAGE_FUZZ_COUNT"].flatMap { Int($0) } ?? 100_000

    /// Fragments of JSON, of every wire format the gateway reads and of SSE framing, plus raw bytes
    /// that are not UTF-8.
    static let pieces: [[UInt8]] =
        [
            // JSON
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u00", "\\ud83d", "1", "-0.5e9", "true", "null", " ", "\n", "\r\n", "\n\n",
            "9223372036854775807", "-9223372036854775808", "1e400",
            // OpenAI chat
            #""model""#, #""triage/auto""#, #""messages""#, #""role""#, #""user""#, #""content""#, #""stream""#, #""tools""#,
            #""type""#, #""text""#, #"{"choices":[{"delta":{"content":"hi"}}]}"#, #""usage":{"prompt_tokens":3}"#,
            // Anthropic Messages
            #""max_tokens""#, #""system""#, #""tool_use""#, #""tool_result""#, #""input_schema""#, #""input""#, #""assistant""#,
            #""thinking""#, #""budget_tokens""#, #""cache_control""#, #""stop_reason""#, #""input_tokens""#, #""output_tokens""#,
            #"{"type":"text","text":"x"}"#, #"{"type":"tool_use","id":"t","name":"f","input":{}}"#,
            // Responses
            #""instructions""#, #""function_call""#, #""function_call_output""#, #""call_id""#, #""arguments""#, #""output""#,
            #""input_text""#, #""max_output_tokens""#,
            // Gemini
            #""contents""#, #""parts""#, #""candidates""#, #""usageMetadata""#, #""functionCall""#, #""finishReason""#,
            #""promptTokenCount""#, #""STOP""#,
            #"{"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"}}]}"#,
            // SSE
            "data: ", "data: [DONE]", "event: x", ": comment", "id: 7", "retry: 1",
            "event: message_start", "event: content_block_delta", "event: message_stop", "event: error",
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}"#,
        ].map { Array($0.utf8) } + [[0xff], [0xc3], [0xe2, 0x82], [0x00], [0xf0, 0x9f, 0x98, 0x80]]

    static let input = Gen<[UInt8]?>.element(of: pieces).map { $0 ?? [] }.array(of: 0...40).map { $0.flatMap { $0 } }

    // MARK: Mutated documents

    /// A seed document of a format, mutated and written as bytes (see the type's comment).
    static func document(seeds: [JSONValue]) -> Generator<[UInt8], Shrink.None<[UInt8]>> {
        let pool = subtrees(of: seeds)
        return Generator { rng in
            var random = Random(rng: rng)
            defer { rng = random.rng }
            switch random.int(100) {
            case 0..<10: return random.pieces(maxCount: 30)
            case 10..<20:
                // Valid JSON cut short or spliced with pieces.
                var bytes = JSONWriter.bytes(random.mutate(random.element(seeds), pool: pool))
                let at = random.int(bytes.count + 1)
                if random.bool() { bytes.removeSubrange(at...) } else { bytes.insert(contentsOf: random.pieces(maxCount: 3), at: at) }
                return bytes
            default: return JSONWriter.bytes(random.mutate(random.element(seeds), pool: pool))
            }
        }
    }

    /// `document(seeds:)` parsed: the mutated value itself (for decoders that take `JSONValue`s),
    /// sometimes arbitrary pieces that happened to parse.
    static func value(seeds: [JSONValue]) -> Generator<JSONValue, Shrink.None<JSONValue>> {
        let pool = subtrees(of: seeds)
        return Generator { rng in
            var random = Random(rng: rng)
            defer { rng = random.rng }
            if random.int(10) == 0, let parsed = try? JSONParser.parse(random.pieces(maxCount: 30)) { return parsed }
            return random.mutate(random.element(seeds), pool: pool)
        }
    }

    /// An SSE stream of up to `maxEvents` events: mostly mutated seed events (`event:` name kept
    /// or dropped, data a mutated seed payload), with gateway comments, `[DONE]`, blank lines and
    /// arbitrary pieces between them; sometimes cut short.
    static func stream(seeds: [SSEEvent], maxEvents: Int = 4) -> Generator<[UInt8], Shrink.None<[UInt8]>> {
        let payloads = seeds.map { (try? JSONParser.parse($0.data)) ?? .string($0.data) }
        let pool = subtrees(of: payloads)
        return Generator { rng in
            var random = Random(rng: rng)
            defer { rng = random.rng }
            var out: [UInt8] = []
            let events = random.int(maxEvents + 1)
            var next = random.int(max(1, seeds.count))  // runs of consecutive seeds keep a stream's order
            for _ in 0..<events {
                switch random.int(40) {
                case 0: out += random.pieces(maxCount: 6)
                case 1: out += SSEWriter.done
                case 2: out += SSEWriter.comment("triage: x")
                case 3: out += Array("\n".utf8)
                case 4: out += Array("data: {\"a\":\n\n".utf8)
                default:
                    let index = random.int(4) == 0 ? random.int(seeds.count) : next % seeds.count
                    next = index + 1
                    let seed = seeds[index]
                    let payload = random.int(3) == 0 ? random.mutate(payloads[index], pool: pool) : payloads[index]
                    let data = payload.stringValue.map { $0 } ?? JSONWriter.string(payload)
                    let name = random.int(8) == 0 ? random.element(eventNames) : seed.event
                    // Framed by hand (SSEWriter's byte filter is slow in debug builds).
                    if random.int(10) != 0, let name { out += Array("event: \(name)\n".utf8) }
                    out += Array("data: \(data)\n\n".utf8)
                }
            }
            if random.int(10) == 0 { out.removeSubrange(random.int(out.count + 1)...) }
            if random.int(10) == 0 { out = out.map { $0 == 0x0A ? 0x0D : $0 } }  // CR line ends
            return out
        }
    }

    static let eventNames = [
        "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping",
        "error", "x",
    ]

    /// Every subtree of the seeds, grafted into other documents by `mutate`.
    static func subtrees(of seeds: [JSONValue]) -> [JSONValue] {
        var out: [JSONValue] = []
        func walk(_ value: JSONValue) {
            out.append(value)
            switch value {
            case .array(let items): items.forEach(walk)
            case .object(let object): object.members.forEach { walk($0.value) }
            default: break
            }
        }
        seeds.forEach(walk)
        return out
    }

    /// Keys and leaves the mutator puts into documents: members of every format, and the values
    /// that break careless code (huge and negative numbers, empty strings, non-ASCII text).
    static let keys = [
        "model", "messages", "role", "content", "type", "text", "stream", "tools", "tool_choice", "max_tokens", "max_completion_tokens",
        "system", "tool_use", "tool_result", "tool_use_id", "input_schema", "input", "id", "name", "thinking", "budget_tokens",
        "cache_control", "instructions", "function_call", "function_call_output", "call_id", "arguments", "output", "function",
        "tool_calls", "parameters", "contents", "parts", "candidates", "usageMetadata", "usage", "prompt_tokens", "completion_tokens",
        "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "promptTokenCount",
        "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount", "finishReason", "finish_reason", "stop_reason", "delta",
        "index", "choices", "error", "message", "response_format", "stop", "metadata", "image_url", "source", "data", "functionCall",
        "args", "thought", "refusal", "thinking_blocks", "reasoning", "text_delta", "partial_json", "stop_sequence", "signature",
    ]

    static let leaves: [JSONValue] = [
        .null, .bool(true), .bool(false), .number("0"), .number("1"), .number("-1"), .number("2.5"), .number("1e400"),
        .number("9223372036854775807"), .number("-9223372036854775808"), .number("4611686018427387904"), .number("1e15"),
        .string(""), .string("x"), .string("é\u{0}😀"), .string("user"), .string("assistant"), .string("system"), .string("tool"),
        .string("model"), .string("text"), .string("tool_use"), .string("tool_result"), .string("image"), .string("function"),
        .string("enabled"), .string("json_schema"), .string("STOP"), .string("MAX_TOKENS"), .string("end_turn"),
        .string("{\"a\":1}"), .string("{"), .string("triage_json_out"), .string("models/x"), .string("../x"),
        .array([]), .object(JSONObject()),
    ]

    /// The random choices of one generated input, over the property checker's seeded generator.
    struct Random {
        var rng: any SeededRandomNumberGenerator

        mutating func int(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(rng.next() % UInt64(bound)) }
        mutating func bool() -> Bool { rng.next() & 1 == 0 }
        mutating func element<T>(_ items: [T]) -> T { items[int(items.count)] }

        mutating func pieces(maxCount: Int) -> [UInt8] {
            (0..<int(maxCount + 1)).flatMap { _ in element(FuzzInput.pieces) }
        }

        /// A small arbitrary value.
        mutating func value(depth: Int = 0) -> JSONValue {
            switch depth > 2 ? 0 : int(6) {
            case 4: return .array((0..<int(4)).map { _ in value(depth: depth + 1) })
            case 5: return .object(JSONObject((0..<int(4)).map { _ in (key: element(FuzzInput.keys), value: value(depth: depth + 1)) }))
            default: return element(FuzzInput.leaves)
            }
        }

        /// The value with each node changed at a rate chosen per document.
        mutating func mutate(_ value: JSONValue, pool: [JSONValue]) -> JSONValue {
            let rate = element([0, 2, 5, 10, 25])  // percent
            return mutate(value, rate: rate, pool: pool)
        }

        private mutating func mutate(_ value: JSONValue, rate: Int, pool: [JSONValue]) -> JSONValue {
            if int(100) < rate {
                switch int(4) {
                case 0: return self.value()
                case 1: return element(pool)
                case 2: return element(FuzzInput.leaves)
                default: break  // mutate the members below instead
                }
            }
            switch value {
            case .array(var items):
                items = items.map { mutate($0, rate: rate, pool: pool) }
                if !items.isEmpty, int(100) < rate { items.remove(at: int(items.count)) }
                if !items.isEmpty, int(100) < rate { items.insert(element(items), at: int(items.count + 1)) }
                if int(100) < rate { items.insert(element(pool), at: int(items.count + 1)) }
                return .array(items)
            case .object(var object):
                object.members = object.members.map { (key: $0.key, value: mutate($0.value, rate: rate, pool: pool)) }
                if !object.members.isEmpty, int(100) < rate { object.members.remove(at: int(object.members.count)) }
                if int(100) < rate {
                    let member = (key: element(FuzzInput.keys), value: int(2) == 0 ? self.value() : element(pool))
                    object.members.insert(member, at: int(object.members.count + 1))
                }
                if !object.members.isEmpty, int(200) < rate { object.members.append(element(object.members)) }  // duplicate key
                return .object(object)
            case .string(let text) where int(100) < rate:
                return .string(String(text.prefix(int(text.count + 1))))
            default:
                return value
            }
        }
    }

    // MARK: Seeds

    static func json(_ text: String) -> JSONValue {
        do { return try JSONParser.parse(text) } catch { fatalError("bad seed JSON: \(error)\n\(text)") }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ path: String) -> [UInt8] {
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent(path)) else { fatalError("missing fixture \(path)") }
        return Array(data)
    }

    /// The events of a recorded SSE fixture.
    static func fixtureEvents(_ path: String) -> [SSEEvent] {
        var parser = SSEParser()
        guard let events = try? parser.push(fixture(path)) else { fatalError("bad SSE fixture \(path)") }
        return events
    }
}
