import Foundation
import Yams

/// Loads `triage.yaml` into a validated `GatewayConfig`. Every error names the file, line and
/// key path (`triage.yaml:12: models[2].tier: …`); no error or warning ever contains a key.
public enum ConfigLoader {
    /// Reads and validates the file at `path`; `${VAR}` references are resolved from
    /// `environment`.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> GatewayConfig {
        let text = try readFile(path)
        return try load(yaml: text, source: path, environment: environment)
    }

    /// Validates YAML text; `source` names it in errors (usually the file path).
    public static func load(yaml: String, source: String, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let root = try compose(yaml, source: source)
        var parser = ConfigParser(reader: NodeReader(source: source, environment: environment))
        return try parser.parse(root)
    }

    static func readFile(_ path: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(source: path, line: nil, path: "", message: "no such file (pass the configuration with --config; examples/triage.yaml is a start)")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(source: path, line: nil, path: "", message: "is a directory, not a configuration file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(source: path, line: nil, path: "", message: "cannot read the file (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, line: nil, path: "", message: "the file is not UTF-8 text")
        }
        return text
    }

    static func compose(_ yaml: String, source: String) throws(ConfigError) -> Node {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            let line = line(of: error, in: yaml)
            var message = "invalid YAML: \(problem(error))"
            if let line, yaml.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(line - 1).first?.contains("\t") == true {
                message += "; indent with spaces, not tabs"
            }
            throw ConfigError(source: source, line: line, path: "", message: message)
        } catch {
            throw ConfigError(source: source, line: nil, path: "", message: "invalid YAML")
        }
        guard let root = composed, !NodeReader(source: source, environment: [:]).isEmpty(root) else {
            throw ConfigError(source: source, line: nil, path: "", message: "the configuration is empty (providers and models are required)")
        }
        return root
    }

    static func line(of error: YamlError, in yaml: String) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        case .duplicatedKeysInMapping(_, let context):
            return context.mark.line > 0 ? context.mark.line : nil
        case .reader(_, let offset?, _, _):
            let prefix = yaml.utf8.prefix(max(0, offset))
            return prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        default:
            return nil
        }
    }

    static func problem(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            guard let context, !context.text.isEmpty else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line))"
        case .duplicatedKeysInMapping(let duplicates, _):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(duplicates.count == 1 ? "key" : "keys") \(keys) appear\(duplicates.count == 1 ? "s" : "") more than once in the same mapping"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}
