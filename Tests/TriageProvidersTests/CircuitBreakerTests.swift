import Foundation
import Testing
import TriageProviders

@Suite struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    @Test func opensAfterConsecutiveFailuresAndProbesAfterCoolDown() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 3, coolDown: .seconds(10)))
        for _ in 0..<2 { breaker.recordFailure(now: t0) }
        do { let allowed = breaker.acquire(now: t0); #expect(allowed) }
        breaker.recordFailure(now: t0)
        #expect(breaker.state == .open(until: t0 + .seconds(10)))
        do { let allowed = breaker.acquire(now: t0 + .seconds(5)); #expect(!allowed) }
        #expect(!breaker.isAvailable(now: t0 + .seconds(5)))
        // Cool-down over: exactly one probe gets through.
        do { let allowed = breaker.acquire(now: t0 + .seconds(10)); #expect(allowed) }
        do { let allowed = breaker.acquire(now: t0 + .seconds(10)); #expect(!allowed) }
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func failedProbeReopens() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 1, coolDown: .seconds(10)))
        breaker.recordFailure(now: t0)
        do { let allowed = breaker.acquire(now: t0 + .seconds(11)); #expect(allowed) }
        breaker.recordFailure(now: t0 + .seconds(11))
        #expect(breaker.state == .open(until: t0 + .seconds(21)))
    }

    @Test func successResetsTheCount() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 2))
        breaker.recordFailure(now: t0)
        breaker.recordSuccess()
        breaker.recordFailure(now: t0)
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test func rateLimitOpensForRetryAfter() {
        var breaker = CircuitBreaker()
        breaker.recordRateLimit(now: t0, retryAfter: .seconds(2))
        #expect(!breaker.isAvailable(now: t0 + .seconds(1)))
        #expect(breaker.isAvailable(now: t0 + .seconds(2)))
    }

    @Test func abandonedProbeFreesTheSlot() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 1, coolDown: .seconds(1)))
        breaker.recordFailure(now: t0)
        do { let allowed = breaker.acquire(now: t0 + .seconds(2)); #expect(allowed) }
        breaker.recordAbandoned()
        do { let allowed = breaker.acquire(now: t0 + .seconds(2)); #expect(allowed) }
    }
}

@Suite struct FailoverPlanTests {
    @Test func triesEachCandidateThenStops() {
        var plan = FailoverPlan(candidateCount: 3, maxAttempts: 5)
        #expect(plan.start() == .attempt(candidate: 0))
        #expect(plan.record(.retryable(reason: "500", status: 500, retryAfter: nil), candidate: 0) == .attempt(candidate: 1))
        #expect(plan.record(.retryable(reason: "timeout", status: nil, retryAfter: nil), candidate: 1) == .attempt(candidate: 2))
        #expect(plan.record(.retryable(reason: "500", status: 500, retryAfter: nil), candidate: 2) == .stop)
    }

    @Test func rejectedAndSucceededStop() {
        var plan = FailoverPlan(candidateCount: 3)
        _ = plan.start()
        #expect(plan.record(.rejected(status: 400), candidate: 0) == .stop)
        var other = FailoverPlan(candidateCount: 3)
        _ = other.start()
        #expect(other.record(.succeeded, candidate: 0) == .stop)
    }

    @Test func honoursMaxAttempts() {
        var plan = FailoverPlan(candidateCount: 10, maxAttempts: 2)
        _ = plan.start()
        _ = plan.record(.retryable(reason: "", status: 500, retryAfter: nil), candidate: 0)
        #expect(plan.record(.retryable(reason: "", status: 500, retryAfter: nil), candidate: 1) == .stop)
    }

    @Test func waitsOutAShortRetryAfterOnTheLastCandidateOnce() {
        var plan = FailoverPlan(candidateCount: 1, maxAttempts: 4, maxRetryWait: .seconds(2))
        #expect(plan.start() == .attempt(candidate: 0))
        #expect(plan.record(.retryable(reason: "429", status: 429, retryAfter: .seconds(1)), candidate: 0) == .wait(.seconds(1), thenAttempt: 0))
        #expect(plan.record(.retryable(reason: "429", status: 429, retryAfter: .seconds(1)), candidate: 0) == .stop)
        var long = FailoverPlan(candidateCount: 1, maxRetryWait: .seconds(2))
        _ = long.start()
        #expect(long.record(.retryable(reason: "429", status: 429, retryAfter: .seconds(30)), candidate: 0) == .stop)
    }

    @Test func skippedCandidatesDoNotCountAsAttempts() {
        var plan = FailoverPlan(candidateCount: 2, maxAttempts: 1)
        #expect(plan.start() == .attempt(candidate: 0))
        #expect(plan.skip() == .attempt(candidate: 1))
    }
}

@Suite struct RetryAfterTests {
    @Test func parsesAllForms() {
        #expect(RetryAfter.duration(retryAfterMs: "1500", retryAfter: "9") == .milliseconds(1500))
        #expect(RetryAfter.duration(retryAfterMs: nil, retryAfter: "3") == .seconds(3))
        #expect(RetryAfter.duration(retryAfterMs: nil, retryAfter: "garbage") == nil)
        #expect(RetryAfter.duration(retryAfterMs: nil, retryAfter: nil) == nil)
        #expect(Duration.milliseconds(1500).wholeSecondsRoundedUp == 2)
    }
}
