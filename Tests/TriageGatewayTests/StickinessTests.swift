import Foundation
import Testing
import TriageCore
import TriageFakeUpstream
import TriageStore

/// Continuation turns of a run or conversation stay on the model that served the earlier turns.
@Suite(.serialized) struct StickinessTests {
    @Test func aRunStaysOnItsModelAcrossRoles() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        // First turn: no role → default tier mid.
        let first = try await gateway.post(body: chatBody(content: "Plan the work."), headers: ["X-Triage-Run": "run-sticky-1"])
        #expect(first.header("x-triage-model") == "fake-mid")
        // A later turn of the same run from a small-tier role stays on fake-mid: its cache is warm.
        let second = try await gateway.post(
            body: chatBody(content: "Now format it."), headers: ["X-Triage-Run": "run-sticky-1", "X-Triage-Role": "formatter", "X-Triage-Reasons": "1"])
        #expect(second.header("x-triage-model") == "fake-mid")
        #expect(second.header("x-triage-reasons")?.contains("sticky: conversation stays on fake-mid") == true)
        // Another run is routed on its own.
        let other = try await gateway.post(body: chatBody(content: "Format this."), headers: ["X-Triage-Run": "run-sticky-2", "X-Triage-Role": "formatter"])
        #expect(other.header("x-triage-model") == "fake-small-a")
    }

    @Test func escalationOverridesStickinessAndTheRunFollowsIt() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let headers = ["X-Triage-Run": "run-esc", "X-Triage-Role": "formatter"]
        let first = try await gateway.post(body: chatBody(content: "hi"), headers: headers)
        #expect(first.header("x-triage-model") == "fake-small-a")
        gateway.upstream.enqueue(.text("not json"), forModel: "fake-small-a")
        let second = try await gateway.post(body: chatBody(content: "json", extra: #","response_format":{"type":"json_object"}"#), headers: headers)
        #expect(second.header("x-triage-escalations") == "1")
        #expect(second.header("x-triage-model") == "fake-mid")
        let third = try await gateway.post(body: chatBody(content: "more"), headers: headers)
        #expect(third.header("x-triage-model") == "fake-mid")
    }

    @Test func theSameConversationPrefixIsSticky() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let opening = #"{"role":"system","content":"You are terse."},{"role":"user","content":"Draft a short note for the team."}"#
        let first = try await gateway.post(body: #"{"model":"triage/auto","messages":[\#(opening)]}"#)
        #expect(first.header("x-triage-model") == "fake-mid")
        let continuation = #"{"model":"triage/auto","messages":[\#(opening),{"role":"assistant","content":"Step 1…"},{"role":"user","content":"Shorter."}],"metadata":{"role":"formatter"}}"#
        let second = try await gateway.post(body: continuation)
        #expect(second.header("x-triage-model") == "fake-mid")
        // A different conversation from the same role is not affected.
        let fresh = try await gateway.post(body: #"{"model":"triage/auto","messages":[{"role":"user","content":"Other."}],"metadata":{"role":"formatter"}}"#)
        #expect(fresh.header("x-triage-model") == "fake-small-a")
    }

    @Test func stickinessCanBeTurnedOff() async throws {
        let gateway = try await GatewayHarness.start { $0.stickiness.enabled = false }
        defer { Task { try? await gateway.stop() } }
        _ = try await gateway.post(body: chatBody(content: "a"), headers: ["X-Triage-Run": "run-off"])
        let second = try await gateway.post(body: chatBody(content: "b"), headers: ["X-Triage-Run": "run-off", "X-Triage-Role": "formatter"])
        #expect(second.header("x-triage-model") == "fake-small-a")
    }
}
