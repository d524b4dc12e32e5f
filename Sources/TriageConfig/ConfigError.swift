/// Why a configuration cannot be used, with where it happened: `file:line: key.path: message`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int?
    /// The key path, e.g. `models[2].tier`.
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
