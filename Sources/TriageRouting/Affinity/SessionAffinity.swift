import Synchronization
import TriageCore

/// The model that served the earlier turns of a conversation, and how much of the next
/// prompt the provider has likely cached.
public struct StickyModel: Sendable, Hashable {
    public var model: String
    /// Input tokens expected to be read from the provider's prompt cache on the next turn.
    public var expectedCachedTokens: Int

    public init(model: String, expectedCachedTokens: Int) {
        self.model = model
        self.expectedCachedTokens = expectedCachedTokens
    }
}

/// Remembers which model serves each run or conversation, so continuation turns stay on it
/// and the provider's prompt cache stays warm. Bounded in size and age; thread-safe.
public final class SessionAffinity: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var enabled = true
        /// Forget a conversation after this long without a turn.
        public var ttlSeconds: Double = 3600
        public var maxSessions = 100_000
        /// Share of the repeated prefix expected to be served from the provider's cache.
        public var expectedCacheHitRate = 0.9

        public init(enabled: Bool = true, ttlSeconds: Double = 3600, maxSessions: Int = 100_000, expectedCacheHitRate: Double = 0.9) {
            self.enabled = enabled
            self.ttlSeconds = ttlSeconds
            self.maxSessions = maxSessions
            self.expectedCacheHitRate = expectedCacheHitRate
        }
    }

    private struct Entry {
        var session: (model: String, promptTokens: Int)
        var lastUsed: ContinuousClock.Instant
    }

    public let configuration: Configuration
    private let entries = Mutex<[String: Entry]>([:])

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The model of an ongoing conversation, unless it has expired.
    public func lookup(_ key: String, now: ContinuousClock.Instant = .now) -> StickyModel? {
        lookupEntry(key, now: now).map {
            StickyModel(model: $0.model, expectedCachedTokens: Int(Double($0.promptTokens) * configuration.expectedCacheHitRate))
        }
    }

    private func lookupEntry(_ key: String, now: ContinuousClock.Instant) -> (model: String, promptTokens: Int)? {
        guard configuration.enabled else { return nil }
        let ttl = Duration.milliseconds(Int64(configuration.ttlSeconds * 1000))
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if now - entry.lastUsed > ttl {
                entries[key] = nil
                return nil
            }
            return entry.session
        }
    }

    /// Records the model that served a turn.
    public func remember(_ key: String, model: String, promptTokens: Int, now: ContinuousClock.Instant = .now) {
        guard configuration.enabled else { return }
        let ttl = Duration.milliseconds(Int64(configuration.ttlSeconds * 1000))
        let capacity = max(1, configuration.maxSessions)
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity {
                entries = entries.filter { now - $0.value.lastUsed <= ttl }
                if entries.count >= capacity {
                    // Still full of live sessions: drop the least recently used half at once, so
                    // the cost of evicting is paid rarely.
                    let keep = entries.sorted { $0.value.lastUsed > $1.value.lastUsed }.prefix(capacity / 2)
                    entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            entries[key] = Entry(session: (model, promptTokens), lastUsed: now)
        }
    }

    public var count: Int { entries.withLock { $0.count } }

    private let escalationCounts = Mutex<[String: Int]>([:])

    /// Escalations so far in the run or conversation `key`: a feature of the next call's
    /// complexity (a run whose cheap answers keep failing is harder than it looks).
    public func escalations(for key: String) -> Int {
        guard configuration.enabled else { return 0 }
        return escalationCounts.withLock { $0[key] ?? 0 }
    }

    /// Counts an escalation in `key`. The table is bounded like the sessions: when full it
    /// starts over.
    public func noteEscalation(_ key: String) {
        guard configuration.enabled else { return }
        let capacity = max(1, configuration.maxSessions)
        escalationCounts.withLock { counts in
            if counts[key] == nil, counts.count >= capacity { counts.removeAll(keepingCapacity: true) }
            counts[key, default: 0] += 1
        }
    }
}
