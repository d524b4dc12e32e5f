import Synchronization
import TriageRouting

/// The live circuit breakers of all models, shared by every request.
public final class HealthRegistry: ModelAvailability {
    private let breakers: Mutex<[String: CircuitBreaker]>
    private let configuration: CircuitBreaker.Configuration

    public init(configuration: CircuitBreaker.Configuration = .init()) {
        self.configuration = configuration
        self.breakers = Mutex([:])
    }

    public func isAvailable(_ model: String) -> Bool {
        let now = ContinuousClock.now
        return breakers.withLock { $0[model]?.isAvailable(now: now) ?? true }
    }

    /// Takes permission to call `model` now (a half-open probe slot, if it comes to that).
    public func acquire(_ model: String) -> Bool {
        let now = ContinuousClock.now
        return breakers.withLock { breakers in
            if breakers[model] == nil { return true }
            return breakers[model]!.acquire(now: now)
        }
    }

    public func recordSuccess(_ model: String) {
        breakers.withLock { breakers in
            if breakers[model] != nil { breakers[model]!.recordSuccess() }
        }
    }

    public func recordFailure(_ model: String) {
        let now = ContinuousClock.now
        update(model) { $0.recordFailure(now: now) }
    }

    public func recordRateLimit(_ model: String, retryAfter: Duration?) {
        let now = ContinuousClock.now
        update(model) { $0.recordRateLimit(now: now, retryAfter: retryAfter) }
    }

    public func recordAbandoned(_ model: String) {
        breakers.withLock { breakers in
            if breakers[model] != nil { breakers[model]!.recordAbandoned() }
        }
    }

    /// The breaker state of every model that has seen a failure.
    public func snapshot() -> [String: CircuitBreaker.State] {
        breakers.withLock { $0.mapValues(\.state) }
    }

    private func update(_ model: String, _ body: (inout CircuitBreaker) -> Void) {
        let configuration = self.configuration
        breakers.withLock { breakers in
            var breaker = breakers[model] ?? CircuitBreaker(configuration: configuration)
            body(&breaker)
            breakers[model] = breaker
        }
    }
}
