import Testing
import TriageConfig
import TriageCore
import TriageFakeUpstream
import Tracing

/// `POST /v1/embeddings`: passed to the named embedding model, priced, traced; bad input and
/// upstream failures as OpenAI errors.
@Suite struct EmbeddingsTests {
    static func gateway(tracer: (any Tracer)? = nil) async throws -> GatewayHarness {
        try await GatewayHarness.start(tracer: tracer) { config in
            var models = config.catalog.models
            var embedding = ModelSpec(name: "fake-embed", provider: "fake", upstreamName: "fake-embed-upstream", tier: .small, price: ModelPrice(inputPerMillion: 0.02, outputPerMillion: 0))
            embedding.kind = .embedding
            models.append(embedding)
            config.catalog = ModelCatalog(models: models, providers: Array(config.catalog.providers.values))
        }
    }

    @Test func embeddingsPassThroughPricedAndTraced() async throws {
        let gateway = try await Self.gateway()
        let response = try await gateway.post("/v1/embeddings", body: #"{"model":"fake-embed","input":["hello world","second input here"]}"#)
        #expect(response.status == 200, "\(response.body)")
        let body = try #require(response.json)
        #expect(body["data"]?.arrayValue?.count == 2)
        #expect(body["data"]?.arrayValue?.first?["embedding"]?.arrayValue?.count == FakeOpenAIUpstream.embeddingDimensions)
        let tokens = try #require(body["usage"]?["prompt_tokens"]?.intValue)
        #expect(gateway.upstream.requests.last?.json?["model"] == "fake-embed-upstream")
        #expect(gateway.upstream.requests.last?.path == "/v1/embeddings")
        let trace = try await gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        #expect(trace.endpoint == "/v1/embeddings")
        #expect(trace.usage.inputTokens == tokens)
        #expect(abs(trace.costUSD - Double(tokens) * 0.02 / 1_000_000) < 1e-15)
        #expect(response.header("X-Triage-Model") == "fake-embed")
        try await gateway.stop()
    }

    @Test func embeddingErrors() async throws {
        let gateway = try await Self.gateway()
        // A chat model is not an embedding model, and an embedding model is not a chat model.
        #expect(try await gateway.post("/v1/embeddings", body: #"{"model":"fake-mid","input":"x"}"#).status == 404)
        let chat = try await gateway.post(body: chatBody(model: "fake-embed"))
        #expect(chat.status == 400)
        #expect(chat.json?["error"]?["code"] == "model_not_supported")
        #expect(try await gateway.post("/v1/embeddings", body: #"{"model":"fake-embed"}"#).json?["error"]?["param"] == "input")
        #expect(try await gateway.post("/v1/embeddings", body: #"{"model":"fake-embed","input":[]}"#).status == 400)
        #expect(try await gateway.post("/v1/embeddings", body: "not json").status == 400)
        // triage/auto never picks an embedding model.
        for _ in 0..<5 {
            #expect(try await gateway.post(body: chatBody(model: "triage/small")).header("X-Triage-Model") != "fake-embed")
        }
        gateway.upstream.enqueue(.serverError(status: 500), forModel: "fake-embed-upstream")
        let failed = try await gateway.post("/v1/embeddings", body: #"{"model":"fake-embed","input":"x"}"#)
        #expect(failed.status == 502)
        #expect(!failed.body.contains("secret"))
        try await gateway.stop()
    }
}
