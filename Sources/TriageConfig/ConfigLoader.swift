import Foundation
import TriageCore
import TriageProviders
import TriageRouting
import Yams

/// Loads `triage.yaml` into a validated `GatewayConfig`. Errors name the file, line and key.
public enum ConfigLoader {
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(source: path, line: nil, path: "", message: "cannot read the configuration file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, line: nil, path: "", message: "the configuration file is not UTF-8")
        }
        return try load(yaml: text, source: path, environment: environment)
    }

    public static func load(yaml: String, source: String, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(source: source, line: nil, path: "", message: "the configuration is empty")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw ConfigError(source: source, line: yamlLine(error), path: "", message: "invalid YAML: \(yamlProblem(error))")
        } catch {
            throw ConfigError(source: source, line: nil, path: "", message: "invalid YAML")
        }
        var parser = ConfigParser(reader: NodeReader(source: source, environment: environment))
        return try parser.parse(root)
    }

    static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicated keys \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }
}
