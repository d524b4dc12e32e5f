import Foundation
import TriageCore
import TriageRouting

/// Fits a `ComplexityModel` (logistic regression, L2-regularised, AdaGrad over shuffled rows)
/// from labeled prompts. A row's label is the probability that the frontier tier was needed:
/// from `tier` (frontier 1, mid 0.5, small 0), or from scores: 1 when the strong model beat the
/// weak one, else 0; with `softLabels`, (strong − weak + 1) / 2 (½ on a tie). Deterministic for a given seed.
public struct ComplexityTrainer: Sendable {
    public var epochs = 40
    public var learningRate = 0.1
    public var l2 = 1e-4
    public var hashBits = 16
    public var seed: UInt64 = 42
    /// Score-labeled rows get the soft label (strong − weak + 1) / 2 instead of `strong > weak`.
    public var softLabels = false

    public init() {}

    /// A row prepared for training.
    public struct Example: Sendable {
        public var dense: [Double]
        public var lexical: [UInt32]
        public var label: Double
    }

    /// The label of `row` for the strong / weak pair, or `nil` when it has none.
    public static func label(of row: LabeledPrompt, strong: String?, weak: String?, soft: Bool = false) -> Double? {
        if let tier = row.tier {
            switch tier {
            case .frontier: return 1
            case .mid: return 0.5
            case .small: return 0
            }
        }
        guard let strong, let weak, let s = row.scores[strong], let w = row.scores[weak] else { return nil }
        // `soft`: a label from the score difference: 1 when only the strong model succeeds, 0 when
        // only the weak one does, ½ when they tie (both right or both wrong: routing there
        // gains nothing either way). A hard `s > w` label lumps "the weak model did better" with
        // the ties, and throws away the ranking signal APGR measures.
        return soft ? min(1, max(0, (s - w + 1) / 2)) : (s > w ? 1 : 0)
    }

    public func examples(_ rows: [LabeledPrompt], strong: String?, weak: String?, analyzer: PromptAnalyzer) -> [Example] {
        let features = ComplexityFeatures(analyzer: analyzer)
        return rows.compactMap { row in
            guard let label = Self.label(of: row, strong: strong, weak: weak, soft: softLabels) else { return nil }
            let analysis = analyzer.analyze(row.routeRequest)
            return Example(dense: features.dense(analysis), lexical: analysis.lexical, label: label)
        }
    }

    /// The L2 strength of `grid` with the lowest held-out log loss in `folds`-fold cross-validation
    /// over `examples` (the training rows only: no test data is involved).
    public func crossValidatedL2(_ examples: [Example], grid: [Double] = [1e-5, 1e-4, 1e-3, 1e-2], folds: Int = 5) -> Double {
        guard examples.count >= folds * 2, let first = grid.first else { return l2 }
        var order = Array(examples.indices)
        var random = SplitMix64(seed: seed &+ 1)
        order.shuffle(using: &random)
        var best = (l2: first, loss: Double.infinity)
        for candidate in grid {
            var trainer = self
            trainer.l2 = candidate
            var loss = 0.0
            for fold in 0..<folds {
                let held = order.enumerated().filter { $0.offset % folds == fold }.map { examples[$0.element] }
                let kept = order.enumerated().filter { $0.offset % folds != fold }.map { examples[$0.element] }
                let model = trainer.fit(kept)
                for example in held {
                    let p = min(1 - 1e-9, max(1e-9, model.score(dense: example.dense, lexical: example.lexical)))
                    loss -= example.label * log(p) + (1 - example.label) * log(1 - p)
                }
            }
            if loss < best.loss { best = (candidate, loss) }
        }
        return best.l2
    }

    /// Fits the model; `progress` is called after each epoch with the share done.
    public func fit(_ examples: [Example], metadata: [String: String] = [:], progress: (Double) -> Void = { _ in }) -> ComplexityModel {
        let denseCount = ComplexityModel.denseFeatureNames.count
        var mean = [Double](repeating: 0, count: denseCount)
        var scale = [Double](repeating: 1, count: denseCount)
        if !examples.isEmpty {
            for index in 0..<denseCount {
                let values = examples.map { $0.dense[index] }
                let average = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count)
                mean[index] = average
                scale[index] = variance > 1e-12 ? variance.squareRoot() : 1
            }
        }
        let size = 1 << hashBits
        var lexical = [Double](repeating: 0, count: size)
        var lexicalSquares = [Double](repeating: 1e-8, count: size)
        var dense = [Double](repeating: 0, count: denseCount)
        var denseSquares = [Double](repeating: 1e-8, count: denseCount)
        var bias = 0.0
        var biasSquares = 1e-8
        // Standard units depend only on the data: computed once, not every epoch.
        let standardized = examples.map { example in
            (0..<denseCount).map { ComplexityModel.standardized(example.dense[$0], mean: mean[$0], scale: scale[$0]) }
        }
        var order = Array(examples.indices)
        var random = SplitMix64(seed: seed)
        let mask = size - 1
        for epoch in 0..<epochs {
            order.shuffle(using: &random)
            for index in order {
                let example = examples[index]
                let facts = standardized[index]
                let norm = example.lexical.isEmpty ? 0 : 1 / Double(example.lexical.count).squareRoot()
                var sum = bias
                for feature in 0..<denseCount { sum += dense[feature] * facts[feature] }
                for bucket in example.lexical { sum += lexical[Int(bucket) & mask] * norm }
                let predicted = 1 / (1 + exp(-sum))
                let error = predicted - example.label
                biasSquares += error * error
                bias -= learningRate * error / biasSquares.squareRoot()
                for feature in 0..<denseCount {
                    let gradient = error * facts[feature] + l2 * dense[feature]
                    denseSquares[feature] += gradient * gradient
                    dense[feature] -= learningRate * gradient / denseSquares[feature].squareRoot()
                }
                for bucket in example.lexical {
                    let slot = Int(bucket) & mask
                    let gradient = error * norm + l2 * lexical[slot]
                    lexicalSquares[slot] += gradient * gradient
                    lexical[slot] -= learningRate * gradient / lexicalSquares[slot].squareRoot()
                }
            }
            progress(Double(epoch + 1) / Double(epochs))
        }
        var info = metadata
        info["rows"] = String(examples.count)
        info["epochs"] = String(epochs)
        info["l2"] = String(l2)
        let usesLexical = examples.contains { !$0.lexical.isEmpty }
        return ComplexityModel(
            hashBits: hashBits, bias: bias, denseWeights: dense, denseMean: mean, denseScale: scale,
            lexicalWeights: usesLexical ? lexical.map { Float($0) } : [],
            metadata: info)
    }
}

/// A small, fast, seedable generator (SplitMix64), so training and the random baseline are
/// reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
