import Foundation
import TriageCore

/// One way a JSON document fails its schema, with the JSON Pointer of the offending value.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

/// Validates JSON documents against a JSON Schema: the keywords OpenAI structured outputs and
/// tool parameter schemas use (type, properties, required, additionalProperties, items, enum,
/// const, anyOf / oneOf / allOf, numeric and length bounds, pattern, `$ref` into `$defs` /
/// `definitions`). Unknown keywords are ignored, as the specification asks.
public struct JSONSchemaValidator: Sendable {
    public let schema: JSONValue
    /// Stops after this many violations.
    public var maxViolations = 20

    public init(schema: JSONValue) {
        self.schema = schema
    }

    public func violations(of document: JSONValue) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        var path = JSONPointer()
        check(document, against: schema, path: &path, depth: 0, into: &found)
        return found
    }

    public func isValid(_ document: JSONValue) -> Bool {
        violations(of: document).isEmpty
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: inout JSONPointer, depth: Int, into found: inout [SchemaViolation]) {
        guard found.count < maxViolations else { return }
        guard depth < 64 else {
            found.append(SchemaViolation(path: path.rendered, message: "schema nests too deeply (recursive $ref?)"))
            return
        }
        switch schema {
        case .bool(false):
            found.append(SchemaViolation(path: path.rendered, message: "no value is allowed here"))
            return
        case .object:
            break
        default:
            return
        }
        if let reference = schema["$ref"]?.stringValue {
            guard let target = resolve(reference) else {
                found.append(SchemaViolation(path: path.rendered, message: "unresolvable $ref \(reference)"))
                return
            }
            check(value, against: target, path: &path, depth: depth + 1, into: &found)
        }
        if let types = schema["type"] {
            let fits: Bool
            switch types {
            case .string(let type): fits = Self.matches(value, type: type)
            case .array(let list): fits = list.isEmpty || list.contains { $0.stringValue.map { Self.matches(value, type: $0) } ?? false }
            default: fits = true
            }
            let allowed = fits ? [] : types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue].compactMap { $0 }
            if !fits, !allowed.isEmpty {
                found.append(SchemaViolation(path: path.rendered, message: "expected \(allowed.joined(separator: " or ")), got \(value.kindName)"))
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            found.append(SchemaViolation(path: path.rendered, message: "must be one of \(options.map(JSONWriter.string).joined(separator: ", "))"))
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            found.append(SchemaViolation(path: path.rendered, message: "must be \(JSONWriter.string(constant))"))
        }
        checkCombinators(value, schema: schema, path: &path, depth: depth, into: &found)
        switch value {
        case .object(let object): checkObject(object, schema: schema, path: &path, depth: depth, into: &found)
        case .array(let items): checkArray(items, schema: schema, path: &path, depth: depth, into: &found)
        case .string(let string): checkString(string, schema: schema, path: &path, into: &found)
        case .number: checkNumber(value.doubleValue ?? 0, schema: schema, path: &path, into: &found)
        default: break
        }
    }

    private func checkCombinators(_ value: JSONValue, schema: JSONValue, path: inout JSONPointer, depth: Int, into found: inout [SchemaViolation]) {
        if let all = schema["allOf"]?.arrayValue {
            for sub in all { check(value, against: sub, path: &path, depth: depth + 1, into: &found) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            let passing = any.filter { sub in
                var trial: [SchemaViolation] = []
                check(value, against: sub, path: &path, depth: depth + 1, into: &trial)
                return trial.isEmpty
            }
            if passing.isEmpty { found.append(SchemaViolation(path: path.rendered, message: "matches none of the anyOf schemas")) }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let passing = one.filter { sub in
                var trial: [SchemaViolation] = []
                check(value, against: sub, path: &path, depth: depth + 1, into: &trial)
                return trial.isEmpty
            }.count
            if passing != 1 { found.append(SchemaViolation(path: path.rendered, message: "matches \(passing) of the oneOf schemas, expected exactly 1")) }
        }
    }

    private func checkObject(_ object: JSONObject, schema: JSONValue, path: inout JSONPointer, depth: Int, into found: inout [SchemaViolation]) {
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        for entry in schema["required"]?.arrayValue ?? [] {
            if case .string(let name) = entry, object[name] == nil {
                found.append(SchemaViolation(path: path.rendered, message: "missing required property '\(name)'"))
            }
        }
        let additional = schema["additionalProperties"]
        for member in object {
            path.push(.key(member.key))
            defer { path.pop() }
            if let propertySchema = properties[member.key] {
                check(member.value, against: propertySchema, path: &path, depth: depth + 1, into: &found)
            } else if let additional {
                if case .bool(false) = additional {
                    found.append(SchemaViolation(path: path.rendered, message: "property '\(member.key)' is not allowed"))
                } else {
                    check(member.value, against: additional, path: &path, depth: depth + 1, into: &found)
                }
            }
        }
        if let minimum = schema["minProperties"]?.intValue, object.count < minimum {
            found.append(SchemaViolation(path: path.rendered, message: "needs at least \(minimum) properties"))
        }
        if let maximum = schema["maxProperties"]?.intValue, object.count > maximum {
            found.append(SchemaViolation(path: path.rendered, message: "allows at most \(maximum) properties"))
        }
    }

    private func checkArray(_ items: [JSONValue], schema: JSONValue, path: inout JSONPointer, depth: Int, into found: inout [SchemaViolation]) {
        if let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                path.push(.index(index))
                check(item, against: itemSchema, path: &path, depth: depth + 1, into: &found)
                path.pop()
            }
        }
        if let minimum = schema["minItems"]?.intValue, items.count < minimum {
            found.append(SchemaViolation(path: path.rendered, message: "needs at least \(minimum) items, got \(items.count)"))
        }
        if let maximum = schema["maxItems"]?.intValue, items.count > maximum {
            found.append(SchemaViolation(path: path.rendered, message: "allows at most \(maximum) items, got \(items.count)"))
        }
        if schema["uniqueItems"]?.boolValue == true, Set(items).count != items.count {
            found.append(SchemaViolation(path: path.rendered, message: "items must be unique"))
        }
    }

    private func checkString(_ string: String, schema: JSONValue, path: inout JSONPointer, into found: inout [SchemaViolation]) {
        let length = string.count
        if let minimum = schema["minLength"]?.intValue, length < minimum {
            found.append(SchemaViolation(path: path.rendered, message: "shorter than \(minimum) characters"))
        }
        if let maximum = schema["maxLength"]?.intValue, length > maximum {
            found.append(SchemaViolation(path: path.rendered, message: "longer than \(maximum) characters"))
        }
        if let pattern = schema["pattern"]?.stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(string.startIndex..<string.endIndex, in: string)
                if regex.firstMatch(in: string, range: range) == nil {
                    found.append(SchemaViolation(path: path.rendered, message: "does not match pattern \(pattern)"))
                }
            }
        }
    }

    private func checkNumber(_ number: Double, schema: JSONValue, path: inout JSONPointer, into found: inout [SchemaViolation]) {
        if let minimum = schema["minimum"]?.doubleValue, number < minimum {
            found.append(SchemaViolation(path: path.rendered, message: "less than the minimum \(minimum)"))
        }
        if let maximum = schema["maximum"]?.doubleValue, number > maximum {
            found.append(SchemaViolation(path: path.rendered, message: "greater than the maximum \(maximum)"))
        }
        if let minimum = schema["exclusiveMinimum"]?.doubleValue, number <= minimum {
            found.append(SchemaViolation(path: path.rendered, message: "must be greater than \(minimum)"))
        }
        if let maximum = schema["exclusiveMaximum"]?.doubleValue, number >= maximum {
            found.append(SchemaViolation(path: path.rendered, message: "must be less than \(maximum)"))
        }
        if let divisor = schema["multipleOf"]?.doubleValue, divisor > 0 {
            let quotient = number / divisor
            if abs(quotient - quotient.rounded()) > 1e-9 { found.append(SchemaViolation(path: path.rendered, message: "not a multiple of \(divisor)")) }
        }
    }

    /// Resolves `#`, `#/$defs/Name`, `#/definitions/Name` and other local JSON Pointers.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = schema
        for token in reference.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let index = Int(key), let array = node.arrayValue, index < array.count {
                node = array[index]
            } else if let next = node[key] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number): value.doubleValue.map { $0.rounded() == $0 } ?? false
        default: false
        }
    }

    /// JSON equality: numbers compare by value (1 == 1.0), objects ignore key order.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number, .number): return lhs.doubleValue == rhs.doubleValue
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { member in b[member.key].map { equal(member.value, $0) } ?? false }
        default: return lhs == rhs
        }
    }

}

/// The JSON Pointer of the value being checked, kept as a stack of tokens and rendered only
/// when a violation is reported, so a valid document costs no string building.
struct JSONPointer {
    enum Token {
        case key(String)
        case index(Int)
    }

    private var tokens: [Token] = []

    mutating func push(_ token: Token) { tokens.append(token) }
    mutating func pop() { tokens.removeLast() }

    /// `/items/3/name`, with `~` and `/` in keys escaped as RFC 6901 says; "" for the root.
    var rendered: String {
        var out = ""
        for token in tokens {
            out += "/"
            switch token {
            case .key(let key): out += key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            case .index(let index): out += String(index)
            }
        }
        return out
    }
}
