/// A per-model circuit breaker as a plain state machine: it is told what happened and the time,
/// and answers whether a call may go out. No clocks or locks inside, so every transition is
/// tested without sockets.
///
/// closed --(threshold consecutive failures)--> open --(cool-down over)--> half-open (one probe)
/// half-open --(probe succeeds)--> closed; half-open --(probe fails)--> open.
/// A 429 with `retry-after` opens the circuit for that long at once.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    public struct Configuration: Sendable, Equatable {
        public var failureThreshold: Int
        public var coolDown: Duration

        public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
            self.failureThreshold = max(1, failureThreshold)
            self.coolDown = coolDown
        }
    }

    public private(set) var state: State = .closed(consecutiveFailures: 0)
    public let configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Whether a call may be sent now. In half-open state only one probe is let through; the
    /// caller must report its outcome.
    public mutating func acquire(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probeInFlight):
            if probeInFlight { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// Whether the model should be offered to the selector now (without taking a probe slot).
    public func isAvailable(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen(let probeInFlight): !probeInFlight
        }
    }

    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    /// A failure that counts against the model: connect error, timeout, 5xx.
    public mutating func recordFailure(now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            let count = failures + 1
            state = count >= configuration.failureThreshold ? .open(until: now + configuration.coolDown) : .closed(consecutiveFailures: count)
        case .halfOpen:
            state = .open(until: now + configuration.coolDown)
        case .open(let until):
            state = .open(until: max(until, now + configuration.coolDown))
        }
    }

    /// The provider asked us to back off (429): no calls until `retryAfter` has passed.
    public mutating func recordRateLimit(now: ContinuousClock.Instant, retryAfter: Duration?) {
        guard let retryAfter, retryAfter > .zero else {
            recordFailure(now: now)
            return
        }
        switch state {
        case .open(let until): state = .open(until: max(until, now + retryAfter))
        default: state = .open(until: now + retryAfter)
        }
    }

    /// A call that was let through ended without telling us anything about the model (the
    /// client went away); free the probe slot.
    public mutating func recordAbandoned() {
        if case .halfOpen = state { state = .halfOpen(probeInFlight: false) }
    }
}
