import Foundation
import TriageCore
import TriageRouting
import TriageValidation
import Yams

/// The `validation` section (which validators apply to which calls, escalation limits, the
/// judge) and the `stickiness` section (session affinity).
extension ConfigParser {
    func parseValidation(_ node: Node, catalog: ModelCatalog) throws(ConfigError) -> (ValidationPolicy, JudgeSettings?) {
        var policy = ValidationPolicy()
        var judge: JudgeSettings?
        let allowed: Set<String> = [
            "infer_from_request", "request_overrides", "max_escalations", "on_final_failure", "hold_streams", "roles", "skills", "judge",
        ]
        for (key, value, _) in try reader.mapping(node, "validation", allowed: allowed) {
            let path = "validation.\(key)"
            switch key {
            case "infer_from_request": policy.inferFromRequest = try reader.bool(value, path)
            case "request_overrides": policy.allowRequestOverrides = try reader.bool(value, path)
            case "max_escalations": policy.maxEscalations = try reader.int(value, path, range: 0...2)
            case "hold_streams": policy.holdStreams = try reader.bool(value, path)
            case "on_final_failure":
                let text = try reader.value(value, path)
                guard let mode = ValidationPolicy.FinalFailure(rawValue: text.text) else {
                    throw reader.fail(value, path, "expected return_last or error, got \(text.quoted)")
                }
                policy.onFinalFailure = mode
            case "roles", "skills":
                var lists: [String: [ValidatorSpec]] = [:]
                for (name, list, _) in try reader.mapping(value, path) {
                    lists[name] = try parseValidatorList(list, "\(path).\(name)")
                }
                if key == "roles" { policy.byRole = lists } else { policy.bySkill = lists }
            default:
                judge = try parseJudge(value, path, catalog: catalog)
            }
        }
        return (policy, judge)
    }

    private func parseJudge(_ node: Node, _ path: String, catalog: ModelCatalog) throws(ConfigError) -> JudgeSettings {
        var settings = JudgeSettings()
        for (key, value, _) in try reader.mapping(node, path, allowed: ["model", "instructions", "max_answer_chars"]) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "model":
                let name = try reader.string(value, keyPath)
                guard catalog.model(named: name) != nil else { throw reader.fail(value, keyPath, "names no configured model: \"\(name)\"") }
                settings.model = name
            case "instructions": settings.instructions = try reader.string(value, keyPath)
            default: settings.maxAnswerCharacters = try reader.int(value, keyPath, range: 100...1_000_000)
            }
        }
        return settings
    }

    /// A list of validators: names (`json`, `json_schema`, `tool_arguments`, `refusal`, `judge`)
    /// or one-key mappings (`json_schema: {…}`, `required_fields: [...]`, `regex: "…"`,
    /// `length: {min:, max:}`, `confidence: -0.7`).
    func parseValidatorList(_ node: Node, _ path: String) throws(ConfigError) -> [ValidatorSpec] {
        var specs: [ValidatorSpec] = []
        for (index, item) in try reader.sequence(node, path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            if case .scalar = item {
                let name = try reader.value(item, itemPath)
                switch name.text {
                case "json": specs.append(.fixed(.jsonParses))
                case "json_schema": specs.append(.responseFormatSchema)
                case "tool_arguments": specs.append(.offeredTools)
                case "refusal": specs.append(.fixed(.notRefusal))
                case "judge": specs.append(.judge)
                default:
                    throw reader.fail(item, itemPath, "expected json, json_schema, tool_arguments, refusal, judge or a mapping, got \(name.quoted)")
                }
                continue
            }
            let members = try reader.mapping(
                item, itemPath, allowed: ["json_schema", "required_fields", "regex", "length", "confidence"])
            guard members.count == 1, let (key, value, _) = members.first else {
                throw reader.fail(item, itemPath, "expected exactly one validator per list item")
            }
            let keyPath = "\(itemPath).\(key)"
            switch key {
            case "json_schema":
                let schema = try jsonValue(value, keyPath)
                guard case .object = schema else { throw reader.fail(value, keyPath, "expected a JSON Schema mapping") }
                specs.append(.fixed(.jsonSchema(schema)))
            case "required_fields":
                var fields: [String] = []
                for (fieldIndex, field) in try reader.sequence(value, keyPath).enumerated() {
                    fields.append(try reader.string(field, "\(keyPath)[\(fieldIndex)]"))
                }
                guard !fields.isEmpty else { throw reader.fail(value, keyPath, "needs at least one field name") }
                specs.append(.fixed(.requiredFields(fields)))
            case "regex":
                let pattern = try reader.string(value, keyPath, substitute: false)
                guard (try? NSRegularExpression(pattern: pattern)) != nil else { throw reader.fail(value, keyPath, "is not a valid regular expression") }
                specs.append(.fixed(.regex(pattern)))
            case "length":
                var minimum: Int?
                var maximum: Int?
                for (bound, boundValue, _) in try reader.mapping(value, keyPath, allowed: ["min", "max"]) {
                    let number = try reader.int(boundValue, "\(keyPath).\(bound)", range: 0...100_000_000)
                    if bound == "min" { minimum = number } else { maximum = number }
                }
                if let minimum, let maximum, minimum > maximum { throw reader.fail(value, keyPath, "min is larger than max") }
                specs.append(.fixed(.length(min: minimum, max: maximum)))
            default:
                let threshold = try reader.double(value, keyPath, range: -100...0)
                specs.append(.fixed(.confidence(minimumMeanLogProbability: threshold)))
            }
        }
        return specs
    }

    func parseStickiness(_ node: Node) throws(ConfigError) -> SessionAffinity.Configuration {
        var configuration = SessionAffinity.Configuration()
        for (key, value, _) in try reader.mapping(node, "stickiness", allowed: ["enabled", "ttl_seconds", "max_sessions", "expected_cache_hit_rate"]) {
            let path = "stickiness.\(key)"
            switch key {
            case "enabled": configuration.enabled = try reader.bool(value, path)
            case "ttl_seconds": configuration.ttlSeconds = try reader.double(value, path, range: 1...Self.longestDuration)
            case "max_sessions": configuration.maxSessions = try reader.int(value, path, range: 1...10_000_000)
            default: configuration.expectedCacheHitRate = try reader.double(value, path, range: 0...1)
            }
        }
        return configuration
    }

    /// A YAML value as JSON (for schemas written in the config). Scalars keep their YAML type:
    /// numbers, booleans and null as such, everything else as strings.
    func jsonValue(_ node: Node, _ path: String) throws(ConfigError) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode else { throw reader.fail(keyNode, path, "keys must be plain strings") }
                object[key.string] = try jsonValue(value, reader.join(path, key.string))
            }
            return .object(object)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() { items.append(try jsonValue(item, "\(path)[\(index)]")) }
            return .array(items)
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let flag = Bool.construct(from: scalar) { return .bool(flag) }
                if let number = Int.construct(from: scalar) { return JSONValue(number) }
                if let number = Double.construct(from: scalar), number.isFinite { return JSONValue(number) }
                if NSNull.construct(from: scalar) != nil { return .null }
            }
            return .string(scalar.string)
        case .alias:
            // Yams resolves aliases while composing, so only a hand-built node has one.
            throw reader.fail(node, path, "YAML aliases are not supported here")
        }
    }
}
