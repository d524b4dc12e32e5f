import TriageCore

/// How one upstream attempt ended, before any byte reached the client.
public enum AttemptOutcome: Sendable, Equatable {
    case succeeded
    /// Connect error, timeout, 429 or 5xx: another candidate may do better.
    case retryable(reason: String, status: Int?, retryAfter: Duration?)
    /// The upstream rejected the request itself (400, 404, 422 …): another model would too.
    case rejected(status: Int)
}

/// The retry and failover loop as a state machine: given each attempt's outcome, it says which
/// candidate to try next, whether to wait first, or to stop.
public struct FailoverPlan: Sendable {
    public enum Action: Sendable, Equatable {
        case attempt(candidate: Int)
        /// Wait, then attempt the candidate again (the only one left asked us to back off briefly).
        case wait(Duration, thenAttempt: Int)
        case stop
    }

    public let candidateCount: Int
    public let maxAttempts: Int
    /// The longest `retry-after` worth waiting out inside the request.
    public let maxRetryWait: Duration
    public private(set) var attempts = 0
    private var next = 0
    private var waitedOnce = false

    public init(candidateCount: Int, maxAttempts: Int = 4, maxRetryWait: Duration = .seconds(2)) {
        self.candidateCount = candidateCount
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryWait = maxRetryWait
    }

    /// The first action, or the next one after skipping an unavailable candidate.
    public mutating func start() -> Action {
        nextCandidate()
    }

    /// The candidate at `index` was not tried (its circuit is open).
    public mutating func skip() -> Action {
        nextCandidate()
    }

    public mutating func record(_ outcome: AttemptOutcome, candidate: Int) -> Action {
        attempts += 1
        switch outcome {
        case .succeeded, .rejected:
            return .stop
        case .retryable(_, _, let retryAfter):
            if attempts >= maxAttempts { return .stop }
            if next < candidateCount { return nextCandidate() }
            if !waitedOnce, let retryAfter, retryAfter <= maxRetryWait {
                waitedOnce = true
                return .wait(retryAfter, thenAttempt: candidate)
            }
            return .stop
        }
    }

    private mutating func nextCandidate() -> Action {
        guard next < candidateCount, attempts < maxAttempts else { return .stop }
        defer { next += 1 }
        return .attempt(candidate: next)
    }
}
