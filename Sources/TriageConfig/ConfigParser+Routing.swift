import TriageCore
import TriageRouting
import Yams

/// The `roles` and `pins` sections: which tier a role gets, and which calls must go to one
/// named model.
extension ConfigParser {
    func parseRoles(_ node: Node) throws(ConfigError) -> [String: RoleRule] {
        var roles: [String: RoleRule] = [:]
        for (role, value, keyNode) in try reader.mapping(node, "roles") {
            let path = "roles.\(role)"
            guard !role.isEmpty else { throw reader.fail(keyNode, path, "a role needs a name") }
            if case .scalar = value, !reader.isEmpty(value) {
                roles[role] = RoleRule(tier: try tier(value, path))
                continue
            }
            let fields = try FieldSet(reader.mapping(value, path, allowed: ["tier", "skip_classification"]), at: keyNode, base: path, reader: reader)
            var rule = RoleRule(tier: try tier(fields.required("tier", hint: "small, mid or frontier"), "\(path).tier"))
            if let node = fields["skip_classification"] { rule.skipClassification = try reader.bool(node, "\(path).skip_classification") }
            roles[role] = rule
        }
        return roles
    }

    mutating func parsePins(
        _ node: Node, catalog: ModelCatalog, disabledModels: [String: String], clientKeys: [GatewayConfig.ClientKey]
    ) throws(ConfigError) -> [Pin] {
        var pins: [Pin] = []
        let keyNames = Set(clientKeys.map(\.name))
        for (index, item) in try reader.sequence(node, "pins").enumerated() {
            let base = "pins[\(index)]"
            let fields = try FieldSet(reader.mapping(item, base, allowed: ["role", "key", "model"]), at: item, base: base, reader: reader)
            let match: Pin.Match
            switch (fields["role"], fields["key"]) {
            case (let role?, nil):
                match = .role(try reader.string(role, "\(base).role"))
            case (nil, let keyNode?):
                let key = try reader.string(keyNode, "\(base).key")
                if keyNames.isEmpty {
                    warnings.append("\(base): pins client key \"\(key)\", but auth.keys is empty, so no call is ever made with that key")
                } else if !keyNames.contains(key) {
                    throw reader.fail(keyNode, "\(base).key", "no client key named \"\(key)\" in auth.keys (configured: \(keyNames.sorted().joined(separator: ", ")))")
                }
                match = .key(key)
            default:
                throw reader.fail(item, base, "give exactly one of role or key")
            }
            let modelNode = try fields.required("model", hint: "the name of a configured model")
            let model = try reader.string(modelNode, "\(base).model")
            if let provider = disabledModels[model] {
                throw reader.fail(modelNode, "\(base).model", "model \"\(model)\" belongs to provider \"\(provider)\", which is disabled; pinned calls would have nowhere to go")
            }
            guard catalog.model(named: model) != nil else {
                throw reader.fail(modelNode, "\(base).model", "no model named \"\(model)\" (configured: \(catalog.models.map(\.name).joined(separator: ", ")))")
            }
            pins.append(Pin(match: match, model: model))
        }
        return pins
    }
}
