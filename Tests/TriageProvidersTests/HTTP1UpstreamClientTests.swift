import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing
import TriageFakeUpstream

@testable import TriageProviders

/// The NIO HTTP/1.1 upstream client against real loopback servers: the fake OpenAI upstream for
/// the provider wire format, and `LoopbackHTTPServer` where connections must be counted or cut.
@Suite struct HTTP1UpstreamClientTests {
    static func makeClient(maxIdle: Int = 8, idleTimeout: TimeAmount = .seconds(30), tls: TLSConfiguration? = nil) -> HTTP1UpstreamClient {
        HTTP1UpstreamClient(maxIdleConnectionsPerHost: maxIdle, connectTimeout: .seconds(2), idleTimeout: idleTimeout, tlsConfiguration: tls)
    }

    static func chat(model: String = "gpt-test", stream: Bool = false) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","messages":[{"role":"user","content":"Say hello to the whole team."}],"stream":\#(stream)}"#)
    }

    static let chatHeaders: HTTPHeaders = ["content-type": "application/json", "authorization": "Bearer sk-test"]

    static func withFake(_ fake: FakeOpenAIUpstream = FakeOpenAIUpstream(), _ body: (FakeOpenAIUpstream, UpstreamURL) async throws -> Void) async throws {
        try await fake.start()
        do {
            let url = try #require(UpstreamURL(string: fake.baseURL))
            try await body(fake, url.appending(path: "/chat/completions"))
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    static func withServer(tls: NIOSSLContext? = nil, _ body: (LoopbackHTTPServer) async throws -> Void) async throws {
        let server = try await LoopbackHTTPServer.start(tls: tls)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func url(_ server: LoopbackHTTPServer, _ path: String) -> UpstreamURL {
        UpstreamURL(scheme: .http, host: "127.0.0.1", port: server.port).appending(path: path)
    }

    /// A chat call on `client` still gets a whole 200 answer (the pool was not left broken).
    static func expectChatAnswered(_ client: HTTP1UpstreamClient, _ url: UpstreamURL) async throws {
        let response = try await client.execute(url: url, headers: chatHeaders, body: chat(), headTimeout: .seconds(30))
        #expect(response.status == 200)
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    static func get(_ client: HTTP1UpstreamClient, _ url: UpstreamURL, timeout: TimeAmount = .seconds(30)) async throws -> (UpstreamResponse, String) {
        let response = try await client.execute(method: .GET, url: url, headers: [:], body: ByteBuffer(), headTimeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response, String(buffer: body))
    }

    /// Polls `condition` for up to two seconds.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    // MARK: Answers

    @Test func requestHeadAndBodyAreSentExactly() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let url = UpstreamURL(string: "http://127.0.0.1:\(server.port)/base/")!.appending(path: "/echo?q=1")
            let response = try await client.execute(url: url, headers: ["x-test": "yes"], body: ByteBuffer(string: "héllo"), headTimeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 4096))
            #expect(response.status == 200)
            #expect(body == "method=POST target=/base/echo?q=1 host=127.0.0.1:\(server.port) length=6 x-test=yes body=héllo")
            await client.shutdown()
        }
    }

    @Test func jsonAnswerHasExactStatusHeadersAndBytes() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let (response, body) = try await Self.get(client, Self.url(server, "/json"))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == ["application/json"])
            #expect(response.headers["x-answer"] == ["yes"])
            #expect(response.headers["content-length"] == [String(LoopbackHTTPServer.jsonBody.utf8.count)])
            #expect(body == LoopbackHTTPServer.jsonBody)
            await client.shutdown()
        }
    }

    @Test func fakeOpenAIChatCompletion() async throws {
        try await Self.withFake { fake, url in
            let client = Self.makeClient()
            let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
            #expect(response.status == 200)
            #expect(response.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
            #expect(response.headers.first(name: "x-request-id")?.hasPrefix("req_fake") == true)
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(body.contains(#""content":"Hello from the fake upstream.""#))
            #expect(body.contains(#""object":"chat.completion""#))
            #expect(fake.requests.first?.headers["authorization"] == "Bearer sk-test")
            await client.shutdown()
        }
    }

    @Test func sseFirstChunkArrivesBeforeTheServerFinishes() async throws {
        let gate = FakeGate()
        try await Self.withFake { fake, url in
            fake.enqueue(.gatedStream(first: "Hello", rest: [" there", " team"], gate: gate), forModel: "gpt-test")
            let client = Self.makeClient()
            let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(stream: true), headTimeout: .seconds(30))
            #expect(response.status == 200)
            #expect(response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            var iterator = response.body.makeAsyncIterator()
            var received = ""
            while !received.contains("Hello") {
                guard let part = try await iterator.next() else { break }
                received += String(buffer: part)
            }
            #expect(received.contains(#""content":"Hello""#))
            #expect(!gate.isOpen)
            #expect(!received.contains("[DONE]"))
            gate.open()
            while let part = try await iterator.next() { received += String(buffer: part) }
            #expect(received.contains(" team"))
            #expect(received.hasSuffix("data: [DONE]\n\n"))
            await client.shutdown()
        }
    }

    /// HTTP chunks that arrive in one socket read reach the consumer as one part, in order.
    @Test func chunksOfOneReadArriveAsOnePart() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let response = try await client.execute(method: .GET, url: Self.url(server, "/chunks"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(30))
            var parts: [String] = []
            for try await part in response.body { parts.append(String(buffer: part)) }
            #expect(parts.joined() == (0..<20).map { "data: part \($0)\n\n" }.joined())
            #expect(parts.count < 20)
            try await Self.expectChatAnswered(client, Self.url(server, "/json"))
            await client.shutdown()
        }
    }

    @Test func errorStatusBodiesAreReadable() async throws {
        try await Self.withFake { fake, url in
            fake.enqueue(.rateLimited(retryAfterSeconds: 3), forModel: "gpt-test")
            fake.enqueue(.serverError(status: 500), forModel: "gpt-test")
            let client = Self.makeClient()
            let limited = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == ["3"])
            #expect(String(buffer: try await limited.body.collect(upTo: 1 << 16)).contains("rate_limit_exceeded"))
            let failed = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
            #expect(failed.status == 500)
            #expect(String(buffer: try await failed.body.collect(upTo: 1 << 16)).contains("server_error"))
            #expect(client.connectionsOpened == 1)
            await client.shutdown()
        }
    }

    @Test func bodyOverTheCollectLimitThrows() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let response = try await client.execute(method: .GET, url: Self.url(server, "/big"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(30))
            await #expect(throws: UpstreamBodyTooLargeError(maxBytes: 1000)) {
                _ = try await response.body.collect(upTo: 1000)
            }
            let (again, body) = try await Self.get(client, Self.url(server, "/json"))
            #expect(again.status == 200 && body == LoopbackHTTPServer.jsonBody)
            await client.shutdown()
        }
    }

    @Test func bodyEndingAtConnectionClose() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let (response, body) = try await Self.get(client, Self.url(server, "/eof-body"))
            #expect(response.status == 200)
            #expect(body == "until the end")
            #expect(client.idleConnections(to: Self.url(server, "/")) == 0)
            await client.shutdown()
        }
    }

    @Test func streamCutMidBodyThrows() async throws {
        try await Self.withFake { fake, url in
            fake.enqueue(.cutStream(afterChunks: 2), forModel: "gpt-test")
            let client = Self.makeClient()
            let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(stream: true), headTimeout: .seconds(30))
            #expect(response.status == 200)
            await #expect(throws: UpstreamTransportError.self) {
                for try await _ in response.body {}
            }
            try await Self.expectChatAnswered(client, url)
            await client.shutdown()
        }
    }

    // MARK: Connections

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            for _ in 0..<50 {
                let (response, body) = try await Self.get(client, Self.url(server, "/json"))
                #expect(response.status == 200 && body == LoopbackHTTPServer.jsonBody)
            }
            #expect(server.acceptedConnections <= 2)
            #expect(client.connectionsOpened <= 2)
            #expect(server.requests == 50)
            await client.shutdown()
        }
        try await Self.withFake { _, url in
            let client = Self.makeClient()
            for _ in 0..<30 {
                let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
                #expect(response.status == 200)
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            #expect(client.connectionsOpened <= 2)
            await client.shutdown()
        }
    }

    @Test func connectionCloseIsNotReused() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let (_, bye) = try await Self.get(client, Self.url(server, "/close"))
            #expect(bye == "bye")
            let (_, body) = try await Self.get(client, Self.url(server, "/json"))
            #expect(body == LoopbackHTTPServer.jsonBody)
            #expect(client.connectionsOpened == 2)
            await client.shutdown()
        }
    }

    @Test func serverClosingIdleConnectionsIsSurvived() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            _ = try await Self.get(client, Self.url(server, "/json"))
            // Closed while idle, reused at once (the close may still be in flight) ...
            await server.closeAllConnections()
            let (first, _) = try await Self.get(client, Self.url(server, "/json"))
            #expect(first.status == 200)
            // ... and closed while idle, noticed by the pool before the next request.
            await server.closeAllConnections()
            #expect(await Self.eventually { client.idleConnections(to: Self.url(server, "/")) == 0 })
            let (second, body) = try await Self.get(client, Self.url(server, "/json"))
            #expect(second.status == 200 && body == LoopbackHTTPServer.jsonBody)
            await client.shutdown()
        }
    }

    /// A reused connection that the server closes after taking a POST, without an answer: the
    /// provider may be working on (and billing) it, so it is not sent again; the caller gets
    /// `.connectFailed` and fails over. An idempotent GET is sent again on a fresh connection
    /// (RFC 9110 §9.2.2). (A connection found closed before the request went out is retried
    /// whatever the method: `serverClosingIdleConnectionsIsSurvived`.)
    @Test func requestTakenWithoutAnAnswerIsNotSentTwice() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let url = Self.url(server, "/drop-on-reuse")
            let first = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
            #expect(String(buffer: try await first.body.collect(upTo: 1 << 10)) == "first")
            await #expect(throws: UpstreamTransportError.connectFailed) {
                _ = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(30))
            }
            #expect(server.acceptedConnections == 1)
            #expect(server.requests == 2)
            await client.shutdown()
        }
        try await Self.withServer { server in
            let client = Self.makeClient()
            let (_, first) = try await Self.get(client, Self.url(server, "/drop-on-reuse"))
            #expect(first == "first")
            let (_, again) = try await Self.get(client, Self.url(server, "/drop-on-reuse"))
            #expect(again == "first")
            #expect(server.acceptedConnections == 2)
            #expect(server.requests == 3)
            await client.shutdown()
        }
    }

    /// New connections go to the group's loops in turn even when every request starts on the
    /// same loop (as request tasks do when NIO is Swift's global executor).
    @Test func newConnectionsAreSpreadOverTheEventLoops() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 4)
        let client = HTTP1UpstreamClient(eventLoopGroup: group, maxIdleConnectionsPerHost: 8, connectTimeout: .seconds(2), idleTimeout: .seconds(30))
        let loops = try await group.next().submit { (0..<8).map { _ in ObjectIdentifier(client.loopForNewConnection()) } }.get()
        #expect(Set(loops).count == 4)
        await client.shutdown()
        try await group.shutdownGracefully()
    }

    @Test func idleConnectionsCloseAfterTheIdleTimeout() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient(idleTimeout: .seconds(2))  // long enough to see it pooled on a loaded machine
            _ = try await Self.get(client, Self.url(server, "/json"))
            // The connection goes back to the pool on its event loop, which may be just after
            // the answer has reached the caller.
            #expect(await Self.eventually { client.idleConnections(to: Self.url(server, "/")) == 1 })
            // Then the idle timer closes it (bounded at 10 s, for a loaded machine).
            var closed = false
            for _ in 0..<100 where !closed {
                closed = server.openConnections == 0
                if !closed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(closed)
            #expect(client.idleConnections(to: Self.url(server, "/")) == 0)
            await client.shutdown()
        }
    }

    @Test func connectRefusedIsConnectFailed() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        let client = Self.makeClient()
        await #expect(throws: UpstreamTransportError.connectFailed) {
            _ = try await client.execute(url: UpstreamURL(scheme: .http, host: "127.0.0.1", port: port), headers: [:], body: ByteBuffer(), headTimeout: .seconds(30))
        }
        await client.shutdown()
    }

    @Test func twoHundredConcurrentRequests() async throws {
        try await Self.withFake(FakeOpenAIUpstream(recordRequests: false)) { _, url in
            let client = Self.makeClient(maxIdle: 16)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .seconds(20))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return body.readableBytes > 0 ? response.status : -1
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
            #expect(client.idleConnections(to: url) <= 16)
            await client.shutdown()
        }
    }
}
