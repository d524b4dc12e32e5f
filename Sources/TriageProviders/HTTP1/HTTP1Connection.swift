import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One keep-alive connection to a provider host: its channel and the handler running its
/// exchanges. Created by `connect`, lent out by `HTTP1ConnectionPool`.
final class HTTP1Connection: Sendable {
    let channel: any Channel
    let key: HTTP1PoolKey
    let pool: HTTP1ConnectionPool
    private let handler: NIOLoopBound<HTTP1ConnectionHandler>

    var eventLoop: any EventLoop { channel.eventLoop }

    private init(channel: any Channel, key: HTTP1PoolKey, pool: HTTP1ConnectionPool, handler: HTTP1ConnectionHandler) {
        self.channel = channel
        self.key = key
        self.pool = pool
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
    }

    /// Opens a connection to `url`'s host on `eventLoop`: TCP (and TLS with SNI when `https`),
    /// then the HTTP/1.1 codec and the exchange handler.
    static func connect(
        to url: UpstreamURL, on eventLoop: any EventLoop, tls: NIOSSLContext?, connectTimeout: TimeAmount, readIdleTimeout: TimeAmount?,
        pool: HTTP1ConnectionPool
    ) -> EventLoopFuture<HTTP1Connection> {
        let serverHostname = url.hostIsIPAddress ? nil : url.host
        let key = url.poolKey
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1ConnectionHandler(readIdleTimeout: readIdleTimeout))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: url.host, port: url.port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: HTTP1ConnectionHandler.self)
                let connection = HTTP1Connection(channel: channel, key: key, pool: pool, handler: handler)
                handler.connection = connection
                channel.closeFuture.whenComplete { _ in pool.remove(connection) }
                return connection
            }
    }

    /// Sends the request and returns the response head with its streaming body; fails with
    /// `HTTP1ExchangeError`.
    func execute(
        task: HTTP1RequestTask, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline, reused: Bool
    ) -> EventLoopFuture<HTTP1ResponseStart> {
        let promise = eventLoop.makePromise(of: HTTP1ResponseStart.self)
        if eventLoop.inEventLoop {
            handler.value.start(task: task, head: head, body: body, deadline: deadline, reused: reused, promise: promise)
        } else {
            let handler = self.handler
            eventLoop.execute {
                handler.value.start(task: task, head: head, body: body, deadline: deadline, reused: reused, promise: promise)
            }
        }
        return promise.futureResult
    }

    /// Hands an unused connection back to the pool (a lease whose caller was cancelled).
    func returnUnused() {
        onLoop { $0.becameIdle() }
    }

    func cancel(_ task: HTTP1RequestTask) {
        onLoop { $0.cancel(task) }
    }

    func produceMore(_ task: HTTP1RequestTask) {
        onLoop { $0.produceMore(task) }
    }

    func bodyTerminated(_ task: HTTP1RequestTask) {
        onLoop { $0.bodyTerminated(task) }
    }

    func close() {
        channel.close(promise: nil)
    }

    private func onLoop(_ body: @escaping @Sendable (HTTP1ConnectionHandler) -> Void) {
        let handler = self.handler
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { body(handler.value) }
        }
    }
}

/// One call of `HTTP1UpstreamClient.execute`: identifies its exchange on a connection (a late
/// signal from an earlier body never touches a later exchange) and carries its cancellation.
final class HTTP1RequestTask: Sendable {
    private struct State {
        var cancelled = false
        var connection: HTTP1Connection?
    }

    private let state = Mutex(State())
    private let finished = Atomic(false)

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Records the connection the request is about to be sent on; `false` when already cancelled.
    func attach(_ connection: HTTP1Connection) -> Bool {
        state.withLock { state in
            state.connection = connection
            return !state.cancelled
        }
    }

    /// Marks the task cancelled and tells its connection, if it has one.
    func cancel() {
        let connection = state.withLock { state in
            state.cancelled = true
            return state.connection
        }
        connection?.cancel(self)
    }

    /// The response ended: later body signals need no trip to the event loop.
    func markFinished() {
        finished.store(true, ordering: .releasing)
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }
}

/// Relays the body consumer's demand and termination to the connection's event loop.
struct HTTP1BodyDelegate: NIOAsyncSequenceProducerDelegate {
    let connection: HTTP1Connection
    let task: HTTP1RequestTask

    func produceMore() {
        if !task.isFinished { connection.produceMore(task) }
    }

    func didTerminate() {
        if !task.isFinished { connection.bodyTerminated(task) }
    }
}
