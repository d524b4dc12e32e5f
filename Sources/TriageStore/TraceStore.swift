import Foundation

/// The dimension spend is grouped by.
public enum SpendDimension: String, Sendable, CaseIterable {
    case role
    case tier
    case model
}

/// One row of a spend report.
public struct SpendRow: Sendable, Equatable, Codable {
    /// The role, tier or model; "(none)" where a call had none.
    public var key: String
    public var calls: Int
    public var failedCalls: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var costUSD: Double
    public var p50LatencyMs: Double

    public init(
        key: String, calls: Int, failedCalls: Int, inputTokens: Int, outputTokens: Int, cachedInputTokens: Int, costUSD: Double,
        p50LatencyMs: Double
    ) {
        self.key = key
        self.calls = calls
        self.failedCalls = failedCalls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.costUSD = costUSD
        self.p50LatencyMs = p50LatencyMs
    }
}

/// Where traces are kept. The SQLite implementation serves one node; a PostgreSQL one serves
/// many replicas behind the same protocol.
public protocol TraceStore: Sendable {
    /// Writes a batch of traces in one transaction.
    func insert(_ traces: [TraceRecord]) async throws
    /// One trace by request id.
    func trace(requestID: String) async throws -> TraceRecord?
    /// Spend grouped by `dimension` for calls started in `[from, to)`, most expensive first.
    func spend(by dimension: SpendDimension, from: Date, to: Date) async throws -> [SpendRow]
    /// How many traces are stored.
    func count() async throws -> Int
}
