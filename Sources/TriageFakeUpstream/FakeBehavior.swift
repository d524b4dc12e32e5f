import Synchronization

/// What the fake upstream does with one request.
public indirect enum FakeBehavior: Sendable {
    /// A normal answer: a `chat.completion`, or a chunk stream when the request streams.
    case text(String)
    /// An assistant tool call (`finish_reason: "tool_calls"`); streamed arguments arrive in pieces.
    case toolCall(name: String, arguments: String)
    /// An OpenAI error body with this status, and `retry-after` when given.
    case error(status: Int, type: String, code: String?, message: String, retryAfterSeconds: Int? = nil)
    /// Wait before sending anything, then behave as `then`.
    case slowFirstByte(seconds: Double, then: FakeBehavior)
    /// Stream: send the role chunk and `afterChunks` content chunks, then drop the connection.
    case cutStream(afterChunks: Int)
    /// Stream: send `first`, wait until the test opens `gate`, then the rest, usage and `[DONE]`.
    case gatedStream(first: String, rest: [String], gate: FakeGate)
    /// Stream: send each chunk after a delay (for cancellation tests).
    case slowStream(chunks: [String], delayMilliseconds: Int)
}

/// A one-shot latch a test opens to let a gated stream continue.
public final class FakeGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if openAlready { continuation.resume() }
        }
    }
}
