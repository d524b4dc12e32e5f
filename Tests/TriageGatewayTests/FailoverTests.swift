import Foundation
import Testing
import TriageCore
import TriageFakeUpstream

@Suite(.serialized) struct FailoverTests {
    @Test func serverErrorMovesToTheNextCandidate() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.error(status: 500, type: "server_error", code: nil, message: "boom"), forModel: "fake-small-a")
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == "fake-small-b")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.map(\.model) == ["fake-small-a", "fake-small-b"])
        #expect(trace.attempts.map(\.outcome) == ["retryable", "ok"])
        #expect(trace.attempts.first?.status == 500)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(
            .error(status: 429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached", retryAfterSeconds: 20), forModel: "fake-small-a")
        let first = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(first.header("x-triage-model") == "fake-small-b")
        // While the retry-after runs, the limited model is not called again.
        let before = gateway.upstream.requests.filter { $0.model == "fake-small-a" }.count
        let second = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(second.header("x-triage-model") == "fake-small-b")
        #expect(gateway.upstream.requests.filter { $0.model == "fake-small-a" }.count == before)
    }

    @Test func lastCandidateRateLimitedBrieflyIsRetriedAfterTheWait() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(
            .error(status: 429, type: "requests", code: "rate_limit_exceeded", message: "slow down", retryAfterSeconds: 1), forModel: "fake-small-b")
        let started = ContinuousClock.now
        let result = try await gateway.post(body: chatBody(model: "fake-small-b"))
        #expect(result.status == 200)
        #expect(ContinuousClock.now - started >= .seconds(1))
    }

    @Test func rateLimitWithNothingLeftIsA429WithRetryAfter() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(
            .error(status: 429, type: "requests", code: "rate_limit_exceeded", message: "slow down", retryAfterSeconds: 60), forModel: "fake-frontier")
        let result = try await gateway.post(body: chatBody(model: "fake-frontier"))
        #expect(result.status == 429)
        #expect(result.header("retry-after") == "60")
        #expect(result.json?["error"]?["type"] == "rate_limit_error")
    }

    @Test func slowFirstByteTimesOutAndFailsOver() async throws {
        let gateway = try await GatewayHarness.start(firstByteTimeoutSeconds: 2)  // the fake answers after 5 s
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.slowFirstByte(seconds: 5, then: .text("late")), forModel: "fake-small-a")
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == "fake-small-b")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.first?.detail == "the provider did not answer in time")
    }

    @Test func everyCandidateFailingIsA502WithoutSecrets() async throws {
        let gateway = try await GatewayHarness.start { $0.policy.failoverToHigherTiers = false }
        defer { Task { try? await gateway.stop() } }
        for model in ["fake-small-a", "fake-small-b"] {
            gateway.upstream.enqueue(.error(status: 503, type: "server_error", code: nil, message: "overloaded at http://10.0.0.1/internal"), forModel: model)
        }
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 502)
        #expect(result.json?["error"]?["type"] == "upstream_error")
        #expect(!result.body.contains("sk-upstream-secret"))
        #expect(!result.body.contains("127.0.0.1"))
        #expect(!result.body.contains("http://"))
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.status == .failed)
        #expect(trace.attempts.count == 2)
    }

    @Test func timeoutOfEveryCandidateIsA504() async throws {
        let gateway = try await GatewayHarness.start(firstByteTimeoutSeconds: 2)  // the fake answers after 5 s
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.slowFirstByte(seconds: 5, then: .text("late")), forModel: "fake-frontier")
        let result = try await gateway.post(body: chatBody(model: "fake-frontier"))
        #expect(result.status == 504)
        #expect(result.json?["error"]?["code"] == "upstream_timeout")
    }

    @Test func connectErrorFailsOver() async throws {
        let gateway = try await GatewayHarness.start { config in
            var dead = config.catalog.providers["fake"]!
            dead.name = "dead"
            dead.baseURL = "http://127.0.0.1:1/v1"
            let models = config.catalog.models + [ModelSpec(name: "dead-small", provider: "dead", tier: .small, price: .free)]
            config.catalog = ModelCatalog(models: models, providers: Array(config.catalog.providers.values) + [dead])
        }
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == "fake-small-a")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.first?.model == "dead-small")
        #expect(trace.attempts.first?.detail == "could not connect to the provider")
    }

    @Test func upstreamClientErrorsAreNotRetriedAndAreRedacted() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(
            .error(status: 400, type: "invalid_request_error", code: "invalid_value", message: "Invalid schema for function 'f'"), forModel: "fake-small-a")
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 400)
        #expect(result.json?["error"]?["message"] == "Invalid schema for function 'f'")
        #expect(gateway.upstream.requests.count == 1)
    }

    @Test func upstreamAuthFailureIsA502ThatHidesTheKey() async throws {
        let gateway = try await GatewayHarness.start { $0.policy.failoverToHigherTiers = false }
        defer { Task { try? await gateway.stop() } }
        for model in ["fake-small-a", "fake-small-b"] {
            gateway.upstream.enqueue(
                .error(status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided: sk-upstr***123."), forModel: model)
        }
        let result = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(result.status == 502)
        #expect(!result.body.contains("sk-"))
        #expect(result.json?["error"]?["code"] == "upstream_authentication_failed")
    }

    @Test func circuitBreakerOpensThenProbesAndCloses() async throws {
        let gateway = try await GatewayHarness.start { config in
            config.circuitBreaker = .init(failureThreshold: 2, coolDown: .milliseconds(400))
        }
        defer { Task { try? await gateway.stop() } }
        for _ in 0..<2 {
            gateway.upstream.enqueue(.error(status: 500, type: "server_error", code: nil, message: "down"), forModel: "fake-small-a")
            let result = try await gateway.post(body: chatBody(model: "triage/small"))
            #expect(result.header("x-triage-model") == "fake-small-b")
        }
        // Open: the failing model is not called at all.
        let callsToA = gateway.upstream.requests.filter { $0.model == "fake-small-a" }.count
        let whileOpen = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(whileOpen.header("x-triage-model") == "fake-small-b")
        #expect(gateway.upstream.requests.filter { $0.model == "fake-small-a" }.count == callsToA)
        let health = try await gateway.get("/health")
        #expect(health.json?["unavailable_models"] == ["fake-small-a"])
        // After the cool-down a probe goes through; its success closes the circuit.
        try await Task.sleep(for: .milliseconds(500))
        let probe = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(probe.header("x-triage-model") == "fake-small-a")
        let closed = try await gateway.post(body: chatBody(model: "triage/small"))
        #expect(closed.header("x-triage-model") == "fake-small-a")
    }
}
