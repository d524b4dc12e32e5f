import NIOCore
import NIOHTTP1

/// A provider's response: its status and headers, and the body still streaming from the socket.
///
/// The body must be consumed (or dropped) by the caller. The connection goes back to the pool
/// only once the response has ended cleanly; dropping the body before its end closes the connection.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: UpstreamResponseBody

    public init(status: Int, headers: HTTPHeaders, body: UpstreamResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response body: the parts as they arrive from the socket, read no faster than they are
/// consumed (back-pressure). Iterate it once.
///
/// Iteration throws `UpstreamTransportError` when the connection fails or closes before the
/// end of the body, and `CancellationError` when the iterating task is cancelled (which also
/// closes the connection).
public struct UpstreamResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, HTTP1BodyDelegate
    >

    enum Storage: Sendable {
        case stream(Producer)
        case bytes(ByteBuffer)
    }

    let storage: Storage

    init(stream: Producer) {
        storage = .stream(stream)
    }

    /// A body that is already complete (for tests and stand-ins); empty buffers yield nothing.
    public init(bytes: ByteBuffer) {
        storage = .bytes(bytes)
    }

    /// An empty body.
    public static var empty: UpstreamResponseBody { UpstreamResponseBody(bytes: ByteBuffer()) }

    /// Iterates the parts of the body.
    public struct AsyncIterator: AsyncIteratorProtocol {
        enum State {
            case stream(Producer.AsyncIterator)
            case bytes(ByteBuffer?)
        }

        var state: State

        public mutating func next() async throws -> ByteBuffer? {
            switch state {
            case .stream(let iterator):
                // A cancelled consumer stops here even when parts are already buffered, and a
                // stream the cancellation ended is not mistaken for a complete body.
                try Task.checkCancellation()
                let part = try await iterator.next()
                if part == nil { try Task.checkCancellation() }
                return part
            case .bytes(let buffer):
                state = .bytes(nil)
                guard let buffer, buffer.readableBytes > 0 else { return nil }
                return buffer
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch storage {
        case .stream(let producer): AsyncIterator(state: .stream(producer.makeAsyncIterator()))
        case .bytes(let buffer): AsyncIterator(state: .bytes(buffer))
        }
    }

    /// Reads the whole body into one buffer; throws `UpstreamBodyTooLargeError` (and closes the
    /// connection) as soon as more than `maxBytes` bytes arrive.
    public func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        var iterator = makeAsyncIterator()
        guard var collected = try await iterator.next() else { return ByteBuffer() }
        guard collected.readableBytes <= maxBytes else { throw UpstreamBodyTooLargeError(maxBytes: maxBytes) }
        while var part = try await iterator.next() {
            guard collected.readableBytes + part.readableBytes <= maxBytes else {
                throw UpstreamBodyTooLargeError(maxBytes: maxBytes)
            }
            collected.writeBuffer(&part)
        }
        return collected
    }
}

/// A body was larger than the limit given to `UpstreamResponseBody.collect(upTo:)`.
public struct UpstreamBodyTooLargeError: Error, Sendable, Equatable {
    public var maxBytes: Int

    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }
}
