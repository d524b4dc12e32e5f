import TriageCore

/// Why a document is not a routing tuning this build can read.
public struct RoutingTuningFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "routing tuning: \(message)" }
}

extension RoutingTuning {
    /// The document's `format` marker.
    public static let jsonFormat = "triage-routing-tuning"
    /// The document version this build writes and reads.
    public static let jsonVersion = 1

    /// The stored form:
    /// `{"format":"triage-routing-tuning","version":1,"thresholds":{"small_below":0.1,"frontier_from":0.5},
    /// "skill_min_tiers":{…},"skill_band_tiers":{…},"quality":{"<model>":{"<skill>":0.93}}}`.
    /// Members come in that fixed order and map keys are sorted, so equal tunings write equal bytes.
    public var json: JSONValue {
        func tiers(_ map: [String: Tier]) -> JSONValue {
            .object(JSONObject(map.keys.sorted().map { (key: $0, value: .string(map[$0]!.rawValue)) }))
        }
        func numbers(_ map: [String: Double]) -> JSONValue {
            .object(JSONObject(map.keys.sorted().map { (key: $0, value: JSONValue(map[$0]!)) }))
        }
        return [
            "format": .string(Self.jsonFormat),
            "version": JSONValue(Self.jsonVersion),
            "thresholds": ["small_below": JSONValue(thresholds.small), "frontier_from": JSONValue(thresholds.frontier)],
            "skill_min_tiers": tiers(skillMinimumTiers),
            "skill_band_tiers": tiers(skillBandTiers),
            "quality": .object(JSONObject(quality.keys.sorted().map { (key: $0, value: numbers(quality[$0]!)) })),
        ]
    }

    /// Reads the stored form. `format` and `version` are required and checked; a missing section
    /// means empty (or the default thresholds). Unknown members, unknown tiers, numbers outside
    /// 0…1 and thresholds out of order are rejected rather than guessed at.
    public init(json: JSONValue) throws(RoutingTuningFormatError) {
        guard let root = json.objectValue else { throw RoutingTuningFormatError("expected an object, got \(json.kindName)") }
        let known: Set = ["format", "version", "thresholds", "skill_min_tiers", "skill_band_tiers", "quality"]
        if let stray = root.keys.first(where: { !known.contains($0) }) { throw RoutingTuningFormatError("unknown member '\(stray)'") }
        guard root["format"]?.stringValue == Self.jsonFormat else {
            throw RoutingTuningFormatError("format must be \"\(Self.jsonFormat)\", got \(Self.shown(root["format"]))")
        }
        guard let version = root["version"]?.intValue else {
            throw RoutingTuningFormatError("version must be an integer, got \(Self.shown(root["version"]))")
        }
        guard version == Self.jsonVersion else {
            throw RoutingTuningFormatError("version \(version) is not supported (this build reads version \(Self.jsonVersion))")
        }
        self.init()
        if let section = root["thresholds"] {
            let members = try Self.object(section, at: "thresholds")
            if let stray = members.keys.first(where: { $0 != "small_below" && $0 != "frontier_from" }) {
                throw RoutingTuningFormatError("unknown member 'thresholds.\(stray)'")
            }
            if let value = members["small_below"] { thresholds.small = try Self.unitNumber(value, at: "thresholds.small_below") }
            if let value = members["frontier_from"] { thresholds.frontier = try Self.unitNumber(value, at: "thresholds.frontier_from") }
            guard thresholds.small <= thresholds.frontier else {
                throw RoutingTuningFormatError("thresholds.small_below (\(thresholds.small)) is above thresholds.frontier_from (\(thresholds.frontier))")
            }
        }
        if let section = root["skill_min_tiers"] { skillMinimumTiers = try Self.tiers(section, at: "skill_min_tiers") }
        if let section = root["skill_band_tiers"] { skillBandTiers = try Self.tiers(section, at: "skill_band_tiers") }
        if let section = root["quality"] {
            for (model, skills) in try Self.object(section, at: "quality") {
                var priors: [String: Double] = [:]
                for (skill, value) in try Self.object(skills, at: "quality.\(model)") {
                    priors[skill] = try Self.unitNumber(value, at: "quality.\(model).\(skill)")
                }
                quality[model] = priors
            }
        }
    }

    private static func object(_ value: JSONValue, at path: String) throws(RoutingTuningFormatError) -> JSONObject {
        guard let object = value.objectValue else { throw RoutingTuningFormatError("\(path) must be an object, got \(value.kindName)") }
        return object
    }

    private static func tiers(_ value: JSONValue, at path: String) throws(RoutingTuningFormatError) -> [String: Tier] {
        var tiers: [String: Tier] = [:]
        for (skill, tier) in try object(value, at: path) {
            guard let name = tier.stringValue else { throw RoutingTuningFormatError("\(path).\(skill) must be a tier name, got \(tier.kindName)") }
            guard let parsed = Tier(rawValue: name) else {
                throw RoutingTuningFormatError("\(path).\(skill): unknown tier '\(name)' (expected small, mid or frontier)")
            }
            tiers[skill] = parsed
        }
        return tiers
    }

    private static func unitNumber(_ value: JSONValue, at path: String) throws(RoutingTuningFormatError) -> Double {
        guard let number = value.doubleValue else { throw RoutingTuningFormatError("\(path) must be a number, got \(value.kindName)") }
        guard number >= 0, number <= 1 else { throw RoutingTuningFormatError("\(path) must be within 0…1, got \(number)") }
        return number
    }

    private static func shown(_ value: JSONValue?) -> String {
        guard let value else { return "nothing" }
        if case .string(let text) = value { return "\"\(text)\"" }
        if case .number(let text) = value { return text }
        return value.kindName
    }
}
