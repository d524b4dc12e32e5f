import Benchmark
import Foundation
import TriageCodecs
import TriageCore
import TriageRouting

/// The routing brain on a 2,000-token request: prompt analysis, skill classifier, risk
/// predictor, complexity router and selector, with the built-in scorer and with a trained model
/// of 65,536 lexical weights; and loading such a model file.
func brainBenchmarks() {
    let body = Fixtures.chatRequest(characters: 8_000)
    guard let chat = try? OpenAIChatRequest.decode(body) else { fatalError("fixture does not decode") }
    let request = RouteRequest(
        target: .auto, runID: "run-1",
        features: RequestFeatures(estimatedInputTokens: body.count / 4, messageCount: 3, toolCount: 1), prompt: chat.digest())
    let trained = Fixtures.trainedModel()

    for (name, model) in [("built-in scorer", ComplexityModel.builtIn), ("trained model, 2^16 lexical weights", trained)] {
        let pipeline = RoutingBrain(complexity: model).pipeline(policy: Fixtures.pipeline().policy, catalog: Fixtures.pipeline().catalog)
        Benchmark("Brain decision, 2k-token request (\(name))") { benchmark in
            let availability = AllModelsAvailable()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try? pipeline.decide(request, availability: availability))
            }
        }
    }

    Benchmark("Complexity model file load (2^16 lexical weights)", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5))) {
        benchmark in
        let text = trained.json()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? ComplexityModel(json: text))
        }
    }
}

extension Fixtures {
    /// A model shaped like a trained one: every lexical bucket non-zero.
    static func trainedModel() -> ComplexityModel {
        var random = SystemRandomNumberGenerator()
        let count = ComplexityModel.denseFeatureNames.count
        return ComplexityModel(
            hashBits: 16, bias: -1, denseWeights: (0..<count).map { _ in Double.random(in: -1...1, using: &random) },
            lexicalWeights: (0..<(1 << 16)).map { _ in Float.random(in: -0.5...0.5, using: &random) })
    }
}
