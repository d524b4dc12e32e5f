import TriageCore
import TriageRouting

/// Moves the routing tuning to the cheapest settings that keep the quality floor, from a window of
/// auto-routed call outcomes. Pure and deterministic: the same outcomes, in any order, give the
/// same result.
///
/// Each answered attempt is a trial for its skill on its tier and for its model on the skill (see
/// `CallOutcome`: escalated-away or failed attempts, bad feedback and a person naming a higher
/// tier are failures). A tier meets the floor when the lower bound of the Wilson
/// score interval of its success rate reaches `qualityFloor`, and misses it when the upper bound
/// is below; nothing moves on fewer than `minimumSamples` trials. The run then moves skill tiers
/// (`proposeSkillTiers`), the complexity cuts by one step at most (`proposeThresholds`) and the
/// quality priors (`proposeQualityPriors`), and replays the window under both tunings
/// (`Projection`).
public struct Recalibrator: Sendable {
    public var settings: RecalibrationSettings

    public init(settings: RecalibrationSettings = .init()) {
        self.settings = settings
    }

    /// Proposes a new tuning from `outcomes`. `defaultTier` is the policy's tier for the middle
    /// band of skills without a band tier; `prices` price the projection.
    public func recalibrate(_ outcomes: [CallOutcome], current: RoutingTuning, defaultTier: Tier, prices: TierPrices) -> Recalibration {
        let evidence = Evidence(outcomes)
        var proposal = TuningProposal(current)
        proposeSkillTiers(from: evidence, into: &proposal)
        proposeThresholds(from: outcomes, current: current, into: &proposal)
        proposeQualityPriors(from: evidence, current: current, into: &proposal)
        let projection = Projection(
            replaying: outcomes, from: current, to: proposal.tuning, defaultTier: defaultTier, prices: prices, evidence: evidence, settings: settings)
        return Recalibration(
            tuning: proposal.tuning, changes: proposal.changeLines(from: current), estimates: evidence.estimates(z: settings.z), projection: projection)
    }
}
