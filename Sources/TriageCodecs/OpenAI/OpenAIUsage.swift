import TriageCore

/// Reads the `usage` block of OpenAI chat responses and stream chunks.
public enum OpenAIUsage {
    /// Reads the usage of a complete `chat.completion` body without parsing the whole answer:
    /// the top-level `"usage":` object is the last one in the body (a key can never appear
    /// unescaped inside a string), and only that object is parsed. Returns `nil` when the body
    /// does not look like one JSON object or has no usage. `lastMember` also asks that the object
    /// end the body, which makes it a member of the top-level object for certain (a stream
    /// chunk, whose usage OpenAI writes last, is then read without a tree).
    public static func usage(inCompletion bytes: UnsafeRawBufferPointer, lastMember: Bool = false) -> (isObject: Bool, usage: Usage?) {
        let buffer = bytes.bindMemory(to: UInt8.self)
        var start = 0
        var end = buffer.count - 1
        while start <= end, Self.isSpace(buffer[start]) { start += 1 }
        while end >= start, Self.isSpace(buffer[end]) { end -= 1 }
        guard start < end, buffer[start] == UInt8(ascii: "{"), buffer[end] == UInt8(ascii: "}") else { return (false, nil) }
        guard let key = ByteSearch.lastIndex(of: usageKey, in: buffer) else { return (true, nil) }
        var open = key + usageKey.count
        while open < buffer.count, Self.isSpace(buffer[open]) { open += 1 }
        guard open < buffer.count, buffer[open] == UInt8(ascii: "{") else { return (true, nil) }
        // Usage objects hold keys and numbers only: their braces balance without string parsing.
        var depth = 0
        var close = open
        while close < buffer.count {
            if buffer[close] == UInt8(ascii: "{") { depth += 1 } else if buffer[close] == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { break }
            }
            close += 1
        }
        guard close < buffer.count, !lastMember || close + 1 == end,
            let value = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(rebasing: bytes[open...close]))
        else {
            return (true, nil)
        }
        return (true, usage(inUsageObject: value))
    }

    static let usageKey = Array(#""usage":"#.utf8)

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Usage from a parsed response or chunk, or `nil` when it carries none (`"usage": null`).
    public static func usage(in value: JSONValue) -> Usage? {
        value["usage"].flatMap(usage(inUsageObject:))
    }

    static func usage(inUsageObject value: JSONValue) -> Usage? {
        guard case .object(let usage) = value else { return nil }
        return Usage(
            inputTokens: usage["prompt_tokens"]?.intValue ?? 0,
            outputTokens: usage["completion_tokens"]?.intValue ?? 0,
            cachedInputTokens: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
            cacheWriteInputTokens: usage["prompt_tokens_details"]?["cache_write_tokens"]?.intValue ?? 0,
            reasoningTokens: usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0
        )
    }
}

/// What one upstream stream chunk means to the relay.
public struct OpenAIStreamChunk: Sendable, Equatable {
    public var usage: Usage?
    /// A usage-only chunk (`"choices": []`), sent because the gateway asked for usage.
    public var isUsageOnly: Bool
    /// An `{"error": …}` payload inside the stream.
    public var errorMessage: String?
    public var isDone: Bool

    /// Classifies an event's `data`. Chunk bodies are parsed only when they can carry usage or an
    /// error, so content deltas cost one substring scan.
    public static func inspect(_ data: String) -> OpenAIStreamChunk {
        var data = data
        return data.withUTF8 { inspect(bytes: $0) }
    }

    /// `inspect(_:)` on the bytes of an event's `data`, read in place.
    public static func inspect(bytes: UnsafeBufferPointer<UInt8>) -> OpenAIStreamChunk {
        if ByteSearch.equal(bytes, doneMarker) { return OpenAIStreamChunk(usage: nil, isUsageOnly: false, errorMessage: nil, isDone: true) }
        let keys = keysToParse(bytes)
        if keys.usage, !keys.error, case (true, let usage?) = OpenAIUsage.usage(inCompletion: UnsafeRawBufferPointer(bytes), lastMember: true) {
            return OpenAIStreamChunk(usage: usage, isUsageOnly: hasNoChoices(bytes), errorMessage: nil, isDone: false)
        }
        guard keys.usage || keys.error, let value = try? JSONParser.parse(buffer: UnsafeRawBufferPointer(bytes)) else {
            return OpenAIStreamChunk(usage: nil, isUsageOnly: false, errorMessage: nil, isDone: false)
        }
        if case .object(let error)? = value["error"] {
            return OpenAIStreamChunk(usage: nil, isUsageOnly: false, errorMessage: error["message"]?.stringValue ?? "upstream error", isDone: false)
        }
        let usage = OpenAIUsage.usage(in: value)
        let usageOnly = usage != nil && (value["choices"]?.arrayValue?.isEmpty ?? false)
        return OpenAIStreamChunk(usage: usage, isUsageOnly: usageOnly, errorMessage: nil, isDone: false)
    }

    private static let doneMarker: [UInt8] = Array("[DONE]".utf8)
    private static let choicesKey: [UInt8] = Array(#""choices""#.utf8)

    /// Whether the chunk's `choices` is an empty array (the usage-only chunk). A key cannot occur
    /// unescaped inside a string, and OpenAI chunks have no nested `choices`.
    private static func hasNoChoices(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard var index = ByteSearch.firstIndex(of: choicesKey, in: bytes) else { return false }
        index += choicesKey.count
        var sawColon = false
        while index < bytes.count {
            switch bytes[index] {
            case let byte where OpenAIUsage.isSpace(byte): break
            case 0x3a where !sawColon: sawColon = true
            case 0x5b where sawColon:
                index += 1
                while index < bytes.count, OpenAIUsage.isSpace(bytes[index]) { index += 1 }
                return index < bytes.count && bytes[index] == 0x5d
            default: return false
            }
            index += 1
        }
        return false
    }

    /// Whether the chunk has a `"usage"` key whose value is not `null` (usage is `null` on every
    /// content chunk of a stream that asked for it, and present only on the last one), and
    /// whether it has an `"error"` key. A key cannot occur unescaped inside a string, so a
    /// content delta that mentions either word is not mistaken for one (and a false alarm only
    /// costs a parse).
    ///
    /// One Horspool pass for both seven-byte keys: the byte under the end of the window says how
    /// far the window can move, so most of a chunk is stepped over, not read.
    static func keysToParse(_ bytes: UnsafeBufferPointer<UInt8>) -> (usage: Bool, error: Bool) {
        guard let base = bytes.baseAddress, bytes.count >= 7 else { return (false, false) }
        var usage = false
        var error = false
        var end = 6
        keyShifts.withUnsafeBufferPointer { shifts in
            while end < bytes.count {
                let last = base[end]
                if last == 0x22 {
                    let start = end &- 6
                    if base[start] == 0x22 {
                        if !usage, base[start &+ 1] == 0x75, base[start &+ 2] == 0x73, base[start &+ 3] == 0x61, base[start &+ 4] == 0x67,
                            base[start &+ 5] == 0x65
                        {
                            usage = !valueIsNull(base, from: end &+ 1, count: bytes.count)
                        } else if base[start &+ 1] == 0x65, base[start &+ 2] == 0x72, base[start &+ 3] == 0x72, base[start &+ 4] == 0x6f,
                            base[start &+ 5] == 0x72
                        {
                            error = true
                        }
                    }
                }
                end &+= Int(shifts[Int(last)])
            }
        }
        return (usage, error)
    }

    /// Horspool shifts for `"usage"` and `"error"`: how far the window may move when this byte
    /// is under its last position (the smaller of the two keys' shifts).
    private static let keyShifts: [UInt8] = {
        var shifts = [UInt8](repeating: 7, count: 256)
        for key in [#""usage""#, #""error""#] {
            for (index, byte) in key.utf8.dropLast().enumerated() { shifts[Int(byte)] = min(shifts[Int(byte)], UInt8(6 - index)) }
        }
        return shifts
    }()

    /// Whether the value after a key ending before `start` (`: null`) is `null`.
    private static func valueIsNull(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Bool {
        var index = start
        while index < count, base[index] == UInt8(ascii: " ") || base[index] == UInt8(ascii: ":") { index &+= 1 }
        return index + 4 <= count && base[index] == UInt8(ascii: "n") && base[index + 1] == UInt8(ascii: "u")
    }
}
