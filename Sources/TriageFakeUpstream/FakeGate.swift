import Synchronization

/// A one-shot latch: a `gatedStream` behavior waits at it until the test calls `open()`.
/// Opening is permanent; waiting on an open gate returns at once.
public final class FakeGate: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Lets every current and future waiter through.
    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Returns when the gate opens or the waiting task is cancelled (the server shutting down),
    /// so a test that never opens its gate cannot hang the fake's `stop()`.
    func wait() async {
        let id: Int? = state.withLock { state in
            if state.isOpen { return nil }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Each continuation is removed under the lock before it is resumed, so it is resumed once.
            let continuation = state.withLock { $0.waiters.removeValue(forKey: id) }
            continuation?.resume()
        }
    }
}
