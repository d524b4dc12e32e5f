import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A lean HTTP/1.1 client for calls to LLM providers, built directly on SwiftNIO.
///
/// - Keep-alive connections are pooled per (scheme, host, port) and reused last in, first out,
///   preferring the calling thread's event loop; idle ones close after `idleTimeout`, and at most
///   `maxIdleConnectionsPerHost` stay idle. A new connection opens whenever none is idle (no cap
///   on concurrent connections).
/// - A connection is reused only after its response ended cleanly with neither side asking for
///   `connection: close`; a body dropped or cancelled mid-way, or any error, closes it.
/// - A reused connection found closed before the request was written (the server closed it
///   while idle) is retried once on a fresh connection; a request already written is never sent
///   twice.
/// - `https` uses one shared `NIOSSLContext` (system trust roots, full verification unless a
///   `TLSConfiguration` is given), SNI set to the host, ALPN `http/1.1`.
/// - Errors before the response head are `UpstreamTransportError`s: refused or reset connections
///   `.connectFailed`, connect and head timeouts `.timedOut`, task cancellation `.cancelled`.
public final class HTTP1UpstreamClient: Sendable {
    let group: MultiThreadedEventLoopGroup
    let pool: HTTP1ConnectionPool
    let connectTimeout: TimeAmount
    let readIdleTimeout: TimeAmount?
    private let tlsConfiguration: TLSConfiguration
    private let sharedTLSContext = Mutex<NIOSSLContext?>(nil)
    /// Connections opened so far (for tests and metrics).
    private let opened = Atomic(0)

    /// - Parameters:
    ///   - maxIdleConnectionsPerHost: idle keep-alive connections kept per host; more are closed.
    ///   - connectTimeout: limit for TCP connection establishment (TLS is covered by the head timeout).
    ///   - idleTimeout: an idle pooled connection is closed after this long.
    ///   - readIdleTimeout: a body that receives no byte for this long fails with `.timedOut` (a
    ///     stalled stream); time during which reads are held for a slow consumer does not count.
    ///     `nil` waits forever.
    ///   - tlsConfiguration: for `https`; `nil` is the default client configuration (system trust
    ///     roots, full certificate verification) with ALPN `http/1.1`.
    public init(
        eventLoopGroup: MultiThreadedEventLoopGroup = .singleton, maxIdleConnectionsPerHost: Int, connectTimeout: TimeAmount,
        idleTimeout: TimeAmount, readIdleTimeout: TimeAmount? = .seconds(300), tlsConfiguration: TLSConfiguration? = nil
    ) {
        group = eventLoopGroup
        pool = HTTP1ConnectionPool(maxIdlePerHost: maxIdleConnectionsPerHost, idleTimeout: idleTimeout)
        self.connectTimeout = connectTimeout
        self.readIdleTimeout = readIdleTimeout
        var tls = tlsConfiguration ?? .makeClientConfiguration()
        if tls.applicationProtocols.isEmpty { tls.applicationProtocols = ["http/1.1"] }
        self.tlsConfiguration = tls
    }

    /// Sends one request and returns when the response head arrives; the body streams on.
    ///
    /// The request carries `host`, `content-length` (when there is a body or the method takes
    /// one) and `headers`. `headTimeout` counts from this call (including connecting) to the
    /// response head.
    public func execute(
        method: HTTPMethod = .POST, url: UpstreamURL, headers: HTTPHeaders, body: ByteBuffer, headTimeout: TimeAmount
    ) async throws(UpstreamTransportError) -> UpstreamResponse {
        if Task.isCancelled { throw .cancelled }
        let deadline = NIODeadline.now() + headTimeout
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.requestTarget, headers: headers)
        head.headers.replaceOrAdd(name: "host", value: url.hostHeader)
        if body.readableBytes > 0 || method == .POST || method == .PUT || method == .PATCH {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        }
        let task = HTTP1RequestTask()
        do {
            return try await withTaskCancellationHandler {
                try await self.run(task: task, url: url, head: head, body: body, deadline: deadline)
            } onCancel: {
                task.cancel()
            }
        } catch let error as UpstreamTransportError {
            throw error
        } catch {
            throw Self.transportError(for: error)
        }
    }

    private func run(task: HTTP1RequestTask, url: UpstreamURL, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline) async throws
        -> UpstreamResponse
    {
        var retried = false
        while true {
            let exchange: EventLoopFuture<HTTP1ResponseStart>
            let reused: Bool
            if !retried, let pooled = pool.lease(url.poolKey) {
                reused = true
                exchange = send(task: task, on: pooled, head: head, body: body, deadline: deadline, reused: true)
            } else {
                reused = false
                let remaining = deadline - .now()
                guard remaining > .zero else { throw UpstreamTransportError.timedOut }
                let tls = url.scheme == .https ? try tlsContext() : nil
                // The request is written from the event loop as soon as the connection is up: no
                // hop back to the caller's executor (which may be busy) while the deadline runs.
                exchange = HTTP1Connection.connect(
                    to: url, on: loopForNewConnection(), tls: tls, connectTimeout: min(connectTimeout, remaining), readIdleTimeout: readIdleTimeout, pool: pool
                ).flatMap { connection in
                    self.opened.wrappingAdd(1, ordering: .relaxed)
                    return self.send(task: task, on: connection, head: head, body: body, deadline: deadline, reused: false)
                }
            }
            do {
                let start = try await exchange.get()
                return UpstreamResponse(status: Int(start.head.status.code), headers: start.head.headers, body: UpstreamResponseBody(stream: start.body))
            } catch let error as HTTP1ExchangeError {
                // Only a pooled connection is retried, and the retry always opens a fresh one.
                if error.retryable, reused, !task.isCancelled {
                    retried = true
                    continue
                }
                throw error.error
            }
        }
    }

    /// Sends the request on `connection` unless the caller was cancelled meanwhile (then the
    /// connection goes back unused).
    private func send(
        task: HTTP1RequestTask, on connection: HTTP1Connection, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline, reused: Bool
    ) -> EventLoopFuture<HTTP1ResponseStart> {
        guard task.attach(connection) else {
            connection.returnUnused()
            return connection.channel.eventLoop.makeFailedFuture(UpstreamTransportError.cancelled)
        }
        return connection.execute(task: task, head: head, body: body, deadline: deadline, reused: reused)
    }

    /// The one TLS context of this client, made on first use.
    private func tlsContext() throws(UpstreamTransportError) -> NIOSSLContext {
        let made = sharedTLSContext.withLock { context -> NIOSSLContext? in
            if let context { return context }
            context = try? NIOSSLContext(configuration: tlsConfiguration)
            return context
        }
        guard let made else { throw .other("tls configuration") }
        return made
    }

    /// Connections opened since the client was created.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    /// The event loop a new connection is opened on: the group's loops in turn. Not the
    /// caller's loop (`group.any()`): with NIO as Swift's global executor, request tasks tend to
    /// run on one loop, and a connection's reads resume the task that reads its body on the
    /// connection's loop — so connections opened where the caller happened to run kept a whole
    /// load test on one of two cores (70 % and 20 % busy, 4 in 5 of the pass-through's
    /// requests/s); spread over the loops, both cores work.
    func loopForNewConnection() -> any EventLoop { group.next() }

    /// Idle pooled connections to `url`'s host.
    public func idleConnections(to url: UpstreamURL) -> Int { pool.idleCount(url.poolKey) }

    /// Closes the idle connections and stops pooling; connections in use close when their
    /// response ends.
    public func shutdown() async {
        let idle = pool.shutDown()
        for connection in idle { connection.close() }
        for connection in idle { try? await connection.channel.closeFuture.get() }
    }

    /// The `UpstreamTransportError` an error from NIO or NIOSSL stands for.
    static func transportError(for error: any Error) -> UpstreamTransportError {
        switch error {
        case let error as UpstreamTransportError: return error
        case let error as HTTP1ExchangeError: return error.error
        case is CancellationError: return .cancelled
        case ChannelError.connectTimeout: return .timedOut
        case let error as NIOConnectionError:
            let timedOut =
                !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy {
                    if case ChannelError.connectTimeout = $0.error { return true }
                    return false
                }
            return timedOut ? .timedOut : .connectFailed
        case is IOError, is ChannelError: return .connectFailed
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError: return .other("tls")
        case is HTTPParserError: return .other("invalid response")
        default: return .other(String(describing: type(of: error)))
        }
    }
}
