/// Reads a JSON document where it lies, member by member, for a caller that wants a few values
/// of a known shape without building a tree (a stream event read per chunk). Whatever it reads
/// or skips is validated exactly as `JSONParser` would, so a document the cursor gets through
/// is one the parser accepts; any method throws where the parser would.
///
///     var cursor = JSONCursor(bytes)
///     try cursor.enterObject()
///     var first = true
///     while let key = try cursor.nextKey(first: &first) {
///         if cursor.matches(key, "id") { let id = try cursor.string() } else { try cursor.skipValue() }
///     }
///     try cursor.finish()
public struct JSONCursor {
    var reader: JSONParser.Reader
    /// Containers entered and not yet left.
    var depth = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONParser.defaultMaxDepth) {
        reader = JSONParser.Reader(bytes: UnsafeRawBufferPointer(bytes), maxDepth: maxDepth)
    }

    /// A key read by `nextKey`: where its text lies, and whether that text has no escape (only
    /// then can it be compared byte for byte).
    public struct Key {
        public var content: Range<Int>
        public var plain: Bool
    }

    /// The byte the next value starts with, after whitespace; nil at the end.
    public mutating func peek() -> UInt8? {
        reader.skipWhitespace()
        return reader.index < reader.bytes.count ? reader.bytes[reader.index] : nil
    }

    /// Enters the object that comes next; throws when something else does.
    public mutating func enterObject() throws(JSONParseError) {
        try enter(UInt8(ascii: "{"), "expected a JSON object")
    }

    /// Enters the array that comes next; throws when something else does.
    public mutating func enterArray() throws(JSONParseError) {
        try enter(UInt8(ascii: "["), "expected a JSON array")
    }

    private mutating func enter(_ bracket: UInt8, _ message: String) throws(JSONParseError) {
        guard peek() == bracket else { throw reader.fail(message) }
        depth += 1
        guard depth <= reader.maxDepth else { throw reader.fail("JSON nested too deeply") }
        reader.index += 1
    }

    /// The next key of the object being read, the cursor then on its value; nil once the
    /// object has ended (the cursor past it). `first` is true for the first call on an object
    /// and is set to false.
    public mutating func nextKey(first: inout Bool) throws(JSONParseError) -> Key? {
        guard try next(first: &first, closing: UInt8(ascii: "}")) else { return nil }
        guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else { throw reader.fail("expected a string key") }
        let key = try reader.skipString()
        reader.skipWhitespace()
        guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":") else { throw reader.fail("expected ':'") }
        reader.index += 1
        reader.skipWhitespace()
        return Key(content: key.content, plain: key.plain)
    }

    /// Whether another element of the array being read follows (the cursor then on it); false
    /// once the array has ended (the cursor past it).
    public mutating func nextElement(first: inout Bool) throws(JSONParseError) -> Bool {
        try next(first: &first, closing: UInt8(ascii: "]"))
    }

    private mutating func next(first: inout Bool, closing: UInt8) throws(JSONParseError) -> Bool {
        reader.skipWhitespace()
        if first {
            first = false
            if reader.index < reader.bytes.count, reader.bytes[reader.index] == closing {
                reader.index += 1
                depth -= 1
                return false
            }
            return true
        }
        if try reader.endOfMember(closing: closing) {
            depth -= 1
            return false
        }
        reader.skipWhitespace()
        return true
    }

    /// Whether `key` is plainly `name`.
    public func matches(_ key: Key, _ name: StaticString) -> Bool {
        guard key.plain, key.content.count == name.utf8CodeUnitCount else { return false }
        let pointer = name.utf8Start
        for offset in 0..<key.content.count where reader.bytes[key.content.lowerBound + offset] != pointer[offset] { return false }
        return true
    }

    /// Skips the value that comes next, validating it.
    public mutating func skipValue() throws(JSONParseError) {
        reader.skipWhitespace()
        try reader.skipValue(depth: depth)
    }

    /// The string that comes next, where it lies: its content and whether it has no escape
    /// (then the content is the text, valid UTF-8). Throws for anything but a string.
    public mutating func stringContent() throws(JSONParseError) -> (content: Range<Int>, plain: Bool) {
        guard peek() == UInt8(ascii: "\"") else { throw reader.fail("expected a string") }
        return try reader.skipString()
    }

    /// The string that comes next, decoded. Throws for anything but a string.
    public mutating func string() throws(JSONParseError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw reader.fail("expected a string") }
        return try reader.parseString()
    }

    /// The string whose content `stringContent()` gave, decoded.
    public func decodedString(_ content: Range<Int>) throws(JSONParseError) -> String {
        var copy = reader
        copy.index = content.lowerBound - 1
        return try copy.parseString()
    }

    /// The bytes of the document in `range`.
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: reader.bytes[range])
    }

    /// Where the cursor stands.
    public var offset: Int { reader.index }

    /// Throws unless only whitespace is left.
    public mutating func finish() throws(JSONParseError) {
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.fail("unexpected data after the JSON value") }
    }
}
