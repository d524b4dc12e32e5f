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

    // An agent's turn of the same size, as such turns look: a system prompt, a file pasted in a
    // code block, and the ask; cue phrases at the density of ordinary text.
    let agentTurn = RouteRequest(
        target: .auto, runID: "run-1", features: RequestFeatures(estimatedInputTokens: 2_000, messageCount: 2, toolCount: 0),
        prompt: Fixtures.agentTurn(characters: 8_000))
    let builtIn = RoutingBrain(complexity: .builtIn).pipeline(policy: Fixtures.pipeline().policy, catalog: Fixtures.pipeline().catalog)
    Benchmark("Brain decision, 2k-token agent turn: system prompt, pasted code, ask (built-in scorer)") { benchmark in
        let availability = AllModelsAvailable()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? builtIn.decide(agentTurn, availability: availability))
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
    /// A coding agent's turn of about `characters` bytes: system prompt, then a user message
    /// with a Swift file in a fence and a two-paragraph ask.
    static func agentTurn(characters: Int) -> PromptDigest {
        let system = """
            You are a careful software engineer working in a large repository. Read the files you are given before you change \
            anything, keep changes small, and explain what you did in a short summary at the end. Use the project's style: \
            four-space indentation, descriptive names, and doc comments on public declarations.
            """
        let code = """
            struct InvoiceLine: Codable, Sendable {
                var sku: String
                var quantity: Int
                var unitPrice: Decimal
                var total: Decimal { unitPrice * Decimal(quantity) }
            }

            func subtotal(of lines: [InvoiceLine]) -> Decimal {
                lines.reduce(0) { $0 + $1.total }
            }

            """
        let ask = """
            The subtotal above is computed on every render of the invoice screen, and for large orders it shows up in the \
            profile. Cache it on the invoice, invalidate the cache when a line changes, and keep the public interface as it is.

            Also add a unit test that covers an empty invoice and one with three lines.
            """
        var pasted = "Here is Sources/Billing/Invoice.swift:\n```swift\n"
        while pasted.utf8.count + system.utf8.count + ask.utf8.count + code.utf8.count < characters { pasted += code }
        pasted += "```\n\n" + ask
        return PromptDigest(messages: [.init(role: "system", text: system), .init(role: "user", text: pasted)], toolNames: [], responseFormat: nil)
    }

    /// A model shaped like a trained one: every lexical bucket non-zero.
    static func trainedModel() -> ComplexityModel {
        var random = SystemRandomNumberGenerator()
        let count = ComplexityModel.denseFeatureNames.count
        return ComplexityModel(
            hashBits: 16, bias: -1, denseWeights: (0..<count).map { _ in Double.random(in: -1...1, using: &random) },
            lexicalWeights: (0..<(1 << 16)).map { _ in Float.random(in: -0.5...0.5, using: &random) })
    }
}
