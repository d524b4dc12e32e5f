import Foundation
import TriageCore
import TriageRouting

/// Scores a router on evaluation sets the way the research does: APGR and CPT(50 %),
/// CPT(80 %) for the strong / weak pair against random routing and prompt length; and, where
/// every model has a cost, the cost-quality points of Triage's selection rule (cheapest model
/// whose quality prior for the skill meets a threshold, the strongest when the complexity score
/// is high), their hull, AIQ and the saving against always using the strongest model.
public struct RouterEvaluation: Sendable {
    /// The gateway's own routing layers, with `model` as the complexity model.
    private let pipeline: DecisionPipeline

    public init(brain: RoutingBrain, model: ComplexityModel) {
        var brain = brain
        brain.complexity = model
        pipeline = brain.pipeline(policy: RoutingPolicy(), catalog: ModelCatalog(models: [], providers: []))
    }

    /// APGR and CPTs of one scorer.
    public struct PairMetrics: Sendable, Equatable {
        public var apgr: Double
        public var cpt50: Double?
        public var cpt80: Double?
    }

    /// The cost-quality view over many priced models.
    public struct CostQualityReport: Sendable {
        /// Each model used alone.
        public var models: [(name: String, point: RoutingMetrics.CostQuality)]
        /// Triage's policies over the swept thresholds.
        public var policies: [RoutingMetrics.CostQuality]
        public var hull: [RoutingMetrics.CostQuality]
        public var aiq: Double
        /// AIQ of the single-model points: what picking one model per workload gets.
        public var modelsAIQ: Double
        public var reference: String
        public var floor: Double
        /// The cheapest policy at or above the floor, and its saving against the reference.
        public var atFloor: RoutingMetrics.CostQuality?
        public var saving: Double?
    }

    /// How far random routing's APGR strays from 0.5 on a set: what a router must clear there to
    /// be told apart from luck.
    public struct RandomSpread: Sendable, Equatable {
        public var seeds: Int
        public var standardDeviation: Double
        public var percentile95: Double
    }

    public struct SetReport: Sendable {
        public var name: String
        public var items: Int
        public var strong: String
        public var weak: String
        /// By scorer: `triage`, `prompt-length`, `random`, and `dataset-prior` for a set pooled
        /// from several datasets with a train split.
        public var pair: [(scorer: String, metrics: PairMetrics)]
        public var curve: [RoutingMetrics.CurvePoint]
        public var randomSpread: RandomSpread
        public var costQuality: CostQualityReport?
    }

    /// Random routing is scored over this many seeds: its mean is the `random` row, its spread
    /// `randomSpread`.
    static let randomSeeds = 1_000

    /// Each item as the gateway assesses it: the complexity score (the probability that the
    /// strong model is needed) and the skill (`default` when none is named).
    public func assess(_ items: [RoutingDataset.Item], progress: (Int) -> Void = { _ in }) -> [(score: Double, skill: String)] {
        items.enumerated().map { index, item in
            if index % 64 == 0 { progress(index) }
            let assessment = pipeline.assess(LabeledPrompt(item).routeRequest)
            return (assessment.complexity ?? 0, assessment.skill ?? "default")
        }
    }

    public func evaluate(_ set: EvaluationSet, floor: Double = 0.95, progress: (Int) -> Void = { _ in }) -> SetReport {
        let items = set.dataset.items
        let strong = items.map { $0.scores[set.strong] ?? 0 }
        let weak = items.map { $0.scores[set.weak] ?? 0 }
        let assessed = assess(items, progress: progress)
        let triage = assessed.map(\.score)
        let length = items.map { Double($0.prompt.utf8.count) }
        func metrics(_ curve: [RoutingMetrics.CurvePoint]) -> PairMetrics {
            PairMetrics(apgr: RoutingMetrics.apgr(curve), cpt50: RoutingMetrics.cpt(curve, target: 0.5), cpt80: RoutingMetrics.cpt(curve, target: 0.8))
        }
        func metrics(_ scores: [Double]) -> PairMetrics {
            metrics(RoutingMetrics.pgrCurve(scores: scores, strong: strong, weak: weak))
        }
        let curve = RoutingMetrics.pgrCurve(scores: triage, strong: strong, weak: weak)
        var random = SplitMix64(seed: 7)
        let runs = (0..<Self.randomSeeds).map { _ in metrics(items.map { _ in Double.random(in: 0..<1, using: &random) }) }
        func mean(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            return present.count == values.count ? present.reduce(0, +) / Double(present.count) : nil
        }
        let randomMetrics = PairMetrics(apgr: mean(runs.map(\.apgr))!, cpt50: mean(runs.map(\.cpt50)), cpt80: mean(runs.map(\.cpt80)))
        let randomAPGRs = runs.map(\.apgr).sorted()
        let variance = randomAPGRs.reduce(0) { $0 + ($1 - randomMetrics.apgr) * ($1 - randomMetrics.apgr) } / Double(randomAPGRs.count)
        let spread = RandomSpread(
            seeds: randomAPGRs.count, standardDeviation: variance.squareRoot(), percentile95: RoutingMetrics.quantile(randomAPGRs, 0.95))
        var pair: [(scorer: String, metrics: PairMetrics)] = [("triage", metrics(curve)), ("prompt-length", metrics(length)), ("random", randomMetrics)]
        if let prior = Self.sourceGains(set) { pair.append(("dataset-prior", metrics(items.map { prior[$0.source] ?? 0 }))) }
        return SetReport(
            name: set.dataset.name, items: items.count, strong: set.strong, weak: set.weak, pair: pair, curve: curve, randomSpread: spread,
            costQuality: costQuality(set, assessed: assessed, floor: floor))
    }

    /// For a set pooled from several datasets with a train split: each dataset's mean strong-minus-weak
    /// gain on the train split, the score of a router that knows only which dataset a prompt comes
    /// from. What a pooled APGR owes to telling the datasets apart rather than the prompts.
    static func sourceGains(_ set: EvaluationSet) -> [String: Double]? {
        guard let train = set.train, Set(set.dataset.items.map(\.source)).count > 1 else { return nil }
        var sums: [String: (gain: Double, count: Double)] = [:]
        for item in train.items {
            guard let strong = item.scores[set.strong], let weak = item.scores[set.weak] else { continue }
            let entry = sums[item.source] ?? (0, 0)
            sums[item.source] = (entry.gain + strong - weak, entry.count + 1)
        }
        return sums.isEmpty ? nil : sums.mapValues { $0.gain / $0.count }
    }

    /// Sweeps the selector's quality threshold (a share of the skill's best prior) and the
    /// complexity cut above which the strongest model answers. Priors come from the train split.
    func costQuality(_ set: EvaluationSet, assessed: [(score: Double, skill: String)], floor: Double) -> CostQualityReport? {
        let models = set.dataset.models
        guard models.count >= 3, let train = set.train, !train.items.isEmpty,
            set.dataset.items.allSatisfy({ item in models.allSatisfy { item.costs[$0] != nil } })
        else { return nil }
        // Per-skill quality and cost priors from the train split.
        var sums: [String: [String: (quality: Double, cost: Double, count: Double)]] = [:]
        for (item, assessment) in zip(train.items, assess(train.items)) {
            for skill in [assessment.skill, "*"] {
                for model in models {
                    var entry = sums[skill, default: [:]][model] ?? (0, 0, 0)
                    entry.quality += item.scores[model] ?? 0
                    entry.cost += item.costs[model] ?? 0
                    entry.count += 1
                    sums[skill, default: [:]][model] = entry
                }
            }
        }
        let priors = sums.mapValues { byModel in byModel.mapValues { (quality: $0.quality / $0.count, cost: $0.cost / $0.count) } }
        let overall = priors["*"]!
        let reference = models.max { overall[$0]!.quality < overall[$1]!.quality }!
        let items = set.dataset.items
        let skills = assessed.map { priors[$0.skill] ?? overall }
        let complexity = assessed.map(\.score)
        let sortedComplexity = complexity.sorted()

        func point(_ choose: (Int) -> String) -> RoutingMetrics.CostQuality {
            var cost = 0.0
            var quality = 0.0
            for index in items.indices {
                let model = choose(index)
                cost += items[index].costs[model] ?? 0
                quality += items[index].scores[model] ?? 0
            }
            return RoutingMetrics.CostQuality(cost: cost / Double(items.count), quality: quality / Double(items.count))
        }
        var policies: [RoutingMetrics.CostQuality] = []
        for thresholdStep in 0...40 {
            let share = 0.6 + Double(thresholdStep) * 0.01
            let picks = skills.map { prior -> (cheapest: String, strongest: String) in
                let best = prior.values.map(\.quality).max() ?? 0
                let strongest = models.max { prior[$0]!.quality < prior[$1]!.quality }!
                let cheapest = models.filter { prior[$0]!.quality >= share * best }.min { prior[$0]!.cost < prior[$1]!.cost } ?? strongest
                return (cheapest, strongest)
            }
            for cutStep in 0...20 {
                // The top 0 %, 5 %, … 100 % of complexity scores go to the strongest model.
                let cut = cutStep == 0 ? Double.infinity : RoutingMetrics.quantile(sortedComplexity, 1 - Double(cutStep) * 0.05)
                policies.append(point { index in complexity[index] >= cut ? picks[index].strongest : picks[index].cheapest })
            }
        }
        let modelPoints = models.map { model in (name: model, point: point { _ in model }) }
        let referencePoint = modelPoints.first { $0.name == reference }!.point
        let best = RoutingMetrics.saving(policies, reference: referencePoint, floor: floor)
        return CostQualityReport(
            models: modelPoints, policies: policies, hull: RoutingMetrics.hull(policies), aiq: RoutingMetrics.aiq(policies),
            modelsAIQ: RoutingMetrics.aiq(modelPoints.map(\.point)), reference: reference, floor: floor, atFloor: best?.point, saving: best?.saving)
    }
}
