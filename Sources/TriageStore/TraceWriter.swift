import Logging
import ServiceLifecycle
import Synchronization

/// Writes traces to a `TraceStore` in batches, off the request path. Requests hand traces over
/// with `record(_:)`; a full buffer makes them wait (backpressure, counted) instead of dropping
/// anything. On graceful shutdown the buffer is drained before `run()` returns, so a SIGTERM
/// loses no trace.
public final class TraceWriter: Service {
    private struct State {
        var buffer: [TraceRecord] = []
        /// Producers waiting for room, with the trace each one brought.
        var waiting: [(TraceRecord, CheckedContinuation<Void, Never>)] = []
        var stopped = false
        var backpressureEvents = 0
        var writeFailures = 0
        /// Batches taken from the buffer whose insert has not finished yet.
        var inFlight: [Int: [TraceRecord]] = [:]
        var nextBatchID = 0
    }

    private let store: any TraceStore
    private let batchSize: Int
    private let capacity: Int
    private let flushInterval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    public init(store: any TraceStore, batchSize: Int = 256, capacity: Int = 16_384, flushInterval: Duration = .milliseconds(100), logger: Logger) {
        self.store = store
        self.batchSize = max(1, batchSize)
        self.capacity = max(1, capacity)
        self.flushInterval = flushInterval
        self.logger = logger
    }

    /// Hands a trace over for writing. Returns at once unless the buffer is full.
    public func record(_ trace: TraceRecord) async {
        enum Admission { case buffered, wait, writeNow }
        let admission: Admission = state.withLock { state in
            if state.stopped { return .writeNow }
            if state.buffer.count < capacity {
                state.buffer.append(trace)
                return .buffered
            }
            state.backpressureEvents += 1
            return .wait
        }
        switch admission {
        case .buffered: return
        case .writeNow:
            // The writer has finished; write directly rather than lose the trace.
            do { try await insertShielded([trace]) } catch { logger.error("trace write failed after shutdown", metadata: ["error": "\(error)"]) }
        case .wait:
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = state.withLock { state in
                    if state.stopped || state.buffer.count < capacity {
                        state.buffer.append(trace)
                        return true
                    }
                    state.waiting.append((trace, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Traces buffered and not yet written (including those of waiting producers).
    public var queueDepth: Int {
        state.withLock { $0.buffer.count + $0.waiting.count }
    }

    /// Whether a trace of this request (or of this run) is recorded but not written yet.
    public func isPending(requestID: String? = nil, runID: String? = nil) -> Bool {
        func matches(_ trace: TraceRecord) -> Bool {
            (requestID != nil && trace.requestID == requestID) || (requestID == nil && runID != nil && trace.runID == runID)
        }
        return state.withLock { state in
            state.buffer.contains(where: matches) || state.waiting.contains { matches($0.0) }
                || state.inFlight.values.contains { $0.contains(where: matches) }
        }
    }

    /// How often a producer had to wait for room.
    public var backpressureEvents: Int {
        state.withLock { $0.backpressureEvents }
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            // A graceful shutdown interrupts the wait so the drain starts at once.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.flushInterval) }
            await flush()
        }
        await flush()
        // Anything recorded from here on is written directly by `record(_:)`.
        let late: [TraceRecord] = state.withLock { state in
            state.stopped = true
            let waiting = state.waiting
            state.waiting = []
            for (_, continuation) in waiting { continuation.resume() }
            defer { state.buffer = [] }
            return state.buffer + waiting.map(\.0)
        }
        if !late.isEmpty { try? await insertShielded(late) }
        logger.debug("trace writer drained")
    }

    /// Writes everything buffered now, in batches.
    public func flush() async {
        while true {
            let (batchID, batch): (Int, [TraceRecord]) = state.withLock { state in
                let count = min(batchSize, state.buffer.count)
                guard count > 0 else { return (0, []) }
                let batch = Array(state.buffer.prefix(count))
                state.buffer.removeFirst(count)
                state.nextBatchID += 1
                state.inFlight[state.nextBatchID] = batch
                // Admit waiting producers into the room just made.
                while state.buffer.count < capacity, !state.waiting.isEmpty {
                    let (trace, continuation) = state.waiting.removeFirst()
                    state.buffer.append(trace)
                    continuation.resume()
                }
                return (state.nextBatchID, batch)
            }
            guard !batch.isEmpty else { return }
            await write(batch)
            _ = state.withLock { $0.inFlight.removeValue(forKey: batchID) }
        }
    }

    /// Inserts in a task of its own: a writer that is being cancelled (a non-graceful stop, or a
    /// caller whose client went away) must still get its traces into the store, and the
    /// database layer refuses work from a cancelled task.
    private func insertShielded(_ batch: [TraceRecord]) async throws {
        let store = self.store
        try await Task { try await store.insert(batch) }.value
    }

    private func write(_ batch: [TraceRecord]) async {
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await insertShielded(batch)
                return
            } catch {
                let failures = state.withLock { state in
                    state.writeFailures += 1
                    return state.writeFailures
                }
                logger.error("trace batch write failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                if failures > 50 && Task.isCancelled {
                    logger.critical("giving up on a trace batch after repeated failures", metadata: ["traces": "\(batch.count)"])
                    return
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
