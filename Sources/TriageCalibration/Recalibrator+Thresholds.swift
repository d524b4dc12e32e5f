import TriageCore
import TriageRouting

extension Recalibrator {
    /// Moves each complexity cut by at most one `thresholdStep`, learning only from calls the cut
    /// still decides under the proposed skill tiers (a skill now banded small, or held above the
    /// tier in question by its minimum tier or a risk, ignores the cut):
    /// - calls scored below the small cut and routed small: small meets the floor → `small_below`
    ///   up a step; small misses it → down a step;
    /// - calls scored in the middle band: their mid attempts miss the floor → `frontier_from` down
    ///   a step;
    /// - calls scored at or above the frontier cut, routed frontier, where a person named the right
    ///   tier: "mid (or small) would have done" meets the floor → `frontier_from` up a step.
    /// A middle band that misses the floor wins over frontier feedback. The cuts then stay within 0 ≤ `small_below` ≤ `frontier_from` ≤ 1 (the frontier cut wins).
    func proposeThresholds(from outcomes: [CallOutcome], current: RoutingTuning, into proposal: inout TuningProposal) {
        let cuts = current.thresholds
        let skills = proposal.tuning
        var belowSmallCut = SuccessCount()
        var middleBand = SuccessCount()
        var aboveFrontierCut = SuccessCount()

        for outcome in outcomes {
            guard let score = outcome.complexity, !outcome.attempts.isEmpty else { continue }
            let band = outcome.skill.flatMap { skills.skillBandTiers[$0] }
            let minimum = outcome.skill.flatMap { skills.skillMinimumTiers[$0] }
            let floor = max(minimum ?? .small, outcome.riskFloor ?? .small)
            if score < cuts.small {
                guard outcome.routedTier == .small, band != .small, floor == .small else { continue }
                for trial in outcome.trials where trial.tier == .small && trial.model != nil { belowSmallCut.record(trial.succeeded) }
            } else if score < cuts.frontier {
                guard floor < .frontier else { continue }
                for trial in outcome.trials where trial.tier == .mid && trial.model != nil { middleBand.record(trial.succeeded) }
            } else {
                guard outcome.routedTier == .frontier, floor < .frontier, let correct = outcome.correctTier else { continue }
                aboveFrontierCut.record(correct <= .mid)
            }
        }

        var small = cuts.small
        var frontier = cuts.frontier
        var smallWhy: String?
        var frontierWhy: String?
        let smallSubject = "calls scored below \(shown(cuts.small)) on small"
        switch settings.verdict(on: belowSmallCut) {
        case .meetsFloor:
            small += settings.thresholdStep
            smallWhy = settings.evidence(smallSubject, belowSmallCut)
        case .missesFloor:
            small -= settings.thresholdStep
            smallWhy = settings.evidence(smallSubject, belowSmallCut)
        case .tooFewSamples, .undecided:
            break
        }
        if settings.verdict(on: middleBand) == .missesFloor {
            frontier -= settings.thresholdStep
            frontierWhy = settings.evidence("calls scored \(shown(cuts.small))–\(shown(cuts.frontier)) on mid", middleBand)
        } else if settings.verdict(on: aboveFrontierCut) == .meetsFloor {
            frontier += settings.thresholdStep
            frontierWhy = settings.evidence("calls scored from \(shown(cuts.frontier)), per feedback, on mid", aboveFrontierCut)
        }

        frontier = Self.cut(frontier)
        small = min(Self.cut(small), frontier)
        proposal.tuning.thresholds = ComplexityThresholds(small: small, frontier: frontier)
        if let smallWhy { proposal.justify(TuningProposal.smallCutPath, by: smallWhy) }
        if let frontierWhy { proposal.justify(TuningProposal.frontierCutPath, by: frontierWhy) }
    }

    /// A cut clamped to 0…1 and rounded to 6 decimals, so 0.1 + 0.05 is stored as 0.15.
    private static func cut(_ value: Double) -> Double {
        (min(1, max(0, value)) * 1_000_000).rounded() / 1_000_000
    }
}
