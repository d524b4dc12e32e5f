import Yams

/// Typed access to a composed YAML tree; every failure is a `ConfigError` naming the key path
/// and line. Values that came from the environment are never repeated in a message, since
/// they may hold a secret.
struct NodeReader {
    let source: String
    let environment: [String: String]

    /// A scalar after `${VAR}` substitution, with what a message may safely show of it.
    struct Value {
        var text: String
        /// `"text"` for literal values; the expression as written (e.g. `"${PORT}"`) when the
        /// value came from the environment.
        var quoted: String
        var fromEnvironment: Bool
    }

    func fail(_ node: Node?, _ path: String, _ message: String) -> ConfigError {
        ConfigError(source: source, line: node?.mark?.line, path: path, message: message)
    }

    /// One entry of a mapping; `keyNode` carries the line of the key.
    typealias Member = (key: String, value: Node, keyNode: Node)

    /// The members of a mapping in file order, with unknown keys rejected. An empty value
    /// (`server:` with nothing below it) reads as an empty mapping.
    func mapping(_ node: Node, _ path: String, allowed: Set<String>? = nil) throws(ConfigError) -> [Member] {
        if isEmpty(node) { return [] }
        guard case .mapping(let mapping) = node else { throw fail(node, path, "expected a mapping of keys to values, got \(describe(node))") }
        var members: [Member] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else { throw fail(keyNode, path, "keys must be plain strings, got \(describe(keyNode))") }
            if let allowed, !allowed.contains(key.string) {
                throw fail(keyNode, join(path, key.string), "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            members.append((key.string, value, keyNode))
        }
        return members
    }

    /// The items of a list. An empty value reads as an empty list.
    func sequence(_ node: Node, _ path: String) throws(ConfigError) -> [Node] {
        if isEmpty(node) { return [] }
        guard case .sequence(let sequence) = node else { throw fail(node, path, "expected a list, got \(describe(node))") }
        return Array(sequence)
    }

    /// A scalar with `${VAR}` substitution applied (unless `substitute` is false).
    func value(_ node: Node, _ path: String, substitute: Bool = true) throws(ConfigError) -> Value {
        guard case .scalar(let scalar) = node else { throw fail(node, path, "expected a single value, got \(describe(node))") }
        guard substitute else { return Value(text: scalar.string, quoted: "\"\(scalar.string)\"", fromEnvironment: false) }
        do {
            let expansion = try EnvironmentSubstitution.expand(scalar.string, environment: environment)
            let quoted = expansion.usedEnvironment ? "\"\(scalar.string)\" (value from the environment not shown)" : "\"\(expansion.text)\""
            return Value(text: expansion.text, quoted: quoted, fromEnvironment: expansion.usedEnvironment)
        } catch .unset(let name) {
            throw fail(node, path, "environment variable \(name) is not set (write ${\(name):-default} to give a default)")
        } catch .invalidName(let name) {
            throw fail(node, path, "\"${\(name)}\" does not name an environment variable (letters, digits and _ only)")
        } catch {
            throw fail(node, path, "unterminated ${ (write $$ for a literal $)")
        }
    }

    /// A non-empty string after substitution.
    func string(_ node: Node, _ path: String, substitute: Bool = true) throws(ConfigError) -> String {
        let value = try value(node, path, substitute: substitute)
        guard !value.text.isEmpty else { throw fail(node, path, "must not be empty") }
        return value.text
    }

    func int(_ node: Node, _ path: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let value = try value(node, path)
        guard let number = Int(value.text) else { throw fail(node, path, "expected a whole number, got \(value.quoted)") }
        guard range.contains(number) else {
            throw fail(node, path, "must be between \(range.lowerBound) and \(range.upperBound), got \(shown(value))")
        }
        return number
    }

    /// A finite decimal number within `range`.
    func double(_ node: Node, _ path: String, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let value = try value(node, path)
        guard let number = Double(value.text), number.isFinite, !value.text.lowercased().hasPrefix("0x") else {
            throw fail(node, path, "expected a number, got \(value.quoted)")
        }
        guard range.contains(number) else {
            throw fail(node, path, "must be between \(format(range.lowerBound)) and \(format(range.upperBound)), got \(shown(value))")
        }
        return number
    }

    /// `true` or `false` (any letter case), after substitution.
    func bool(_ node: Node, _ path: String) throws(ConfigError) -> Bool {
        let value = try value(node, path)
        switch value.text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw fail(node, path, "expected true or false, got \(value.quoted)")
        }
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Whether the node is YAML's null: a key with nothing after it, `~` or `null`.
    func isEmpty(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isEmpty(node) ? "an empty value" : "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// A number as written in the file, or the expression it came from.
    private func shown(_ value: Value) -> String {
        value.fromEnvironment ? value.quoted : value.text
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
