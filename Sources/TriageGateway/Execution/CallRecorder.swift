import Foundation
import Synchronization
import TriageCore
import TriageRouting
import TriageStore

/// Collects what happens during one call and turns it into a `TraceRecord` at the end.
struct CallRecorder: Sendable {
    let requestID: String
    let startedAt: Date
    let started: ContinuousClock.Instant
    let endpoint: String
    var requestedModel = ""
    var role: String?
    var runID: String?
    var keyName: String?
    var stream = false
    var decision: RouteDecision?
    var attempts: [AttemptRecord] = []
    var servedBy: ModelSpec?
    var firstByte: ContinuousClock.Instant?

    init(endpoint: String) {
        self.requestID = Self.newRequestID()
        self.startedAt = Date()
        self.started = .now
        self.endpoint = endpoint
    }

    /// Request ids sort by time (milliseconds, then a per-process counter) and end in a
    /// per-process random part, so they are unique across replicas and the trace index grows at
    /// its end instead of at random pages.
    static func newRequestID() -> String {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let sequence = requestSequence.add(1, ordering: .relaxed).newValue & 0xFFFF_FFFF
        return "req_" + hex(milliseconds, width: 12) + hex(sequence, width: 8) + processSuffix
    }

    private static let requestSequence = Atomic<UInt64>(0)
    private static let processSuffix: String = {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next() as UInt64, width: 16)
    }()

    private static func hex(_ value: UInt64, width: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }


    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    mutating func addAttempt(_ model: ModelSpec, outcome: String, status: Int? = nil, since start: ContinuousClock.Instant, detail: String? = nil) {
        attempts.append(
            AttemptRecord(
                model: model.name, provider: model.provider, outcome: outcome, status: status,
                latencyMs: Self.milliseconds(.now - start), detail: detail))
    }

    func trace(status: TraceStatus, httpStatus: Int, usage: Usage = .zero, error: String? = nil) -> TraceRecord {
        let model = servedBy ?? attempts.last.flatMap { attempt in decision?.candidates.first { $0.model.name == attempt.model }?.model }
        let cost = servedBy.map { $0.price.cost(of: usage) } ?? 0
        return TraceRecord(
            requestID: requestID, runID: runID, startedAt: startedAt, endpoint: endpoint, role: role, keyName: keyName,
            requestedModel: requestedModel, mode: decision?.mode.rawValue ?? "none", tier: decision?.tier.rawValue,
            lane: decision?.lane.rawValue, skill: decision?.skill, model: model?.name, provider: model?.provider, stream: stream,
            status: status, httpStatus: httpStatus, usage: usage, costUSD: cost, latencyMs: Self.milliseconds(.now - started),
            timeToFirstTokenMs: firstByte.map { Self.milliseconds($0 - started) }, reasons: decision?.reasons ?? [],
            attempts: attempts, error: error)
    }
}
