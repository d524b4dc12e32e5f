import Foundation
import Testing
import TriageCore
import TriageFakeUpstream

@Suite(.serialized) struct RoutingEndToEndTests {
    @Test func autoRoutesByRoleHeaderAndPricesTheCall() async throws {
        let gateway = try await GatewayHarness.start(upstream: FakeOpenAIUpstream(cachedTokens: 2))
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "worker", "X-Triage-Run": "run-42"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == "fake-mid")
        #expect(result.header("x-triage-tier") == "mid")
        let requestID = try #require(result.header("x-triage-request-id"))
        // The upstream saw its own model name and no gateway metadata.
        let sent = try #require(gateway.upstream.requests.last)
        #expect(sent.model == "fake-mid-upstream")
        #expect(sent.headers["authorization"] == "Bearer sk-upstream-secret-123")

        let usage = try #require(result.json?["usage"])
        let expected = Usage(
            inputTokens: usage["prompt_tokens"]?.intValue ?? -1, outputTokens: usage["completion_tokens"]?.intValue ?? -1,
            cachedInputTokens: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? -1)
        #expect(expected.cachedInputTokens == 2)
        let cost = ModelPrice(inputPerMillion: 0.25, outputPerMillion: 2.0, cachedInputPerMillion: 0.025).cost(of: expected)
        #expect(abs((Double(result.header("x-triage-cost-usd") ?? "") ?? -1) - cost) < 1e-8)

        let trace = try await gateway.trace(requestID)
        #expect(trace.role == "worker")
        #expect(trace.runID == "run-42")
        #expect(trace.tier == "mid")
        #expect(trace.model == "fake-mid")
        #expect(trace.provider == "fake")
        #expect(trace.mode == "auto")
        #expect(trace.status == .ok)
        #expect(trace.usage == expected)
        #expect(abs(trace.costUSD - cost) < 1e-12)
        #expect(trace.reasons.first == "role 'worker' → mid")
        #expect(trace.attempts.map(\.outcome) == ["ok"])
        #expect(trace.latencyMs > 0)
    }

    @Test func roleAndRunFromBodyMetadataAreStrippedBeforeForwarding() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(extra: #","metadata":{"role":"planner","run":"r-7"}"#))
        #expect(result.header("x-triage-tier") == "frontier")
        let sent = try #require(gateway.upstream.requests.last)
        #expect(sent.json?["metadata"] == nil)
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.runID == "r-7")
    }

    @Test(arguments: [
        ("triage/small", "fake-small-a", "small"),
        ("triage/mid", "fake-mid", "mid"),
        ("triage/frontier", "fake-frontier", "frontier"),
        ("fake-small-b", "fake-small-b", "small"),
    ])
    func forcedTiersAndConcreteModels(model: String, served: String, tier: String) async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(model: model), headers: ["X-Triage-Role": "planner"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == served)
        #expect(result.header("x-triage-tier") == tier)
    }

    @Test func unknownRoleUsesDefaultTier() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "juggler"])
        #expect(result.header("x-triage-tier") == "mid")
    }

    @Test func pinsOverrideTheModelField() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(model: "triage/small"), headers: ["X-Triage-Role": "legal"])
        #expect(result.header("x-triage-model") == "fake-frontier")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.mode == "pinned")
    }

    @Test func pinsByClientKey() async throws {
        let gateway = try await GatewayHarness.start { config in
            config.clientKeys = [.init(name: "team-legal", sha256Hex: ClientKeyDigest.of("sk-client-1"))]
            config.policy.pins.append(.init(match: .key("team-legal"), model: "fake-small-b"))
        }
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(model: "triage/frontier"), headers: ["Authorization": "Bearer sk-client-1"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-model") == "fake-small-b")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.keyName == "team-legal")
    }

    @Test func modelsAndHealthEndpoints() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let models = try await gateway.get("/v1/models")
        #expect(models.status == 200)
        let ids = models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids == ["triage/auto", "triage/small", "triage/mid", "triage/frontier", "fake-small-a", "fake-small-b", "fake-mid", "fake-frontier"])
        #expect(models.json?["object"] == "list")
        let health = try await gateway.get("/health")
        #expect(health.status == 200)
        #expect(health.json?["status"] == "ok")
    }
}
