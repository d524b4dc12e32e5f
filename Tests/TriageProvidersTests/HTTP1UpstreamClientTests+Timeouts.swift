import NIOCore
import Testing
import TriageFakeUpstream

@testable import TriageProviders

/// Head and read timeouts, cancellation and back-pressure of `HTTP1UpstreamClient`.
extension HTTP1UpstreamClientTests {
    @Test func headTimeoutIsTimedOutAndClosesTheConnection() async throws {
        try await Self.withFake { fake, url in
            fake.enqueue(.slowFirstByte(seconds: 3, then: .text("late")), forModel: "gpt-test")
            let client = Self.makeClient()
            let started = ContinuousClock.now
            await #expect(throws: UpstreamTransportError.timedOut) {
                _ = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(), headTimeout: .milliseconds(200))
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            await client.shutdown()
        }
        try await Self.withServer { server in
            let client = Self.makeClient()
            await #expect(throws: UpstreamTransportError.timedOut) {
                _ = try await client.execute(method: .GET, url: Self.url(server, "/hang"), headers: [:], body: ByteBuffer(), headTimeout: .milliseconds(100))
            }
            #expect(await Self.eventually { server.openConnections == 0 })
            await client.shutdown()
        }
    }

    @Test func cancellationWhileWaitingForTheHead() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let call = Task {
                try await client.execute(method: .GET, url: Self.url(server, "/hang"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(10))
            }
            #expect(await Self.eventually { server.requests == 1 })
            call.cancel()
            await #expect(throws: UpstreamTransportError.cancelled) { _ = try await call.value }
            #expect(await Self.eventually { server.openConnections == 0 })
            await client.shutdown()
        }
    }

    @Test func cancellationMidBodyClosesTheConnectionAndSparesThePool() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let (firstPart, parts) = AsyncStream.makeStream(of: Void.self)
            let consumer = Task {
                let response = try await client.execute(method: .GET, url: Self.url(server, "/long-stream"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
                var received = 0
                for try await _ in response.body {
                    received += 1
                    if received == 1 { parts.yield() }
                }
                return received
            }
            for await _ in firstPart { break }
            consumer.cancel()
            await #expect(throws: CancellationError.self) { _ = try await consumer.value }
            #expect(await Self.eventually { server.openConnections == 0 })
            let (response, body) = try await Self.get(client, Self.url(server, "/json"))
            #expect(response.status == 200 && body == LoopbackHTTPServer.jsonBody)
            #expect(client.connectionsOpened == 2)
            await client.shutdown()
        }
    }

    @Test func droppingTheBodyClosesTheConnection() async throws {
        try await Self.withFake { fake, url in
            // Chunks 500 ms apart: the body is dropped long before the stream could end, even on a
            // loaded machine (at 100 ms, a CI run once saw the whole stream arrive first).
            fake.enqueue(.slowStream(chunks: ["a", "b", "c", "d", "e", "f"], delayMilliseconds: 500), forModel: "gpt-test")
            let client = Self.makeClient()
            do {
                let response = try await client.execute(url: url, headers: Self.chatHeaders, body: Self.chat(stream: true), headTimeout: .seconds(5))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
            }
            #expect(await Self.eventually { fake.cancelledStreams == 1 })
            try await Self.expectChatAnswered(client, url)
            await client.shutdown()
        }
    }

    @Test func slowConsumerHoldsSocketReads() async throws {
        try await Self.withServer { server in
            let client = Self.makeClient()
            let response = try await client.execute(method: .GET, url: Self.url(server, "/firehose"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .milliseconds(300))
            // 64 MiB were offered; the client stopped reading, so the socket buffers filled up.
            let sent = server.firehoseBytes
            #expect(sent < 24 << 20)
            var total = 0
            while let part = try await iterator.next() { total += part.readableBytes }
            #expect(total > 0)
            #expect(server.firehoseBytes == 64 << 20)
            await client.shutdown()
        }
    }

    @Test func stalledBodyTimesOut() async throws {
        try await Self.withServer { server in
            let client = HTTP1UpstreamClient(
                maxIdleConnectionsPerHost: 4, connectTimeout: .seconds(2), idleTimeout: .seconds(30), readIdleTimeout: .milliseconds(200))
            let response = try await client.execute(method: .GET, url: Self.url(server, "/stall"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
            var iterator = response.body.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first.map { String(buffer: $0) } == "data: part 0\n\n")
            let started = ContinuousClock.now
            await #expect(throws: UpstreamTransportError.timedOut) { _ = try await iterator.next() }
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(await Self.eventually { server.openConnections == 0 })
            await client.shutdown()
        }
    }

    @Test func slowStreamWithinTheReadTimeoutCompletes() async throws {
        try await Self.withServer { server in
            let client = HTTP1UpstreamClient(
                maxIdleConnectionsPerHost: 4, connectTimeout: .seconds(2), idleTimeout: .seconds(30), readIdleTimeout: .seconds(2))
            let response = try await client.execute(method: .GET, url: Self.url(server, "/stream"), headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
            var parts = 0
            for try await part in response.body {
                parts += String(buffer: part).components(separatedBy: "\n\n").count - 1
                // A consumer slower than the read timeout is not a stalled server: the parts
                // sent meanwhile fill the buffer, reads are held, and the wait is not counted.
                // (The timeout is 2 s, not less, so that a loaded machine's scheduling delays
                // between the server's parts, 20 ms apart, do not reach it.)
                if parts == 1 { try await Task.sleep(for: .milliseconds(3000)) }
            }
            #expect(parts == LoopbackHTTPServer.streamParts)
            await client.shutdown()
        }
    }
}
