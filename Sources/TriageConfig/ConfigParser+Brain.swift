import Foundation
import TriageCore
import TriageRouting
import Yams

/// The `routing` section: skill labels, the complexity model and thresholds, the confidence
/// threshold for quality priors, and the tier each risk raises a call to.
extension ConfigParser {
    func parseBrain(_ node: Node, policy: inout RoutingPolicy) throws(ConfigError) -> RoutingBrain {
        var brain = RoutingBrain()
        for (key, value, _) in try reader.mapping(node, "routing", allowed: ["complexity", "min_quality", "skills", "risks"]) {
            let path = "routing.\(key)"
            switch key {
            case "complexity": try parseComplexity(value, path, into: &brain)
            case "min_quality": policy.minimumQuality = try reader.double(value, path, range: 0...1)
            case "skills": try parseSkills(value, path, into: &brain)
            default: brain.riskTiers = try parseRisks(value, path)
            }
        }
        return brain
    }

    private func parseComplexity(_ node: Node, _ path: String, into brain: inout RoutingBrain) throws(ConfigError) {
        var model = ComplexityModel.builtIn
        for (key, value, _) in try reader.mapping(node, path, allowed: ["model", "small_below", "frontier_from"]) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "model":
                let file = try reader.string(value, keyPath)
                do { model = try ComplexityModel.load(path: file) } catch { throw reader.fail(value, keyPath, "\(error)") }
            case "small_below": brain.thresholds.small = try reader.double(value, keyPath, range: 0...1)
            default: brain.thresholds.frontier = try reader.double(value, keyPath, range: 0...1)
            }
        }
        guard brain.thresholds.small <= brain.thresholds.frontier else {
            throw reader.fail(node, "\(path).small_below", "must not be above frontier_from (\(brain.thresholds.small) > \(brain.thresholds.frontier))")
        }
        brain.complexity = model
    }

    /// `skills:` as a list of labels, or a mapping of label → `{phrases: [...], min_tier: …}`.
    private func parseSkills(_ node: Node, _ path: String, into brain: inout RoutingBrain) throws(ConfigError) {
        if case .sequence = node {
            var labels: [String] = []
            for (index, item) in try reader.sequence(node, path).enumerated() { labels.append(try reader.string(item, "\(path)[\(index)]")) }
            brain.skills = RoutingCues.skillCues(labels: labels)
            return
        }
        var labels: [String] = []
        var extra: [String: [String]] = [:]
        for (label, value, _) in try reader.mapping(node, path) {
            labels.append(label)
            guard !reader.isEmpty(value) else { continue }
            let base = "\(path).\(label)"
            for (key, field, _) in try reader.mapping(value, base, allowed: ["phrases", "min_tier"]) {
                if key == "min_tier" {
                    brain.skillTiers[label] = try tier(field, "\(base).min_tier")
                } else {
                    var phrases: [String] = []
                    for (index, item) in try reader.sequence(field, "\(base).phrases").enumerated() {
                        let phrase = try reader.string(item, "\(base).phrases[\(index)]")
                        let words = phrase.split { !$0.isLetter && !$0.isNumber }.count
                        guard (1...3).contains(words) else { throw reader.fail(item, "\(base).phrases[\(index)]", "a cue phrase has one to three words") }
                        phrases.append(phrase)
                    }
                    extra[label] = phrases
                }
            }
        }
        brain.skills = RoutingCues.skillCues(labels: labels, extra: extra)
    }

    /// `risks:` maps a risk name to the tier it raises a call to, or `off`.
    private func parseRisks(_ node: Node, _ path: String) throws(ConfigError) -> [PatternRiskPredictor.Signal: Tier] {
        var tiers = PatternRiskPredictor.defaultMinimumTiers
        let names = PatternRiskPredictor.Signal.allCases.map(\.rawValue)
        for (name, value, keyNode) in try reader.mapping(node, path) {
            guard let signal = PatternRiskPredictor.Signal(rawValue: name) else {
                throw reader.fail(keyNode, "\(path).\(name)", "unknown risk (known: \(names.joined(separator: ", ")))")
            }
            if try reader.value(value, "\(path).\(name)").text == "off" {
                tiers[signal] = nil
            } else {
                tiers[signal] = try tier(value, "\(path).\(name)")
            }
        }
        return tiers
    }
}
