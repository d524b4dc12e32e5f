/// Why a document is not valid JSON, with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes. It never traps on malformed input: every failure is a
/// `JSONParseError`, and nesting is bounded so hostile input cannot exhaust the stack.
public struct JSONParser {
    public static let defaultMaxDepth = 128

    /// Parses one complete JSON document; trailing non-whitespace is an error.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue
    where Bytes.Element == UInt8 {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer, maxDepth: maxDepth) }
        }.get()
    }

    /// Parses a JSON document held in a string.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses a document that must be an object and also returns, for each member in order, the
    /// byte range of its value in `buffer`, so a caller can re-emit untouched members verbatim.
    public static func parseObjectWithSpans(buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> (JSONObject, [Range<Int>]) {
        var reader = Reader(bytes: buffer, maxDepth: maxDepth)
        reader.recordSpans = true
        reader.skipWhitespace()
        guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "{") else {
            throw JSONParseError(message: "expected a JSON object", offset: reader.index)
        }
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.index != buffer.count {
            throw JSONParseError(message: "unexpected data after the JSON value", offset: reader.index)
        }
        guard case .object(let object) = value else { throw JSONParseError(message: "expected a JSON object", offset: 0) }
        return (object, reader.spans)
    }

    public static func parse(buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: buffer, maxDepth: maxDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.index != buffer.count {
            throw JSONParseError(message: "unexpected data after the JSON value", offset: reader.index)
        }
        return value
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let maxDepth: Int
        var index = 0
        /// Record the value ranges of the outermost object's members.
        var recordSpans = false
        var spans: [Range<Int>] = []

        init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ message: String) -> JSONParseError {
            JSONParseError(message: message, offset: index)
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard index < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw fail("unexpected character")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of JSON") }
            let pointer = literal.utf8Start
            for offset in 0..<count where bytes[index + offset] != pointer[offset] {
                throw fail("invalid literal")
            }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw fail("JSON nested too deeply") }
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members))
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                let valueStart = index
                let value = try parseValue(depth: depth)
                if recordSpans && depth == 1 { spans.append(valueStart..<index) }
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(JSONObject(members))
                } else {
                    throw fail("expected ',' or '}'")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw fail("JSON nested too deeply") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw fail("expected ',' or ']'")
                }
            }
        }

        mutating func parseNumber() throws(JSONParseError) -> String {
            let range = try scanNumber()
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        /// The number at `index`, validated: its range.
        mutating func scanNumber() throws(JSONParseError) -> Range<Int> {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if isDigit(bytes[index]) {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            } else {
                throw fail("invalid number")
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            return start..<index
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// The string at `index` (its opening quote). `skipString` validates it; text without
        /// escapes is then taken as it stands (already valid UTF-8), and text with escapes is
        /// decoded in a second pass that cannot fail.
        mutating func parseString() throws(JSONParseError) -> String {
            let string = try skipString()
            let content = UnsafeRawBufferPointer(rebasing: bytes[string.content])
            guard !string.plain else { return String(decoding: content, as: UTF8.self) }
            let end = index
            index = string.content.lowerBound
            var scratch: [UInt8] = []
            scratch.reserveCapacity(string.content.count)
            while index < string.content.upperBound {
                if bytes[index] == UInt8(ascii: "\\") {
                    scratch.append(contentsOf: try readEscape().utf8)
                } else {
                    scratch.append(bytes[index])
                    index += 1
                }
            }
            index = end
            return String(decoding: scratch, as: UTF8.self)
        }

        /// The escape at `index` (a backslash), validated and decoded; `index` moves past it.
        mutating func readEscape() throws(JSONParseError) -> Unicode.Scalar {
            index += 1
            guard index < bytes.count else { throw fail("unterminated string") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in string")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("unpaired surrogate in string")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
                return unicode
            default:
                throw fail("invalid escape in string")
            }
        }

        /// Skips the string at `index` (its opening quote), rejecting exactly what
        /// `parseString` rejects, without building it. Returns the range of its content and
        /// whether that content has no escape (so it is the text, valid UTF-8, as it stands).
        @discardableResult
        mutating func skipString() throws(JSONParseError) -> (content: Range<Int>, plain: Bool) {
            index += 1
            let start = index
            var segment = start
            var plain = true
            var ascii = true
            while index < bytes.count {
                passPlainASCII()
                guard index < bytes.count else { break }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    if !ascii { try validateUTF8(segment..<index) }
                    index += 1
                    return (start..<(index - 1), plain)
                }
                if byte == UInt8(ascii: "\\") {
                    if !ascii { try validateUTF8(segment..<index) }
                    ascii = true
                    plain = false
                    _ = try readEscape()
                    segment = index
                    continue
                }
                if byte < 0x20 { throw fail("control character in string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            throw fail("unterminated string")
        }

        /// Moves `index` over plain ASCII string bytes eight at a time, up to the first group of
        /// eight with a byte that needs a look (or the last seven bytes).
        @inline(__always)
        mutating func passPlainASCII() {
            while index + 8 <= bytes.count, !Self.needsALook(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { index += 8 }
        }

        /// Whether any of eight bytes of a string is a quote, a backslash, a control character
        /// or not ASCII (the bytes `skipString` must look at one by one).
        @inline(__always)
        static func needsALook(_ chunk: UInt64) -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs = ones &* 0x80
            func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
            return chunk & highs != 0 || (chunk &- ones &* 0x20) & ~chunk & highs != 0 || hasZeroByte(chunk ^ (ones &* 0x22))
                || hasZeroByte(chunk ^ (ones &* 0x5c))
        }

        /// Rejects bytes in `range` that are not UTF-8, as `parseString` would (the text
        /// between two escapes is whole scalars in any valid string).
        func validateUTF8(_ range: Range<Int>) throws(JSONParseError) {
            var iterator = UnsafeRawBufferPointer(rebasing: bytes[range]).makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return
                case .error: throw JSONParseError(message: "invalid UTF-8 in string", offset: range.lowerBound)
                }
            }
        }

        /// Skips the value at `index`, rejecting exactly what `parseValue` rejects, without
        /// building it.
        mutating func skipValue(depth: Int) throws(JSONParseError) {
            guard index < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                if try openIsEmpty(closing: UInt8(ascii: "}"), depth: depth) { return }
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    try skipString()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    if try endOfMember(closing: UInt8(ascii: "}")) { return }
                }
            case UInt8(ascii: "["):
                if try openIsEmpty(closing: UInt8(ascii: "]"), depth: depth) { return }
                while true {
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    if try endOfMember(closing: UInt8(ascii: "]")) { return }
                }
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "t"): try expectLiteral("true")
            case UInt8(ascii: "f"): try expectLiteral("false")
            case UInt8(ascii: "n"): try expectLiteral("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
            default: throw fail("unexpected character")
            }
        }

        /// Enters the object or array at `index` (one level below `depth`); `true`, past its
        /// closing bracket, when it is empty.
        mutating func openIsEmpty(closing: UInt8, depth: Int) throws(JSONParseError) -> Bool {
            guard depth + 1 <= maxDepth else { throw fail("JSON nested too deeply") }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == closing else { return false }
            index += 1
            return true
        }

        /// After a member or element: `true` past the closing bracket, `false` past a comma.
        mutating func endOfMember(closing: UInt8) throws(JSONParseError) -> Bool {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of JSON") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                return false
            }
            guard bytes[index] == closing else { throw fail(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'") }
            index += 1
            return true
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("invalid unicode escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail("invalid unicode escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
