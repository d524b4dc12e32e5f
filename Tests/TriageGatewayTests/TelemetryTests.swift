import Foundation
import InMemoryTracing
import Testing
import TriageCore
import TriageFakeUpstream
import TriageGateway
import TriageStore
import Tracing

extension FinishedInMemorySpan {
    func attribute(_ name: String) -> SpanAttribute? { attributes[name]?.toSpanAttribute() }
}

@Suite("OpenTelemetry spans")
struct TelemetryTests {
    @Test("a call is a server span continuing the caller's trace, with GenAI and triage attributes")
    func requestSpanAttributes() async throws {
        let tracer = InMemoryTracer()
        let gateway = try await GatewayHarness.start(tracer: tracer)
        let response = try await gateway.post(
            body: chatBody(),
            headers: [
                "X-Triage-Role": "worker", "X-Triage-Run": "run-span",
                InMemoryTracer.traceIDKey: "caller-trace", InMemoryTracer.spanIDKey: "caller-span",
            ])
        #expect(response.status == 200)
        let trace = try await gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        try await gateway.stop()

        let spans = tracer.finishedSpans
        let request = try #require(spans.first { $0.kind == .server })
        #expect(request.operationName == "chat triage/auto")
        #expect(request.traceID == "caller-trace")
        #expect(request.parentSpanID == "caller-span")
        let attributes = request.attributes
        #expect(attributes["gen_ai.operation.name"]?.toSpanAttribute() == .string("chat"))
        #expect(attributes["gen_ai.request.model"]?.toSpanAttribute() == .string("triage/auto"))
        // The model the provider reported (the fake echoes the name it was asked for).
        #expect(attributes["gen_ai.response.model"]?.toSpanAttribute() == .string("fake-mid-upstream"))
        #expect(attributes["triage.model"]?.toSpanAttribute() == .string("fake-mid"))
        // The semantic-convention name of the provider's format; the configured key separately.
        #expect(attributes["gen_ai.provider.name"]?.toSpanAttribute() == .string("openai"))
        #expect(attributes["triage.provider"]?.toSpanAttribute() == .string("fake"))
        #expect(attributes["gen_ai.usage.input_tokens"]?.toSpanAttribute() == .int64(Int64(trace.usage.inputTokens)))
        #expect(attributes["gen_ai.usage.output_tokens"]?.toSpanAttribute() == .int64(Int64(trace.usage.outputTokens)))
        #expect(trace.usage.outputTokens > 0)
        #expect(attributes["triage.role"]?.toSpanAttribute() == .string("worker"))
        #expect(attributes["triage.tier"]?.toSpanAttribute() == .string("mid"))
        #expect(attributes["triage.run_id"]?.toSpanAttribute() == .string("run-span"))
        #expect(attributes["triage.lane"]?.toSpanAttribute() == .string("realtime"))
        #expect(attributes["triage.cost_usd"]?.toSpanAttribute() == .double(trace.costUSD))
        #expect(attributes["triage.reasons"]?.toSpanAttribute() == .stringArray(trace.reasons))
        #expect(attributes["triage.escalated"]?.toSpanAttribute() == .bool(false))
        #expect(attributes["triage.cache_hit"]?.toSpanAttribute() == .bool(false))
        #expect(attributes["triage.request_id"]?.toSpanAttribute() == .string(trace.requestID))

        let attempts = spans.filter { $0.kind == .client }
        #expect(attempts.count == 1)
        #expect(attempts.first?.parentSpanID == request.spanID)
        #expect(attempts.first?.traceID == "caller-trace")
        #expect(attempts.first?.attributes["gen_ai.request.model"]?.toSpanAttribute() == .string("fake-mid"))
        #expect(attempts.first?.attributes["triage.attempt.outcome"]?.toSpanAttribute() == .string("ok"))
    }

    @Test("each upstream attempt is a child span; a failed one carries an error status and the failover shows")
    func attemptSpans() async throws {
        let tracer = InMemoryTracer()
        let upstream = FakeOpenAIUpstream()
        upstream.enqueue(.serverError(status: 500), forModel: "fake-mid-upstream")
        let gateway = try await GatewayHarness.start(upstream: upstream, tracer: tracer)
        let response = try await gateway.post(body: chatBody(model: "triage/mid"))
        #expect(response.status == 200)
        try await gateway.stop()

        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.parentSpanID == nil)
        let attempts = tracer.finishedSpans.filter { $0.kind == .client }
        #expect(attempts.count == 2)
        #expect(attempts.allSatisfy { $0.parentSpanID == request.spanID && $0.traceID == request.traceID })
        let failed = try #require(attempts.first { $0.attributes["triage.attempt.outcome"]?.toSpanAttribute() == .string("retryable") })
        #expect(failed.status?.code == .error)
        #expect(failed.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(500))
        #expect(failed.attributes["gen_ai.request.model"]?.toSpanAttribute() == .string("fake-mid"))
        #expect(attempts.contains { $0.attributes["triage.attempt.outcome"]?.toSpanAttribute() == .string("ok") })
    }

    @Test("without a tracer no span work is done and calls still succeed")
    func offByDefault() async throws {
        let gateway = try await GatewayHarness.start()
        let response = try await gateway.post(body: chatBody(), headers: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
        #expect(response.status == 200)
        try await gateway.stop()
    }

    @Test("an auto-routed call's span names the skill the classifier found")
    func skillOnAutoRoutedCall() async throws {
        let tracer = InMemoryTracer()
        let gateway = try await GatewayHarness.start(tracer: tracer)
        let response = try await gateway.post(body: chatBody(content: "Extract the invoice number and total from this email."))
        #expect(response.status == 200)
        let trace = try await gateway.trace(try #require(response.header("X-Triage-Request-Id")))
        try await gateway.stop()
        #expect(trace.skill == "extraction")
        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.attribute("triage.skill") == .string("extraction"))
        #expect(request.attribute("triage.mode") == .string("auto"))
        #expect(request.attribute("triage.escalated") == .bool(false))
        #expect(request.attribute("triage.escalations") == .int64(0))
    }

    @Test("an escalated call's span says so, with the routed and the serving tier; the rejected attempt is an error child")
    func escalatedCall() async throws {
        let tracer = InMemoryTracer()
        let gateway = try await GatewayHarness.start(tracer: tracer)
        gateway.upstream.enqueue(.text("Sure! {name: Ada"), forModel: "fake-small-a")
        gateway.upstream.enqueue(.text(#"{"name":"Ada","age":36}"#), forModel: "fake-mid-upstream")
        let response = try await gateway.post(
            body: chatBody(content: "Ada as JSON.", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(response.header("x-triage-escalations") == "1")
        try await gateway.stop()

        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.attribute("triage.escalated") == .bool(true))
        #expect(request.attribute("triage.escalations") == .int64(1))
        #expect(request.attribute("triage.routed_tier") == .string("small"))
        #expect(request.attribute("triage.tier") == .string("mid"))
        #expect(request.attribute("triage.validation") == .string("passed"))
        #expect(request.attribute("gen_ai.response.model") == .string("fake-mid-upstream"))
        let attempts = tracer.finishedSpans.filter { $0.kind == .client }
        #expect(attempts.map { $0.attribute("gen_ai.request.model") } == [.string("fake-small-a"), .string("fake-mid")])
        let rejected = try #require(attempts.first)
        #expect(rejected.attribute("triage.attempt.outcome") == .string("invalid"))
        #expect(rejected.attribute("triage.validation.failed") == .stringArray(["json"]))
        #expect(rejected.attribute("gen_ai.response.model") == .string("fake-small-a"))
        #expect(rejected.status?.code == .error)
    }

    @Test("cached input tokens reported by the upstream make a cache hit on the call and its attempt")
    func cacheHit() async throws {
        let tracer = InMemoryTracer()
        let gateway = try await GatewayHarness.start(upstream: FakeOpenAIUpstream(cachedTokens: 2), tracer: tracer)
        let response = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "worker"])
        #expect(response.status == 200)
        try await gateway.stop()
        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.attribute("triage.cache_hit") == .bool(true))
        #expect(request.attribute("triage.usage.cached_input_tokens") == .int64(2))
        let attempt = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(attempt.attribute("triage.cache_hit") == .bool(true))
    }

    @Test("gen_ai.response.model is the model the provider reported; streamed answers fall back to the upstream model name")
    func reportedResponseModel() async throws {
        let provider = RecordingServer(answer: """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"fake-mid-2025-06-01",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hi."},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}
            """)
        let port = try await provider.start()
        let tracer = InMemoryTracer()
        let gateway = try await GatewayHarness.start(tracer: tracer) { config in
            config.catalog = ModelCatalog(
                models: config.catalog.models, providers: [ProviderSpec(name: "fake", baseURL: "http://127.0.0.1:\(port)/v1")])
        }
        let response = try await gateway.post(body: chatBody(model: "fake-mid"))
        #expect(response.status == 200, "\(response.body)")
        try await gateway.stop()
        try await provider.stop()
        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.attribute("gen_ai.response.model") == .string("fake-mid-2025-06-01"))
        #expect(request.attribute("gen_ai.request.model") == .string("fake-mid"))
        #expect(tracer.finishedSpans.first { $0.kind == .client }?.attribute("gen_ai.response.model") == .string("fake-mid-2025-06-01"))

        let streamTracer = InMemoryTracer()
        let streaming = try await GatewayHarness.start(tracer: streamTracer)
        let streamed = try await streaming.post(body: chatBody(model: "fake-mid", stream: true))
        #expect(streamed.status == 200)
        try await streaming.stop()
        let streamSpan = try #require(streamTracer.finishedSpans.first { $0.kind == .server })
        #expect(streamSpan.attribute("gen_ai.response.model") == .string("fake-mid-upstream"))
        #expect(streamSpan.attribute("triage.stream") == .bool(true))
    }

    @Test("gen_ai.provider.name is the semantic-convention name of each provider format; the configured key is triage.provider")
    func providerNames() throws {
        let catalog = ModelCatalog(
            models: [
                ModelSpec(name: "gpt", provider: "corp-openai", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 1)),
                ModelSpec(name: "claude", provider: "claude-eu", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 1)),
                ModelSpec(name: "gemini", provider: "vertex", upstreamName: "gemini-2.5-flash", tier: .mid, price: ModelPrice(inputPerMillion: 1, outputPerMillion: 1)),
            ],
            providers: [
                ProviderSpec(name: "corp-openai", format: .openai, baseURL: "http://127.0.0.1:1/v1"),
                ProviderSpec(name: "claude-eu", format: .anthropic, baseURL: "http://127.0.0.1:1/v1"),
                ProviderSpec(name: "vertex", format: .gemini, baseURL: "http://127.0.0.1:1/v1"),
            ])
        let tracer = InMemoryTracer()
        let telemetry = CallTelemetry(tracer: tracer, catalog: catalog)
        for (model, provider) in [("gpt", "corp-openai"), ("claude", "claude-eu"), ("gemini", "vertex")] {
            let attempt = AttemptRecord(model: model, provider: provider, outcome: "ok", status: 200, latencyMs: 5, usage: Usage(inputTokens: 3, outputTokens: 1))
            telemetry.emit(
                TraceRecord(
                    requestID: "req-\(model)", startedAt: Date(), endpoint: "/v1/chat/completions", requestedModel: model, mode: "passthrough",
                    model: model, provider: provider, status: .ok, httpStatus: 200, latencyMs: 10, attempts: [attempt]),
                parent: nil)
        }
        let servers = tracer.finishedSpans.filter { $0.kind == .server }
        #expect(servers.map { $0.attribute("gen_ai.provider.name") } == [.string("openai"), .string("anthropic"), .string("gcp.gemini")])
        #expect(servers.map { $0.attribute("triage.provider") } == [.string("corp-openai"), .string("claude-eu"), .string("vertex")])
        // Nothing reported: the name the model has at its provider.
        #expect(servers.last?.attribute("gen_ai.response.model") == .string("gemini-2.5-flash"))
        let clients = tracer.finishedSpans.filter { $0.kind == .client }
        #expect(clients.map { $0.attribute("gen_ai.provider.name") } == [.string("openai"), .string("anthropic"), .string("gcp.gemini")])
    }

    @Test("an embeddings call continues the caller's trace")
    func embeddingsContinueTheCallersTrace() async throws {
        let tracer = InMemoryTracer()
        let gateway = try await EmbeddingsTests.gateway(tracer: tracer)
        let response = try await gateway.post(
            "/v1/embeddings", body: #"{"model":"fake-embed","input":"hello"}"#,
            headers: [InMemoryTracer.traceIDKey: "caller-trace", InMemoryTracer.spanIDKey: "caller-span"])
        #expect(response.status == 200, "\(response.body)")
        try await gateway.stop()
        let request = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(request.operationName == "embeddings fake-embed")
        #expect(request.traceID == "caller-trace")
        #expect(request.parentSpanID == "caller-span")
        #expect(request.attribute("gen_ai.operation.name") == .string("embeddings"))
        let attempt = try #require(tracer.finishedSpans.first { $0.kind == .client })
        #expect(attempt.traceID == "caller-trace" && attempt.parentSpanID == request.spanID)
    }
}
