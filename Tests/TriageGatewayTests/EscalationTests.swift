import Foundation
import Testing
import TriageCore
import TriageFakeUpstream
import TriageStore
import TriageValidation

/// Cheap answers that fail a validator are re-run one tier up inside the same request.
/// `formatter` routes to the small tier (fake-small-a, the cheapest), whose answers the tests
/// script; the mid tier (fake-mid) answers correctly.
@Suite(.serialized) struct EscalationTests {
    static let small = "fake-small-a"
    static let mid = "fake-mid-upstream"

    static let personSchema = #"""
        ,"response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},"required":["name","age"],"additionalProperties":false}}}
        """#

    @Test func invalidJSONEscalatesAndTheClientGetsTheValidAnswer() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("Sure! Here is the JSON: {name: Ada"), forModel: Self.small)
        gateway.upstream.enqueue(.text(#"{"name":"Ada","age":36}"#), forModel: Self.mid)

        let result = try await gateway.post(
            body: chatBody(content: "Give me Ada as JSON.", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(result.header("x-triage-validation") == "passed")
        #expect(result.header("x-triage-model") == "fake-mid")
        #expect(firstMessage(result)?["content"]?.stringValue == #"{"name":"Ada","age":36}"#)

        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.escalations == 1)
        #expect(trace.validation == .passed)
        #expect(trace.model == "fake-mid")
        let answered = trace.attempts.filter { $0.usage != nil }
        #expect(answered.map(\.outcome) == ["invalid", "ok"])
        #expect(answered[0].checks.first { $0.validator == "json" }?.passed == false)
        #expect(answered[1].checks.allSatisfy { $0.passed })
        // The failed cheap attempt is paid for: the call's cost is the sum of both.
        let sum = answered.compactMap(\.costUSD).reduce(0, +)
        #expect(answered.allSatisfy { ($0.costUSD ?? 0) > 0 })
        #expect(abs(trace.costUSD - sum) < 1e-12)
        #expect(result.header("x-triage-cost-usd") == String(format: "%.8f", sum))
        #expect(trace.reasons.contains { $0.hasPrefix("escalated: json failed on fake-small-a → mid") })
    }

    @Test func schemaViolatingJSONEscalates() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text(#"{"name":"Ada","age":"thirty-six"}"#), forModel: Self.small)
        gateway.upstream.enqueue(.text(#"{"name":"Ada","age":36}"#), forModel: Self.mid)

        let result = try await gateway.post(body: chatBody(content: "Ada as a person.", extra: Self.personSchema), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(firstMessage(result)?["content"]?.stringValue == #"{"name":"Ada","age":36}"#)
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        let failed = try #require(trace.attempts.first { $0.outcome == "invalid" }?.checks.first { !$0.passed })
        #expect(failed.validator == "json_schema")
        #expect(failed.detail?.contains("/age") == true)
    }

    @Test func badToolArgumentsEscalate() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.toolCall(name: "get_weather", arguments: #"{"unit":"c"}"#), forModel: Self.small)
        gateway.upstream.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Paris","unit":"c"}"#), forModel: Self.mid)
        let tools = #"""
            ,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"]}}}]
            """#
        let result = try await gateway.post(body: chatBody(content: "Weather in Paris?", extra: tools), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        let call = firstMessage(result)?["tool_calls"]?.arrayValue?.first?["function"]
        #expect(call?["arguments"]?.stringValue == #"{"city":"Paris","unit":"c"}"#)
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.first { $0.outcome == "invalid" }?.checks.first { !$0.passed }?.validator == "tool_arguments")
    }

    @Test func refusalEscalatesWhenAskedPerRequest() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("I'm sorry, but I can't help with that."), forModel: Self.small)
        gateway.upstream.enqueue(.text("Here is the table you asked for."), forModel: Self.mid)
        let result = try await gateway.post(
            body: chatBody(content: "Make a table."), headers: ["X-Triage-Role": "formatter", "X-Triage-Validate": "refusal"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(firstMessage(result)?["content"]?.stringValue == "Here is the table you asked for.")
    }

    @Test func lowLogProbabilitiesEscalate() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.textWithLogprob("Maybe Paris perhaps", logprob: -2.5), forModel: Self.small)
        gateway.upstream.enqueue(.textWithLogprob("Paris", logprob: -0.05), forModel: Self.mid)
        let result = try await gateway.post(
            body: chatBody(content: "Capital of France?", extra: #","logprobs":true"#),
            headers: ["X-Triage-Role": "formatter", "X-Triage-Validate": "confidence=-1.0"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(firstMessage(result)?["content"]?.stringValue == "Paris")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.first { $0.outcome == "invalid" }?.checks.first?.detail?.contains("-2.500") == true)
    }

    @Test func theMaximumIsHonouredAndTheLastAnswerIsReturnedMarkedFailed() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("not json"), forModel: Self.small)
        gateway.upstream.enqueue(.text("still not json"), forModel: Self.mid)
        gateway.upstream.enqueue(.text(#"{"ok":true}"#), forModel: "fake-frontier")
        let result = try await gateway.post(
            body: chatBody(content: "JSON please", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(result.header("x-triage-validation") == "failed: json")
        #expect(firstMessage(result)?["content"]?.stringValue == "still not json")
        #expect(!gateway.upstream.requests.contains { $0.model == "fake-frontier" })
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.validation == .failed)
        #expect(trace.status == .ok)
        #expect(trace.attempts.filter { $0.outcome == "invalid" }.count == 2)
        #expect(abs(trace.costUSD - trace.attempts.compactMap(\.costUSD).reduce(0, +)) < 1e-12)
    }

    @Test func twoEscalationsReachTheFrontierWhenConfigured() async throws {
        let gateway = try await GatewayHarness.start { $0.validation.maxEscalations = 2 }
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("nope"), forModel: Self.small)
        gateway.upstream.enqueue(.text("nope again"), forModel: Self.mid)
        gateway.upstream.enqueue(.text(#"{"ok":true}"#), forModel: "fake-frontier")
        let result = try await gateway.post(
            body: chatBody(content: "JSON please", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(result.header("x-triage-escalations") == "2")
        #expect(result.header("x-triage-model") == "fake-frontier")
        #expect(firstMessage(result)?["content"]?.stringValue == #"{"ok":true}"#)
    }

    @Test func finalFailureCanBeAnError() async throws {
        let gateway = try await GatewayHarness.start { $0.validation.onFinalFailure = .error }
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("not json"), forModel: Self.small)
        gateway.upstream.enqueue(.text("not json either"), forModel: Self.mid)
        let result = try await gateway.post(
            body: chatBody(content: "JSON please", extra: #","response_format":{"type":"json_object"}"#), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 502)
        #expect(result.json?["error"]?["code"]?.stringValue == "validation_failed")
        #expect(result.header("x-triage-escalations") == "1")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.status == .failed)
        #expect(trace.costUSD > 0)
    }

    @Test func forcedTiersAndNamedModelsAreValidatedButNotEscalated() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("not json"), forModel: Self.small)
        let result = try await gateway.post(body: chatBody(model: "triage/small", content: "JSON", extra: #","response_format":{"type":"json_object"}"#))
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "0")
        #expect(result.header("x-triage-validation") == "failed: json")
        #expect(gateway.upstream.requests.count == 1)
    }

    @Test func validatorsComeFromTheRoleAndSkillConfig() async throws {
        let gateway = try await GatewayHarness.start { config in
            config.validation.byRole["formatter"] = [.fixed(.requiredFields(["id"]))]
        }
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text(#"{"name":"x"}"#), forModel: Self.small)
        gateway.upstream.enqueue(.text(#"{"id":7}"#), forModel: Self.mid)
        let result = try await gateway.post(body: chatBody(content: "an id"), headers: ["X-Triage-Role": "formatter"])
        #expect(result.header("x-triage-escalations") == "1")
        #expect(firstMessage(result)?["content"]?.stringValue == #"{"id":7}"#)
        // `none` per request turns validation off.
        gateway.upstream.enqueue(.text(#"{"name":"x"}"#), forModel: Self.small)
        let off = try await gateway.post(body: chatBody(content: "an id"), headers: ["X-Triage-Role": "formatter", "X-Triage-Validate": "none"])
        #expect(off.header("x-triage-escalations") == "0")
        #expect(off.header("x-triage-validation") == nil)
    }

    @Test func judgeFailsAnAnswerAndItsCostCounts() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        // The judge is the cheapest small model, fake-small-a: it answers after the worker.
        gateway.upstream.enqueue(.text("A lazy answer."), forModel: Self.small)
        gateway.upstream.enqueue(.text("FAIL"), forModel: Self.small)
        gateway.upstream.enqueue(.text("A careful answer."), forModel: Self.mid)
        gateway.upstream.enqueue(.text("PASS"), forModel: Self.small)
        let result = try await gateway.post(body: chatBody(content: "Explain it."), headers: ["X-Triage-Role": "formatter", "X-Triage-Validate": "judge"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(firstMessage(result)?["content"]?.stringValue == "A careful answer.")
        let judgeRequest = try #require(gateway.upstream.requests.dropFirst().first)
        #expect(judgeRequest.json?["messages"]?.arrayValue?.last?["content"]?.stringValue?.contains("A lazy answer.") == true)
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.attempts.filter { $0.outcome == "judge" }.count == 2)
        #expect(abs(trace.costUSD - trace.attempts.compactMap(\.costUSD).reduce(0, +)) < 1e-12)
    }

    @Test func badValidatorListIsA400() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(), headers: ["X-Triage-Validate": "json,telepathy"])
        #expect(result.status == 400)
        #expect(result.json?["error"]?["code"]?.stringValue == "invalid_validator")
        #expect(result.json?["error"]?["message"]?.stringValue?.contains("telepathy") == true)
    }

    @Test func reasonsAreReturnedWhenAskedFor() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let plain = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "worker"])
        #expect(plain.header("x-triage-reasons") == nil)
        let asked = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "worker", "X-Triage-Reasons": "true"])
        let reasons = try #require(asked.header("x-triage-reasons"))
        #expect(reasons.contains("role 'worker' -> mid"))
        #expect(reasons.allSatisfy { $0.isASCII })
    }
}

/// The first choice's message of a chat completion response.
func firstMessage(_ result: HTTPResult) -> JSONValue? {
    result.json?["choices"]?.arrayValue?.first?["message"]
}
