import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP/1.1 server on a loopback port for the upstream client's tests: counts accepted
/// and open connections, can close every connection on demand, and answers by path:
///
/// Only the last path component counts (`/base/echo` is `/echo`).
/// - `/echo`: 200 JSON-ish text of the method, target, `host`, `content-length`, `x-test` and body.
/// - `/json`: 200 with `LoopbackHTTPServer.jsonBody` and `content-length`.
/// - `/close`: 200 `bye` with `connection: close`, then closes.
/// - `/eof-body`: an HTTP/1.0 answer without length whose body ends when the server closes.
/// - `/drop-on-reuse`: 200 `first` on a connection's first request; closes without answering later ones.
/// - `/hang`: never answers.
/// - `/stall`: a chunked head and one part, then nothing.
/// - `/stream`: chunked, `streamParts` parts 20 ms apart.
/// - `/long-stream`: the same, a minute long (for a client that leaves mid-body, however slow
///   the machine is).
/// - `/big`: 100,000 bytes with `content-length`.
/// - `/firehose`: chunked 16 KiB parts, 64 MiB in all, written only while the socket is writable;
///   `firehoseBytes` counts what was written.
final class LoopbackHTTPServer: Sendable {
    static let jsonBody = #"{"id":"x-1","object":"thing","value":42,"text":"héllo"}"#
    static let streamParts = 50

    private let channel: any Channel
    let port: Int
    let state = Mutex(Counters())

    struct Counters {
        var accepted = 0
        var open: [ObjectIdentifier: any Channel] = [:]
        var firehoseBytes = 0
        var requests = 0
    }

    var acceptedConnections: Int { state.withLock { $0.accepted } }
    var openConnections: Int { state.withLock { $0.open.count } }
    var firehoseBytes: Int { state.withLock { $0.firehoseBytes } }
    var requests: Int { state.withLock { $0.requests } }

    private init(channel: any Channel) {
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    static func start(tls: NIOSSLContext? = nil) async throws -> LoopbackHTTPServer {
        let box = ServerBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                do {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(LoopbackHandler(server: box.server!))
                    box.server!.opened(channel)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = LoopbackHTTPServer(channel: channel)
        box.server = server
        return server
    }

    func opened(_ channel: any Channel) {
        state.withLock {
            $0.accepted += 1
            $0.open[ObjectIdentifier(channel)] = channel
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    /// Closes every open connection (the server dropping idle keep-alive connections).
    func closeAllConnections() async {
        let channels = state.withLock { Array($0.open.values) }
        for channel in channels { try? await channel.close() }
    }

    func stop() async {
        await closeAllConnections()
        try? await channel.close()
    }
}

/// Lets the child initializer reach the server created after binding.
private final class ServerBox: @unchecked Sendable {
    var server: LoopbackHTTPServer?
}

private final class LoopbackHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: LoopbackHTTPServer
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var requestsOnConnection = 0
    var firehoseLeft = 0

    init(server: LoopbackHTTPServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            requestsOnConnection += 1
            server.state.withLock { $0.requests += 1 }
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        guard let head else { return }
        let fullPath = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let path = "/" + (fullPath.split(separator: "/").last.map(String.init) ?? "")
        switch path {
        case "/echo":
            let text = """
                method=\(head.method.rawValue) target=\(head.uri) host=\(head.headers["host"].joined(separator: ",")) \
                length=\(head.headers["content-length"].joined(separator: ",")) x-test=\(head.headers["x-test"].joined(separator: ",")) \
                body=\(String(buffer: body))
                """
            send(context, status: .ok, headers: ["content-type": "text/plain"], body: text)
        case "/json":
            send(context, status: .ok, headers: ["content-type": "application/json", "x-answer": "yes"], body: LoopbackHTTPServer.jsonBody)
        case "/close":
            send(context, status: .ok, headers: ["connection": "close"], body: "bye", close: true)
        case "/eof-body":
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_0, status: .ok, headers: ["content-type": "text/plain"]))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "until ")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "the end")))), promise: nil)
            context.close(promise: nil)
        case "/drop-on-reuse":
            if requestsOnConnection >= 2 {
                context.close(promise: nil)
            } else {
                send(context, status: .ok, headers: [:], body: "first")
            }
        case "/hang":
            break
        case "/stall":
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: part 0\n\n")))), promise: nil)
        case "/stream":
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "text/event-stream"]))), promise: nil)
            streamPart(context, index: 0, of: LoopbackHTTPServer.streamParts)
        case "/long-stream":
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "text/event-stream"]))), promise: nil)
            streamPart(context, index: 0, of: 3_000)
        case "/chunks":
            // Twenty SSE events, each its own HTTP chunk, all in one flush (one socket read).
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "text/event-stream"]))), promise: nil)
            for index in 0..<20 { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: part \(index)\n\n")))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case "/big":
            send(context, status: .ok, headers: [:], body: String(repeating: "x", count: 100_000))
        case "/firehose":
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok))), promise: nil)
            firehoseLeft = 4096
            pump(context)
        default:
            send(context, status: .notFound, headers: [:], body: "no such path")
        }
    }

    private func send(_ context: ChannelHandlerContext, status: HTTPResponseStatus, headers: HTTPHeaders, body: String, close: Bool = false) {
        var headers = headers
        let buffer = ByteBuffer(string: body)
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if close {
            done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func streamPart(_ context: ChannelHandlerContext, index: Int, of parts: Int) {
        guard context.channel.isActive else { return }
        if index == parts {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: part \(index)\n\n")))), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(20)) {
            self.streamPart(context, index: index + 1, of: parts)
        }
    }

    private func pump(_ context: ChannelHandlerContext) {
        let part = ByteBuffer(repeating: UInt8(ascii: "f"), count: 16_384)
        while firehoseLeft > 0, context.channel.isActive, context.channel.isWritable {
            firehoseLeft -= 1
            server.state.withLock { $0.firehoseBytes += part.readableBytes }
            if firehoseLeft == 0 {
                context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if firehoseLeft > 0, context.channel.isWritable { pump(context) }
        context.fireChannelWritabilityChanged()
    }
}
