import TriageCore
import TriageRouting

extension Recalibrator {
    /// Updates the quality prior of every model × skill with at least `minimumSamples` answered
    /// attempts to the posterior mean `(k·q0 + s) / (k + n)`: `k` is `priorStrength`, `q0` the
    /// current prior (the model's entry for the skill, else its `default`, else 0.5), `s` of `n`
    /// attempts succeeded. Unclassified calls update the model's `default` prior, which is the
    /// one the selector reads for them.
    func proposeQualityPriors(from evidence: Evidence, current: RoutingTuning, into proposal: inout TuningProposal) {
        for key in evidence.modelSkills.keys.sorted() {
            let count = evidence.modelSkills[key]!
            guard count.trials >= settings.minimumSamples else { continue }
            let skill = key.skill == CallOutcome.unclassified ? "default" : key.skill
            let priors = current.quality[key.model] ?? [:]
            let prior = priors[skill] ?? priors["default"] ?? 0.5
            let k = settings.priorStrength
            let posterior = (k * prior + Double(count.successes)) / (k + Double(count.trials))
            proposal.tuning.quality[key.model, default: [:]][skill] = posterior
            proposal.justify(
                TuningProposal.qualityPath(key.model, skill),
                by: "\(key.model) on \(key.skill) passed \(count.successes)/\(count.trials): "
                    + "(\(shown(k)) × \(shown(prior)) + \(count.successes)) / (\(shown(k)) + \(count.trials)) = \(shown(posterior))")
        }
    }
}
