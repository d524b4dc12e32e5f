import NIOCore
import NIOHTTP1

/// The last handler of an upstream connection's pipeline: runs one request/response exchange at
/// a time, streams the response body into an async sequence with back-pressure (socket reads are
/// held while the consumer is behind), enforces the head deadline, and decides whether the
/// connection can be reused. Every method runs on the channel's event loop.
final class HTTP1ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum Phase {
        case idle
        case awaitingHead
        case streamingBody
        case closed
    }

    private var phase = Phase.idle
    private var context: ChannelHandlerContext?
    /// Set once by `HTTP1Connection` right after the channel is created.
    var connection: HTTP1Connection?

    // The exchange in flight.
    private var task: HTTP1RequestTask?
    private var promise: EventLoopPromise<HTTP1ResponseStart>?
    private var source: UpstreamResponseBody.Producer.Source?
    private var headTimer: Scheduled<Void>?
    /// Fails a body that gets no byte for `readIdleTimeout` (reads held for the consumer excepted).
    private var readTimer: Scheduled<Void>?
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private let readIdleTimeout: TimeAmount?
    private var reused = false
    private var requestSent = false
    /// An idempotent request (GET, HEAD …) may be sent again after a reused connection closed
    /// without a byte of answer (RFC 9110 §9.2.2); a POST never is: the provider may be working
    /// on it, and billing it.
    private var idempotent = false
    private var keepAlive = true
    /// Body bytes of the current socket read, handed to the consumer as one part when the read
    /// completes: a provider that frames every SSE event as its own HTTP chunk costs the
    /// consumer one wake-up per read, not one per event.
    private var pendingBody: ByteBuffer?

    // Reads and idleness.
    private var readAllowed = true
    private var readPending = false
    private var idleTimer: Scheduled<Void>?

    init(readIdleTimeout: TimeAmount?) {
        self.readIdleTimeout = readIdleTimeout
    }

    static let backPressure = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(lowWatermark: 2, highWatermark: 16)

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Exchanges

    /// Writes `head` and `body` and completes `promise` with the response head, or fails it with
    /// an `HTTP1ExchangeError`.
    func start(
        task: HTTP1RequestTask, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline, reused: Bool,
        promise: EventLoopPromise<HTTP1ResponseStart>
    ) {
        idleTimer?.cancel()
        idleTimer = nil
        guard let context, phase == .idle, context.channel.isActive else {
            // A pooled connection that closed (or is closing) while idle: nothing was sent.
            promise.fail(HTTP1ExchangeError(error: .connectFailed, retryable: true))
            return
        }
        if task.isCancelled {
            promise.fail(HTTP1ExchangeError(error: .cancelled, retryable: false))
            context.close(promise: nil)
            return
        }
        phase = .awaitingHead
        self.task = task
        self.promise = promise
        self.reused = reused
        requestSent = false
        idempotent = [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE].contains(head.method)
        keepAlive = head.isKeepAlive
        readAllowed = true
        headTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.headTimedOut(task)
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [self] result in
            self.requestWritten(task, result)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    }

    private func requestWritten(_ task: HTTP1RequestTask, _ result: Result<Void, any Error>) {
        guard task === self.task else { return }
        switch result {
        case .success:
            requestSent = true
        case .failure(let error):
            fail(HTTP1UpstreamClient.transportError(for: error), retryable: phase == .awaitingHead && reused)
        }
    }

    private func headTimedOut(_ task: HTTP1RequestTask) {
        guard task === self.task, phase == .awaitingHead else { return }
        fail(.timedOut, retryable: false)
    }

    /// The caller's task was cancelled while waiting for the head.
    func cancel(_ task: HTTP1RequestTask) {
        guard task === self.task, phase == .awaitingHead else { return }
        fail(.cancelled, retryable: false)
    }

    /// The body's consumer wants more: resume reading if reads were held.
    func produceMore(_ task: HTTP1RequestTask) {
        guard task === self.task, phase == .streamingBody else { return }
        readAllowed = true
        if readTimer != nil { lastRead = .now() }
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// The body's consumer went away (dropped the body, finished iterating, or was cancelled).
    /// Before the end of the response that leaves the connection mid-message: close it.
    func bodyTerminated(_ task: HTTP1RequestTask) {
        guard task === self.task, phase == .streamingBody else { return }
        finishExchange(error: nil)
        phase = .closed
        context?.close(promise: nil)
    }

    /// Ends the exchange in flight: fails the head promise or finishes the body, then closes.
    private func fail(_ error: UpstreamTransportError, retryable: Bool) {
        switch phase {
        case .awaitingHead:
            let promise = self.promise
            clearExchange()
            promise?.fail(HTTP1ExchangeError(error: error, retryable: retryable))
        case .streamingBody:
            // What arrived before the failure still reaches the consumer, then the error.
            yieldPendingBody()
            finishExchange(error: error)
        case .idle, .closed:
            break
        }
        phase = .closed
        context?.close(promise: nil)
    }

    private func finishExchange(error: UpstreamTransportError?) {
        let source = self.source
        task?.markFinished()
        clearExchange()
        phase = .idle
        if let error {
            source?.finish(error)
        } else {
            source?.finish()
        }
    }

    private func clearExchange() {
        pendingBody = nil
        headTimer?.cancel()
        headTimer = nil
        readTimer?.cancel()
        readTimer = nil
        task = nil
        promise = nil
        source = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard phase == .awaitingHead, let task, let promise, let connection else {
                return unexpectedResponse(context)
            }
            headTimer?.cancel()
            headTimer = nil
            if !head.isKeepAlive { keepAlive = false }
            let made = UpstreamResponseBody.Producer.makeSequence(
                elementType: ByteBuffer.self, failureType: (any Error).self, backPressureStrategy: Self.backPressure,
                finishOnDeinit: true, delegate: HTTP1BodyDelegate(connection: connection, task: task))
            source = made.source
            self.promise = nil
            phase = .streamingBody
            if let readIdleTimeout {
                lastRead = .now()
                armReadTimer(task, at: lastRead + readIdleTimeout)
            }
            promise.succeed(HTTP1ResponseStart(head: head, body: made.sequence))
        case .body(var part):
            guard phase == .streamingBody, source != nil else { return unexpectedResponse(context) }
            if readTimer != nil { lastRead = .now() }
            if pendingBody == nil {
                pendingBody = part
            } else {
                pendingBody!.writeBuffer(&part)
            }
        case .end:
            guard phase == .streamingBody else { return unexpectedResponse(context) }
            yieldPendingBody()
            guard phase == .streamingBody else { return }
            let reusable = keepAlive && requestSent && context.channel.isActive
            let source = self.source
            task?.markFinished()
            clearExchange()
            phase = .idle
            readAllowed = true
            // Back in the pool before the consumer sees the end, so its next call reuses it.
            if reusable {
                becameIdle()
            } else {
                phase = .closed
                context.close(promise: nil)
            }
            source?.finish()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        yieldPendingBody()
        context.fireChannelReadComplete()
    }

    /// Hands the body bytes gathered during this read to the consumer.
    private func yieldPendingBody() {
        guard let part = pendingBody else { return }
        pendingBody = nil
        guard phase == .streamingBody, let source else { return }
        switch source.yield(part) {
        case .produceMore: break
        case .stopProducing: readAllowed = false
        case .dropped: bodyTerminated(task!)
        }
    }

    private func armReadTimer(_ task: HTTP1RequestTask, at deadline: NIODeadline) {
        guard let context else { return }
        readTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.readTimerFired(task)
        }
    }

    /// No byte for `readIdleTimeout`: the body fails with `.timedOut`, unless reads are held
    /// for a slow consumer (then the wait is not the server's).
    private func readTimerFired(_ task: HTTP1RequestTask) {
        readTimer = nil
        guard task === self.task, phase == .streamingBody, let readIdleTimeout else { return }
        let now = NIODeadline.now()
        if !readAllowed {
            lastRead = now
        } else if now - lastRead >= readIdleTimeout {
            return fail(.timedOut, retryable: false)
        }
        armReadTimer(task, at: lastRead + readIdleTimeout)
    }

    private func unexpectedResponse(_ context: ChannelHandlerContext) {
        fail(.other("unexpected response bytes"), retryable: false)
        phase = .closed
        context.close(promise: nil)
    }

    /// Back in the pool (or closed when the pool is full): reads continue so a close by the
    /// server is noticed, and the idle timer starts.
    func becameIdle() {
        guard phase == .idle, let context, let connection else { return }
        guard connection.pool.release(connection) else {
            phase = .closed
            context.close(promise: nil)
            return
        }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: connection.pool.idleTimeout) { [self] in
            self.idleTimedOut()
        }
        if readPending {
            readPending = false
            context.read()
        }
    }

    private func idleTimedOut() {
        idleTimer = nil
        guard phase == .idle, let context, let connection else { return }
        // Only close when still in the pool: a lease may have taken it a moment ago.
        if connection.pool.removeIfIdle(connection) {
            phase = .closed
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or an I/O error before the request was fully written on a reused connection is
        // the server having closed it while idle. Once a POST is out, the provider may be working
        // on it (and billing it): it is never sent twice, the caller fails over instead.
        let retryable = reused && phase == .awaitingHead && (!requestSent || idempotent) && !(error is HTTPParserError)
        fail(HTTP1UpstreamClient.transportError(for: error), retryable: retryable)
        phase = .closed
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        switch phase {
        case .awaitingHead:
            // Closed without a byte of answer. Before the request was out, on a reused connection,
            // the server closed it idle (safe to retry); after, the request may have been taken,
            // so only an idempotent one is sent again.
            fail(.connectFailed, retryable: reused && (!requestSent || idempotent))
        case .streamingBody:
            yieldPendingBody()
            finishExchange(error: .other("connection closed before the response ended"))
        case .idle, .closed:
            break
        }
        phase = .closed
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if readAllowed {
            context.read()
        } else {
            readPending = true
        }
    }
}

/// The response head and the body sequence handed from the event loop to the caller.
struct HTTP1ResponseStart: Sendable {
    let head: HTTPResponseHead
    let body: UpstreamResponseBody.Producer
}

/// How an exchange failed, and whether it may be retried on a fresh connection (a reused
/// connection that failed before any response byte: the server closed it while idle).
struct HTTP1ExchangeError: Error {
    let error: UpstreamTransportError
    let retryable: Bool
}
