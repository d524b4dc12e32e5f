import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import TriageConfig
import TriageCore
import TriageProviders
import TriageStore

/// Evaluates the cost and the quality alert every `interval_s` against the trace database,
/// logs every change and POSTs it to the configured webhook. Runs as a service of the gateway.
public final class AlertMonitor: Service {
    private let rules: AlertRules
    private let store: SQLiteTraceStore
    private let metrics: GatewayMetrics
    private let http: UpstreamClient
    private let logger: Logger
    private let board = Mutex(AlertBoard())

    public init(settings: AlertSettings, store: SQLiteTraceStore, metrics: GatewayMetrics, http: UpstreamClient, logger: Logger) {
        self.rules = AlertRules(settings: settings)
        self.store = store
        self.metrics = metrics
        self.http = http
        self.logger = logger
    }

    /// The alerts firing now, oldest first.
    public var active: [(name: String, since: Date, finding: AlertFinding)] { board.withLock { $0.active } }

    public func run() async throws {
        let interval = Duration.milliseconds(Int64(rules.settings.intervalSeconds * 1000))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await evaluate()
            } catch {
                logger.warning("alert evaluation failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One evaluation of both alerts; returns what changed.
    @discardableResult
    public func evaluate(now: Date = Date()) async throws -> [AlertTransition] {
        let settings = rules.settings
        let spent = try await store.spend(since: now.addingTimeInterval(-settings.cost.windowMinutes * 60))
        let qualityFrom = now.addingTimeInterval(-settings.quality.windowMinutes * 60)
        let until = now.addingTimeInterval(1)
        let tiers = try await store.successTallies(byTier: true, from: qualityFrom, to: until)
        let skills = try await store.successTallies(byTier: false, from: qualityFrom, to: until)
        let firing = Set(board.withLock { $0.firing.keys })
        let findings = [rules.cost(spentInWindow: spent)] + rules.quality(tiers: tiers, skills: skills, firing: firing)
        let transitions = board.withLock { $0.update(findings, at: now) }
        for finding in findings { metrics.setAlert(finding.name, firing: board.withLock { $0.firing[finding.name] != nil }) }
        for transition in transitions { await announce(transition, at: now) }
        return transitions
    }

    private func announce(_ transition: AlertTransition, at now: Date) async {
        let metadata: Logger.Metadata = ["alert": "\(transition.finding.name)", "state": "\(transition.state.rawValue)"]
        switch transition.state {
        case .firing: logger.warning("alert firing: \(transition.finding.message)", metadata: metadata)
        case .resolved: logger.notice("alert resolved: \(transition.finding.message)", metadata: metadata)
        }
        guard let webhook = rules.settings.webhook else { return }
        var body = JSONObject()
        body["alert"] = .string(transition.finding.name)
        body["state"] = .string(transition.state.rawValue)
        body["message"] = .string(transition.finding.message)
        body["value"] = JSONValue(transition.finding.value)
        body["threshold"] = JSONValue(transition.finding.threshold)
        body["at"] = .string(ISO8601DateFormatter().string(from: now))
        body["source"] = .string("triage")
        do {
            let response = try await http.post(
                ByteBuffer(bytes: JSONWriter.bytes(.object(body))), to: webhook, headers: ["content-type": "application/json"], timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 << 10)
            if !(200..<300).contains(response.status) {
                logger.warning("alert webhook answered \(response.status)", metadata: metadata)
            }
        } catch {
            // The webhook URL may carry a token: log the failure, not the URL.
            logger.warning("alert webhook unreachable", metadata: metadata.merging(["error": "\(type(of: error))"]) { $1 })
        }
    }
}
