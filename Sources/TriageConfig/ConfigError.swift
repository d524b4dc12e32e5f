/// Why a configuration cannot be used, and where: `file:line: key.path: message`, e.g.
/// `examples/triage.yaml:12: models[2].tier: expected one of small, mid, frontier, got "large"`.
/// Messages never contain a key or a value taken from the environment.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or other source name) the configuration came from.
    public var source: String
    /// 1-based line of the offending key or value; `nil` for file-level problems.
    public var line: Int?
    /// The key path, e.g. `models[2].tier`; empty for file-level and YAML syntax problems.
    public var path: String
    public var message: String

    public init(source: String, line: Int?, path: String, message: String) {
        self.source = source
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        var prefix = source
        if let line { prefix += ":\(line)" }
        return path.isEmpty ? "\(prefix): \(message)" : "\(prefix): \(path): \(message)"
    }
}
