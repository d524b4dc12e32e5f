import TriageCore
import TriageRouting

extension Recalibrator {
    /// Moves each classified skill by its own evidence (skills with fewer than `minimumSamples`
    /// trials at a tier are left alone):
    /// - small meets the floor → band tier small, and a minimum tier above small is dropped; the
    ///   skill's mid evidence is then moot;
    /// - small misses the floor → minimum tier at least mid, and a small band tier is dropped;
    /// - mid misses the floor → minimum tier frontier;
    /// - mid meets the floor while the minimum tier is frontier → minimum tier mid.
    func proposeSkillTiers(from evidence: Evidence, into proposal: inout TuningProposal) {
        for skill in evidence.skills {
            let bandPath = TuningProposal.bandTierPath(skill)
            let minimumPath = TuningProposal.minimumTierPath(skill)
            let small = evidence.count(skill: skill, tier: .small)
            let mid = evidence.count(skill: skill, tier: .mid)
            let minimum = proposal.tuning.skillMinimumTiers[skill]

            switch settings.verdict(on: small) {
            case .meetsFloor:
                let why = settings.evidence("\(skill) on small", small)
                proposal.tuning.skillBandTiers[skill] = .small
                proposal.justify(bandPath, by: why)
                if let minimum, minimum > .small {
                    proposal.tuning.skillMinimumTiers[skill] = nil
                    proposal.justify(minimumPath, by: why)
                }
                continue
            case .missesFloor:
                let why = settings.evidence("\(skill) on small", small)
                if minimum.map({ $0 < .mid }) ?? true {
                    proposal.tuning.skillMinimumTiers[skill] = .mid
                    proposal.justify(minimumPath, by: why)
                }
                if proposal.tuning.skillBandTiers[skill] == .small {
                    proposal.tuning.skillBandTiers[skill] = nil
                    proposal.justify(bandPath, by: why)
                }
            case .tooFewSamples, .undecided:
                break
            }

            switch settings.verdict(on: mid) {
            case .missesFloor:
                proposal.tuning.skillMinimumTiers[skill] = .frontier
                proposal.justify(minimumPath, by: settings.evidence("\(skill) on mid", mid))
            case .meetsFloor where minimum == .frontier:
                proposal.tuning.skillMinimumTiers[skill] = .mid
                proposal.justify(minimumPath, by: settings.evidence("\(skill) on mid", mid))
            case .meetsFloor, .tooFewSamples, .undecided:
                break
            }
        }
    }
}
