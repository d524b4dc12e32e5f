import Foundation
import Testing
import TriageCore
import TriageFakeUpstream

@Suite(.serialized) struct BadInputTests {
    @Test(arguments: [
        ("{not json", 400, "invalid_json"),
        (#"["an array"]"#, 400, "invalid_json"),
        (#"{"model":"triage/auto"}"#, 400, "missing_required_parameter"),
        (#"{"model":"triage/auto","messages":[]}"#, 400, "empty_array"),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, 400, "missing_required_parameter"),
        (#"{"model":"gpt-99","messages":[{"role":"user","content":"x"}]}"#, 404, "model_not_found"),
        (#"{"model":"triage/huge","messages":[{"role":"user","content":"x"}]}"#, 404, "model_not_found"),
    ])
    func invalidBodiesGetOpenAIErrors(body: String, status: Int, code: String) async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: body)
        #expect(result.status == status)
        let error = try #require(result.json?["error"])
        #expect(error["code"]?.stringValue == code)
        #expect(error["message"]?.stringValue?.isEmpty == false)
        #expect(error["type"]?.stringValue != nil)
        #expect(error.objectValue?.keys.sorted() == ["code", "message", "param", "type"])
        #expect(gateway.upstream.requests.isEmpty)
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.status == .rejected)
    }

    @Test func oversizedBodyIs413() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(content: String(repeating: "x", count: 100_000)))
        #expect(result.status == 413)
        #expect(result.json?["error"]?["code"] == "request_too_large")
    }

    @Test func wrongContentTypeIs415() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: "model=x", contentType: "application/x-www-form-urlencoded")
        #expect(result.status == 415)
        #expect(result.json?["error"]?["code"] == "unsupported_content_type")
    }

    @Test func unknownEndpointIsAJSON404() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post("/v1/nope", body: "{}")
        #expect(result.status == 404)
        #expect(result.json?["error"]?["code"] == "unknown_url")
    }

    @Test func keysAreRequiredWhenConfigured() async throws {
        let gateway = try await GatewayHarness.start { config in
            config.clientKeys = [.init(name: "team-a", sha256Hex: ClientKeyDigest.of("sk-team-a"))]
        }
        defer { Task { try? await gateway.stop() } }
        let missing = try await gateway.post(body: chatBody())
        #expect(missing.status == 401)
        #expect(missing.json?["error"]?["code"] == "missing_api_key")
        let wrong = try await gateway.post(body: chatBody(), headers: ["Authorization": "Bearer sk-wrong"])
        #expect(wrong.status == 401)
        #expect(!wrong.body.contains("sk-wrong"))
        let viaHeader = try await gateway.post(body: chatBody(), headers: ["x-api-key": "sk-team-a"])
        #expect(viaHeader.status == 200)
        // The client's key is never forwarded upstream.
        #expect(gateway.upstream.requests.last?.headers["authorization"] == "Bearer sk-upstream-secret-123")
    }
}

@Suite(.serialized) struct GracefulStopTests {
    @Test func tracesSurviveAGracefulStop() async throws {
        // A flush interval far beyond the test: only the drain on shutdown writes the traces.
        let gateway = try await GatewayHarness.start { $0.storage.traceFlushMilliseconds = 600_000 }
        let count = 40
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<count {
                group.addTask { try await gateway.post(body: chatBody(model: i.isMultiple(of: 2) ? "triage/small" : "triage/auto", stream: i.isMultiple(of: 3))).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(try await gateway.store().count() == 0)
        try await gateway.stop()
        #expect(try await gateway.store().count() == count)
    }
}
