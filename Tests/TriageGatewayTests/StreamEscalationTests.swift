import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TriageCore
import TriageFakeUpstream
import TriageStore

/// Streams with validators: the cheap tier's stream is held until it validates, then replayed;
/// a failing one is discarded and the next tier streams live.
@Suite(.serialized) struct StreamEscalationTests {
    static let jsonAsk = #","response_format":{"type":"json_object"}"#

    static func content(_ body: String) -> String {
        sseData(body).dropLast().compactMap { try? JSONParser.parse($0) }
            .compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
    }

    @Test func aPassingCheapStreamIsHeldThenReplayedWhole() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text(#"{"name": "Ada", "age": 36}"#), forModel: "fake-small-a")
        let result = try await gateway.post(body: chatBody(content: "Ada", stream: true, extra: Self.jsonAsk), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("content-type") == "text/event-stream")
        #expect(result.header("x-triage-escalations") == "0")
        #expect(result.header("x-triage-validation") == "passed")
        #expect(result.header("x-triage-model") == "fake-small-a")
        #expect(Self.content(result.body) == #"{"name": "Ada", "age": 36}"#)
        let data = sseData(result.body)
        #expect(data.last == "[DONE]")
        #expect(data.filter { $0 == "[DONE]" }.count == 1)
        #expect(result.body.contains(": x-triage-cost-usd: "))
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.status == .ok)
        #expect(trace.validation == .passed)
        #expect(trace.usage.outputTokens > 0)
        #expect(trace.timeToFirstTokenMs != nil)
    }

    @Test func aFailingCheapStreamIsDiscardedAndTheNextTierStreamsLive() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.text("Here you go: name Ada"), forModel: "fake-small-a")
        let gate = FakeGate()
        gateway.upstream.enqueue(.gatedStream(first: #"{"name":"#, rest: [#" "Ada"}"#], gate: gate), forModel: "fake-mid-upstream")
        let response = try await gateway.openStream(body: chatBody(content: "Ada", stream: true, extra: Self.jsonAsk), headers: ["X-Triage-Role": "formatter"])
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "x-triage-escalations") == "1")
        #expect(response.headers.first(name: "x-triage-model") == "fake-mid")
        // The mid tier's first chunk arrives while its upstream is still held: it is live.
        var received = ""
        var iterator = response.body.makeAsyncIterator()
        while !received.contains(#"{\"name\":"#), let chunk = try await iterator.next() { received += String(buffer: chunk) }
        #expect(!received.contains("[DONE]"))
        gate.open()
        while let chunk = try await iterator.next() { received += String(buffer: chunk) }
        #expect(Self.content(received) == #"{"name": "Ada"}"#)
        #expect(!received.contains("Here you go"))
        #expect(sseData(received).filter { $0 == "[DONE]" }.count == 1)

        let requestID = try #require(response.headers.first(name: "x-triage-request-id"))
        let trace = try await gateway.trace(requestID)
        #expect(trace.escalations == 1)
        #expect(trace.validation == .passed)
        #expect(trace.attempts.map(\.outcome) == ["invalid", "ok"])
        #expect(abs(trace.costUSD - trace.attempts.compactMap(\.costUSD).reduce(0, +)) < 1e-12)
    }

    @Test func aCheapStreamThatBreaksOffWhileHeldEscalatesInsteadOfFailing() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.cutStream(afterChunks: 2), forModel: "fake-small-a")
        gateway.upstream.enqueue(.text(#"{"ok": true}"#), forModel: "fake-mid-upstream")
        let result = try await gateway.post(body: chatBody(content: "ok?", stream: true, extra: Self.jsonAsk), headers: ["X-Triage-Role": "formatter"])
        #expect(result.status == 200)
        #expect(result.header("x-triage-escalations") == "1")
        #expect(Self.content(result.body) == #"{"ok": true}"#)
        #expect(!result.body.contains("part0"))
        #expect(sseData(result.body).last == "[DONE]")
    }

    @Test func streamedToolArgumentsAreValidatedWhole() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.toolCall(name: "lookup", arguments: #"{"query": 42}"#), forModel: "fake-small-a")
        gateway.upstream.enqueue(.toolCall(name: "lookup", arguments: #"{"query": "forty-two"}"#), forModel: "fake-mid-upstream")
        let tools = #","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}}}]"#
        let result = try await gateway.post(body: chatBody(content: "look it up", stream: true, extra: tools), headers: ["X-Triage-Role": "formatter"])
        #expect(result.header("x-triage-escalations") == "1")
        let arguments = sseData(result.body).dropLast().compactMap { try? JSONParser.parse($0) }
            .compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue }.joined()
        #expect(arguments == #"{"query": "forty-two"}"#)
    }

    @Test func streamsWithoutValidatorsAreNotHeld() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let gate = FakeGate()
        gateway.upstream.enqueue(.gatedStream(first: "Hello", rest: [" world"], gate: gate), forModel: "fake-small-a")
        let response = try await gateway.openStream(body: chatBody(stream: true), headers: ["X-Triage-Role": "formatter"])
        #expect(response.headers.first(name: "x-triage-validation") == nil)
        var received = ""
        var iterator = response.body.makeAsyncIterator()
        while !received.contains("Hello"), let chunk = try await iterator.next() { received += String(buffer: chunk) }
        #expect(received.contains("Hello"))
        gate.open()
        while let chunk = try await iterator.next() { received += String(buffer: chunk) }
        #expect(sseData(received).last == "[DONE]")
    }
}
