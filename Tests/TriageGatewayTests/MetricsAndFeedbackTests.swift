import Foundation
import Testing
import TriageCore
import TriageFakeUpstream
import TriageStore

/// The value of one Prometheus sample line (`name{labels} value`), matched exactly.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("/metrics counts requests, tokens, cost, failovers and exposes state gauges after known traffic")
    func metricsAfterKnownTraffic() async throws {
        let upstream = FakeOpenAIUpstream()
        upstream.enqueue(.serverError(status: 500), forModel: "fake-mid-upstream")
        let gateway = try await GatewayHarness.start(upstream: upstream) { $0.observability.operatingRefreshSeconds = 0 }
        var traces: [TraceRecord] = []
        for role in ["planner", "planner", "worker", "mystery-role"] {
            let response = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": role, "X-Triage-Run": "run-\(role)"])
            #expect(response.status == 200)
            traces.append(try await gateway.trace(try #require(response.header("X-Triage-Request-Id"))))
        }
        let bad = try await gateway.post(body: "{not json")
        #expect(bad.status == 400)

        let metrics = try await gateway.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = metrics.body
        #expect(sample(text, #"triage_requests_total{role="planner",tier="frontier",model="fake-frontier",status="ok"}"#) == 2)
        // The worker's call got a 500 from fake-mid and failed over to the tier above.
        #expect(sample(text, #"triage_requests_total{role="worker",tier="mid",model="fake-frontier",status="ok"}"#) == 1)
        // Roles that are not configured share one label value.
        #expect(sample(text, #"triage_requests_total{role="other",tier="mid",model="fake-mid",status="ok"}"#) == 1)
        #expect(sample(text, #"triage_requests_total{role="none",tier="none",model="none",status="rejected"}"#) == 1)
        let plannerInput = traces.prefix(2).map(\.usage.inputTokens).reduce(0, +)
        #expect(sample(text, #"triage_tokens_total{role="planner",tier="frontier",model="fake-frontier",kind="input"}"#) == Double(plannerInput))
        let plannerCost = traces.prefix(2).map(\.costUSD).reduce(0, +)
        let exposedCost = try #require(sample(text, #"triage_cost_usd_total{role="planner",tier="frontier",model="fake-frontier"}"#))
        #expect(abs(exposedCost - plannerCost) < 1e-12)
        // The worker's first attempt on fake-mid got a 500 and failed over.
        #expect(sample(text, #"triage_failovers_total{model="fake-mid"}"#) == 1)
        #expect(sample(text, #"triage_request_duration_seconds_count{tier="frontier",model="fake-frontier"}"#) == 2)
        // Every answered call has a time to first byte, non-streamed ones included (their whole
        // answer is the first byte): one observation per call, in the served series.
        for (series, calls) in [(#"tier="frontier",model="fake-frontier""#, 2.0), (#"tier="mid",model="fake-frontier""#, 1), (#"tier="mid",model="fake-mid""#, 1)] {
            #expect(sample(text, "triage_time_to_first_token_seconds_count{\(series)}") == calls, "\(series)")
            #expect(sample(text, "triage_request_duration_seconds_count{\(series)}") == calls, "\(series)")
        }
        #expect(traces.allSatisfy { ($0.timeToFirstTokenMs ?? -1) > 0 && $0.timeToFirstTokenMs! <= $0.latencyMs })
        #expect(sample(text, #"triage_circuit_state{model="fake-mid"}"#) == 0)
        #expect(sample(text, "triage_policy_version") == 0)
        // Operating metrics: 3 runs (both planner calls share one). Planner and worker are
        // fixed-tier roles, so only the unconfigured role's call is a router decision.
        #expect(sample(text, "triage_tasks_count") == 3)
        #expect(sample(text, "triage_auto_decisions_count") == 1)
        #expect(sample(text, "triage_routing_accuracy") == 1)
        #expect(sample(text, "triage_escalation_override_rate") == 0)
        let perTask = try #require(sample(text, "triage_cost_per_task_usd"))
        #expect(abs(perTask - traces.map(\.costUSD).reduce(0, +) / 3) < 1e-12)
        try await gateway.stop()
    }

    @Test("an escalated call counts one escalation under the role, tier and model that served it")
    func escalationCounter() async throws {
        let gateway = try await GatewayHarness.start()
        gateway.upstream.enqueue(.text("Sure! {name: Ada"), forModel: "fake-small-a")
        gateway.upstream.enqueue(.text(#"{"name":"Ada"}"#), forModel: "fake-mid-upstream")
        let escalated = try await gateway.post(
            body: chatBody(content: "Ada as JSON.", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(escalated.header("x-triage-escalations") == "1")
        let plain = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "formatter"])
        #expect(plain.header("x-triage-escalations") == "0")
        let text = try await gateway.get("/metrics").body
        #expect(sample(text, #"triage_escalations_total{role="formatter",tier="mid",model="fake-mid"}"#) == 1)
        // The call that was not escalated made a series without escalations.
        #expect(sample(text, #"triage_escalations_total{role="formatter",tier="small",model="fake-small-a"}"#) == 0)
        #expect(sample(text, #"triage_requests_total{role="formatter",tier="small",model="fake-small-a",status="ok"}"#) == 1)
        try await gateway.stop()
    }

    @Test("the circuit gauge shows a model's breaker open (2) after consecutive failures, the others closed (0)")
    func circuitOpens() async throws {
        let upstream = FakeOpenAIUpstream()
        for _ in 0..<3 { upstream.enqueue(.serverError(status: 500), forModel: "fake-mid-upstream") }
        let gateway = try await GatewayHarness.start(upstream: upstream)
        #expect(sample(try await gateway.get("/metrics").body, #"triage_circuit_state{model="fake-mid"}"#) == 0)
        // The harness opens a breaker after 3 consecutive failures; naming the model leaves no failover.
        for _ in 0..<3 { #expect(try await gateway.post(body: chatBody(model: "fake-mid")).status == 502) }
        let skipped = try await gateway.post(body: chatBody(model: "fake-mid"))
        #expect(skipped.status == 503)
        let text = try await gateway.get("/metrics").body
        #expect(sample(text, #"triage_circuit_state{model="fake-mid"}"#) == 2)
        #expect(sample(text, #"triage_circuit_state{model="fake-frontier"}"#) == 0)
        try await gateway.stop()
    }

    @Test("the trace queue gauge counts traces recorded and not yet written")
    func traceQueueDepth() async throws {
        // No timed flush during the test: traces stay in the writer's buffer until shutdown.
        let gateway = try await GatewayHarness.start { $0.storage.traceFlushMilliseconds = 3_600_000 }
        for _ in 0..<3 { #expect(try await gateway.post(body: chatBody()).status == 200) }
        #expect(sample(try await gateway.get("/metrics").body, "triage_trace_queue_depth") == 3)
        try await gateway.stop()
        // The graceful stop drained them.
        #expect(try await gateway.store().count() == 3)
    }
}

@Suite("Feedback")
struct FeedbackTests {
    @Test("feedback on a request id and on a run id is stored with the trace and moves the operating metrics")
    func feedbackStored() async throws {
        let gateway = try await GatewayHarness.start { $0.observability.operatingRefreshSeconds = 0 }
        let first = try await gateway.post(body: chatBody(), headers: ["X-Triage-Run": "run-a"])
        let second = try await gateway.post(body: chatBody(), headers: ["X-Triage-Run": "run-b"])
        let firstID = try #require(first.header("X-Triage-Request-Id"))
        // Straight after the call: the trace may still be in the writer's buffer.
        let stored = try await gateway.post("/v1/feedback", body: #"{"request_id":"\#(firstID)","score":"bad","correct_tier":"frontier","comment":"missed the point"}"#)
        #expect(stored.status == 200)
        #expect(stored.json?["object"] == .string("feedback"))
        #expect(stored.json?["score"]?.doubleValue == 0)
        let onRun = try await gateway.post("/v1/feedback", body: #"{"run_id":"run-b","score":0.9}"#)
        #expect(onRun.status == 200)

        let store = try gateway.store()
        let feedback = try await store.feedback(requestID: firstID)
        #expect(feedback.count == 1)
        #expect(feedback.first?.correctTier == "frontier")
        #expect(feedback.first?.comment == "missed the point")
        let secondID = try #require(second.header("X-Triage-Request-Id"))
        _ = try await gateway.trace(secondID)
        #expect(try await store.feedback(requestID: secondID).map(\.score) == [0.9])

        let metrics = try await gateway.get("/metrics")
        // Both calls are router decisions (no role): one corrected to another tier.
        #expect(sample(metrics.body, "triage_auto_decisions_count") == 2)
        #expect(sample(metrics.body, "triage_routing_accuracy") == 0.5)
        #expect(sample(metrics.body, "triage_escalation_override_rate") == 0.5)
        #expect(sample(metrics.body, #"triage_feedback_total{verdict="bad"}"#) == 1)
        #expect(sample(metrics.body, #"triage_feedback_total{verdict="good"}"#) == 1)
        try await gateway.stop()
    }

    @Test("unknown ids get a 404 and malformed feedback a 400, both as OpenAI errors", arguments: [
        (#"{"request_id":"req_nope","score":1}"#, 404, "trace_not_found"),
        (#"{"run_id":"no-such-run","score":"good"}"#, 404, "trace_not_found"),
        (#"{"score":1}"#, 400, "missing_required_parameter"),
        (#"{"request_id":"a","run_id":"b","score":1}"#, 400, "missing_required_parameter"),
        (#"{"request_id":"a"}"#, 400, "missing_required_parameter"),
        (#"{"request_id":"a","score":1.5}"#, 400, "invalid_value"),
        (#"{"request_id":"a","score":"meh"}"#, 400, "invalid_value"),
        (#"{"request_id":"a","score":1,"correct_tier":"huge"}"#, 400, "invalid_value"),
        (#"{"request_id":"a","score":1,"extra":true}"#, 400, "unknown_parameter"),
        (#"[1,2]"#, 400, "invalid_json"),
        (#"{"request_id":"#, 400, "invalid_json"),
    ])
    func badFeedback(body: String, status: Int, code: String) async throws {
        let gateway = try await GatewayHarness.start()
        let response = try await gateway.post("/v1/feedback", body: body)
        #expect(response.status == status)
        #expect(response.json?["error"]?["code"] == .string(code))
        #expect(response.json?["error"]?["message"]?.stringValue?.isEmpty == false)
        try await gateway.stop()
    }
}
