import Foundation
import InMemoryTracing
import Testing
import TriageCore
import TriageFakeUpstream
import TriageStore
import Tracing

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
        #expect(attributes["gen_ai.response.model"]?.toSpanAttribute() == .string("fake-mid"))
        #expect(attributes["gen_ai.provider.name"]?.toSpanAttribute() == .string("fake"))
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
}
