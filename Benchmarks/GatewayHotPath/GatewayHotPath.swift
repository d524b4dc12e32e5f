import Benchmark
import Foundation
import TriageCodecs
import TriageCore
import TriageRouting
import TriageStore

/// The per-request work of the gateway outside the network: decode, decide, re-encode, relay,
/// and the batched trace write.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        // No .cpuTotal: it reads /proc around every iteration, which costs more than what is measured here.
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000)

    let requestBody = Fixtures.chatRequest(characters: 8_000)  // ≈ 2,000 tokens
    let smallBody = Fixtures.chatRequest(characters: 400)
    let pipeline = Fixtures.pipeline()

    Benchmark("Request decode (2k-token chat body)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? OpenAIChatRequest.decode(requestBody))
        }
    }

    Benchmark("Request decode (small chat body)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? OpenAIChatRequest.decode(smallBody))
        }
    }

    Benchmark("Upstream body encode (2k-token chat body)") { benchmark in
        let request = try OpenAIChatRequest.decode(requestBody)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(request.upstreamBody(model: "gpt-5-mini"))
        }
    }

    Benchmark("Decision (features → pins → role → selector)") { benchmark in
        let request = RouteRequest(
            target: .auto, role: "worker", runID: "run-1",
            features: RequestFeatures(estimatedInputTokens: 2_000, maxOutputTokens: nil, messageCount: 3, toolCount: 1, stream: false))
        let availability = AllModelsAvailable()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? pipeline.decide(request, availability: availability))
        }
    }

    Benchmark("Stream relay (one content event)") { benchmark in
        let event = Array(
            #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hello"},"finish_reason":null}],"usage":null}"#
                .utf8) + [0x0A, 0x0A]
        var relay = OpenAIStreamRelay(clientWantsUsage: false)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? relay.consume(event))
        }
    }

    Benchmark("Trace batch write (256 traces, SQLite)", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5))) {
        benchmark in
        let path = NSTemporaryDirectory() + "triage-bench-\(UUID().uuidString).db"
        let store = try SQLiteTraceStore(path: path)
        let batch = (0..<256).map { Fixtures.trace(id: "\($0)") }
        var round = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            round += 1
            try await store.insert(batch.map { var trace = $0; trace.requestID += "-\(round)"; return trace })
        }
    }

    validationBenchmarks()
    brainBenchmarks()
    transcodeBenchmarks()
    exchangeBenchmarks()
}

enum Fixtures {
    static func chatRequest(characters: Int) -> [UInt8] {
        let words = String(repeating: "refactor the parser so ", count: characters / 23)
        return Array(
            #"{"model":"triage/auto","messages":[{"role":"system","content":"You are a careful coding agent."},{"role":"user","content":"\#(words)"},{"role":"assistant","content":"Sure."}],"tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}}],"temperature":0.2,"metadata":{"role":"worker"}}"#
                .utf8)
    }

    static func pipeline() -> DecisionPipeline {
        let models: [ModelSpec] = [
            ModelSpec(name: "gpt-5-nano", provider: "openai", tier: .small, price: ModelPrice(inputPerMillion: 0.05, outputPerMillion: 0.4)),
            ModelSpec(name: "gpt-4.1-nano", provider: "openai", tier: .small, price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4)),
            ModelSpec(name: "gpt-5-mini", provider: "openai", tier: .mid, price: ModelPrice(inputPerMillion: 0.25, outputPerMillion: 2)),
            ModelSpec(name: "gpt-4.1-mini", provider: "openai", tier: .mid, price: ModelPrice(inputPerMillion: 0.4, outputPerMillion: 1.6)),
            ModelSpec(name: "gpt-5", provider: "openai", tier: .frontier, price: ModelPrice(inputPerMillion: 1.25, outputPerMillion: 10)),
            ModelSpec(name: "gpt-4.1", provider: "openai", tier: .frontier, price: ModelPrice(inputPerMillion: 2, outputPerMillion: 8)),
        ]
        let catalog = ModelCatalog(models: models, providers: [ProviderSpec(name: "openai", baseURL: "https://api.openai.com/v1")])
        let policy = RoutingPolicy(
            roles: ["planner": RoleRule(tier: .frontier), "worker": RoleRule(tier: .mid), "formatter": RoleRule(tier: .small)],
            defaultTier: .mid, pins: [Pin(match: .role("legal"), model: "gpt-5")])
        return DecisionPipeline(policy: policy, catalog: catalog)
    }

    static func trace(id: String) -> TraceRecord {
        TraceRecord(
            requestID: id, runID: "run", startedAt: Date(), endpoint: "/v1/chat/completions", role: "worker", requestedModel: "triage/auto",
            mode: "auto", tier: "mid", lane: "realtime", model: "gpt-5-mini", provider: "openai", status: .ok, httpStatus: 200,
            usage: Usage(inputTokens: 2000, outputTokens: 300), costUSD: 0.0011, latencyMs: 800, timeToFirstTokenMs: 200,
            reasons: ["role 'worker' → mid", "cheapest available in mid: gpt-5-mini"],
            attempts: [AttemptRecord(model: "gpt-5-mini", provider: "openai", outcome: "ok", status: 200, latencyMs: 800)])
    }
}
