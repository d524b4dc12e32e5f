import Yams

/// Typed access to a composed YAML tree; every failure is a `ConfigError` naming the key path
/// and line.
struct NodeReader {
    let source: String
    let environment: [String: String]

    func fail(_ node: Node?, _ path: String, _ message: String) -> ConfigError {
        ConfigError(source: source, line: node?.mark?.line, path: path, message: message)
    }

    /// The members of a mapping in file order, with unknown keys rejected.
    func mapping(_ node: Node, _ path: String, allowed: Set<String>? = nil) throws(ConfigError) -> [(key: String, value: Node, keyNode: Node)] {
        guard case .mapping(let mapping) = node else { throw fail(node, path, "expected a mapping of keys to values, got \(describe(node))") }
        var members: [(key: String, value: Node, keyNode: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else { throw fail(keyNode, path, "keys must be plain strings") }
            if let allowed, !allowed.contains(key.string) {
                throw fail(keyNode, join(path, key.string), "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            members.append((key.string, value, keyNode))
        }
        return members
    }

    func sequence(_ node: Node, _ path: String) throws(ConfigError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw fail(node, path, "expected a list, got \(describe(node))") }
        return Array(sequence)
    }

    /// A scalar with `${VAR}` substitution applied.
    func string(_ node: Node, _ path: String, substitute: Bool = true) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw fail(node, path, "expected a string, got \(describe(node))") }
        guard substitute else { return scalar.string }
        do {
            return try EnvironmentSubstitution.expand(scalar.string, environment: environment)
        } catch .unset(let name) {
            throw fail(node, path, "environment variable \(name) is not set (use ${\(name):-default} to give a default)")
        } catch {
            throw fail(node, path, "unterminated ${ in value")
        }
    }

    func int(_ node: Node, _ path: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string(node, path)
        guard let value = Int(text) else { throw fail(node, path, "expected a whole number, got \"\(text)\"") }
        guard range.contains(value) else { throw fail(node, path, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)") }
        return value
    }

    func double(_ node: Node, _ path: String, minimum: Double = 0) throws(ConfigError) -> Double {
        let text = try string(node, path)
        guard let value = Double(text), value.isFinite else { throw fail(node, path, "expected a number, got \"\(text)\"") }
        guard value >= minimum else { throw fail(node, path, "must be at least \(minimum), got \(value)") }
        return value
    }

    func bool(_ node: Node, _ path: String) throws(ConfigError) -> Bool {
        let text = try string(node, path)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(node, path, "expected true or false, got \"\(text)\"")
        }
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
