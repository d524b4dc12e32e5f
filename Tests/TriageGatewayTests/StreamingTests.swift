import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TriageCore
import TriageFakeUpstream

@Suite(.serialized) struct StreamingTests {
    @Test func relaysWithoutBufferingAndDropsTheUsageChunkNobodyAskedFor() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let gate = FakeGate()
        gateway.upstream.enqueue(.gatedStream(first: "Hello", rest: [" there", "!"], gate: gate), forModel: "fake-mid-upstream")
        let response = try await gateway.openStream(body: chatBody(stream: true))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "content-type") == "text/event-stream")
        let requestID = try #require(response.headers.first(name: "x-triage-request-id"))

        var received = ""
        var iterator = response.body.makeAsyncIterator()
        // The first content chunk arrives while the upstream is still held at the gate.
        while !received.contains("Hello"), let chunk = try await iterator.next() { received += String(buffer: chunk) }
        #expect(received.contains("Hello"))
        #expect(!received.contains("[DONE]"))
        gate.open()
        while let chunk = try await iterator.next() { received += String(buffer: chunk) }

        let data = sseData(received)
        #expect(data.last == "[DONE]")
        let chunks = data.dropLast().compactMap { try? JSONParser.parse($0) }
        let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "Hello there!")
        // The gateway asked for usage; the client did not, so no usage-only chunk reaches it.
        #expect(chunks.allSatisfy { $0["choices"]?.arrayValue?.isEmpty == false })
        #expect(gateway.upstream.requests.last?.json?["stream_options"]?["include_usage"] == true)

        let trace = try await gateway.trace(requestID)
        #expect(trace.status == .ok)
        #expect(trace.stream)
        #expect(trace.usage.inputTokens > 0)
        #expect(trace.usage.outputTokens > 0)
        #expect(trace.costUSD > 0)
        #expect(trace.timeToFirstTokenMs != nil)
    }

    @Test func keepsTheUsageChunkWhenTheClientAsks() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        let result = try await gateway.post(body: chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
        let data = sseData(result.body)
        #expect(data.last == "[DONE]")
        let usageChunk = try #require(data.dropLast().last.flatMap { try? JSONParser.parse($0) })
        #expect(usageChunk["choices"]?.arrayValue?.isEmpty == true)
        #expect((usageChunk["usage"]?["prompt_tokens"]?.intValue ?? 0) > 0)
    }

    @Test func streamCutMidwayEndsWithAnErrorEventNotDone() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.cutStream(afterChunks: 2), forModel: "fake-mid-upstream")
        let result = try await gateway.post(body: chatBody(stream: true))
        #expect(result.status == 200)
        let data = sseData(result.body)
        #expect(!data.contains("[DONE]"))
        let last = try #require(data.last.flatMap { try? JSONParser.parse($0) })
        #expect(last["error"]?["code"] == "upstream_stream_interrupted")
        let trace = try await gateway.trace(try #require(result.header("x-triage-request-id")))
        #expect(trace.status == .failed)
        #expect(trace.attempts.last?.outcome == "failed_mid_stream")
    }

    @Test func streamErrorBeforeFirstByteFailsOver() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.error(status: 502, type: "server_error", code: nil, message: "bad gateway"), forModel: "fake-small-a")
        let result = try await gateway.post(body: chatBody(model: "triage/small", stream: true))
        #expect(result.header("x-triage-model") == "fake-small-b")
        #expect(sseData(result.body).last == "[DONE]")
    }

    @Test func clientDisconnectCancelsTheUpstream() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.slowStream(chunks: Array(repeating: "tick ", count: 200), delayMilliseconds: 20), forModel: "fake-mid-upstream")
        let requestID: String
        do {
            let response = try await gateway.openStream(body: chatBody(stream: true))
            requestID = try #require(response.headers.first(name: "x-triage-request-id"))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            // Dropping the response mid-body makes the client close the connection.
        }
        var cancelled = false
        for _ in 0..<200 where !cancelled {
            try await Task.sleep(for: .milliseconds(25))
            cancelled = gateway.upstream.cancelledStreams > 0
        }
        #expect(cancelled, "the upstream stream must be cancelled when the client goes away")
        let trace = try await gateway.trace(requestID)
        #expect(trace.status == .cancelled)
    }

    @Test func streamedToolCallArgumentsPassThroughInOrder() async throws {
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        gateway.upstream.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Paris","unit":"celsius"}"#), forModel: "fake-mid-upstream")
        let result = try await gateway.post(
            body: chatBody(stream: true, extra: #","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#))
        let chunks = sseData(result.body).dropLast().compactMap { try? JSONParser.parse($0) }
        let arguments = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue }.joined()
        #expect(arguments == #"{"city":"Paris","unit":"celsius"}"#)
    }
}
