import Foundation
import Logging
import Testing
import TriageConfig
import TriageCore
import TriageGateway
import TriageProviders
import TriageStore

@Suite("Alerts")
struct AlertTests {
    static func settings(webhook: String? = nil) -> AlertSettings {
        var settings = AlertSettings()
        settings.webhook = webhook
        settings.intervalSeconds = 0.05
        settings.cost.budgetUSDPerDay = 24  // $1/h pace
        settings.cost.windowMinutes = 60
        settings.quality.floor = 0.8
        settings.quality.minimumCalls = 3
        return settings
    }

    @Test("cost: fires above the budget's pace times the factor, not at or below it")
    func costRule() {
        var settings = Self.settings()
        let rules = AlertRules(settings: settings)
        #expect(rules.cost(spentInWindow: 0.99).firing == false)
        #expect(rules.cost(spentInWindow: 1.0).firing == false)
        let over = rules.cost(spentInWindow: 1.5)
        #expect(over.firing)
        #expect(over.value == 1.5)
        #expect(over.threshold == 1.0)
        #expect(over.message.contains("$1.5000/h"))
        settings.cost.paceFactor = 2
        settings.cost.windowMinutes = 30
        // $0.9 in 30 minutes is $1.8/h: under a pace of 2 × $1/h.
        #expect(AlertRules(settings: settings).cost(spentInWindow: 0.9).firing == false)
        #expect(AlertRules(settings: settings).cost(spentInWindow: 1.1).firing)
    }

    @Test("quality: a tier or skill below the floor fires once it has enough calls")
    func qualityRule() {
        let rules = AlertRules(settings: Self.settings())
        let findings = rules.quality(
            tiers: [SuccessTally(key: "small", calls: 10, succeeded: 7), SuccessTally(key: "mid", calls: 10, succeeded: 9), SuccessTally(key: "frontier", calls: 2, succeeded: 0)],
            skills: [SuccessTally(key: "extraction", calls: 5, succeeded: 5)])
        #expect(findings.map(\.name) == ["quality:tier:small", "quality:tier:mid", "quality:skill:extraction"])
        #expect(findings.map(\.firing) == [true, false, false])
        #expect(findings[0].message.contains("70.0% of 10"))
    }

    @Test("the board reports a change once: firing, still firing (silent), resolved")
    func transitions() {
        var board = AlertBoard()
        let start = Date(timeIntervalSince1970: 1000)
        let firing = AlertFinding(name: "cost", firing: true, message: "over", value: 2, threshold: 1)
        let calm = AlertFinding(name: "cost", firing: false, message: "fine", value: 0.5, threshold: 1)
        #expect(board.update([calm], at: start).isEmpty)
        #expect(board.update([firing], at: start).map(\.state) == [.firing])
        #expect(board.update([firing], at: start.addingTimeInterval(60)).isEmpty)
        #expect(board.active.first?.since == start)
        // Not evaluated this time (e.g. too few calls): keeps firing.
        #expect(board.update([], at: start.addingTimeInterval(120)).isEmpty)
        #expect(board.active.count == 1)
        #expect(board.update([calm], at: start.addingTimeInterval(180)).map(\.state) == [.resolved])
        #expect(board.active.isEmpty)
    }

    @Test("quality: a firing alert whose tier or skill has no calls left in the window resolves; a few calls keep it")
    func qualityResolvesWhenTrafficStops() {
        let rules = AlertRules(settings: Self.settings())
        let firing: Set<String> = ["cost", "quality:tier:small", "quality:skill:extraction", "quality:skill:planning"]
        let findings = rules.quality(
            tiers: [SuccessTally(key: "mid", calls: 10, succeeded: 10)], skills: [SuccessTally(key: "planning", calls: 2, succeeded: 0)], firing: firing)
        #expect(findings.map(\.name) == ["quality:tier:mid", "quality:tier:small", "quality:skill:extraction"])
        #expect(findings.map(\.firing) == [false, false, false])
        #expect(findings[1].message == "tier small: no auto-routed calls over the last 60 min")
        var board = AlertBoard()
        let start = Date(timeIntervalSince1970: 1000)
        _ = board.update([AlertFinding(name: "quality:tier:small", firing: true, message: "low", value: 0.5, threshold: 0.8)], at: start)
        #expect(board.update(findings, at: start.addingTimeInterval(3600)).map(\.state) == [.resolved])
        #expect(board.active.isEmpty)
    }

    @Test("the monitor resolves a tier's quality alert once its calls have left the window")
    func monitorResolvesWhenTrafficStops() async throws {
        let store = try SQLiteTraceStore(path: temporaryDatabasePath())
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try await store.insert((0..<3).map { index in
            TraceRecord(
                requestID: "req-\(index)", startedAt: start.addingTimeInterval(Double(index)), endpoint: "/v1/chat/completions",
                requestedModel: "triage/auto", mode: "auto", tier: "small", model: "fake-small-a", provider: "fake", status: .failed, httpStatus: 502,
                latencyMs: 10, routedTier: "small")
        })
        let metrics = GatewayMetrics(knownRoles: [])
        var logger = Logger(label: "alerts-test")
        logger.logLevel = .critical
        let monitor = AlertMonitor(settings: Self.settings(), store: store, metrics: metrics, http: UpstreamClient(), logger: logger)
        let fired = try await monitor.evaluate(now: start.addingTimeInterval(60))
        #expect(fired.map(\.finding.name) == ["quality:tier:small"])
        #expect(fired.map(\.state) == [.firing])
        #expect(sample(String(decoding: metrics.render(), as: UTF8.self), #"triage_alert_firing{alert="quality:tier:small"}"#) == 1)
        // Half an hour on the calls are still in the 60-minute window: nothing changes.
        #expect(try await monitor.evaluate(now: start.addingTimeInterval(1800)).isEmpty)
        // Two hours on, no calls are left: the alert resolves and says why.
        let resolved = try await monitor.evaluate(now: start.addingTimeInterval(7200))
        #expect(resolved.map(\.state) == [.resolved])
        #expect(resolved.first?.finding.message == "tier small: no auto-routed calls over the last 60 min")
        #expect(monitor.active.isEmpty)
        #expect(sample(String(decoding: metrics.render(), as: UTF8.self), #"triage_alert_firing{alert="quality:tier:small"}"#) == 0)
    }

    @Test("a running gateway sends the cost alert and a tier's quality alert to the webhook and exposes them")
    func gatewayAlertsReachWebhook() async throws {
        let webhook = RecordingServer()
        let port = try await webhook.start()
        let gateway = try await GatewayHarness.start { config in
            var settings = Self.settings(webhook: "http://127.0.0.1:\(port)/hooks/triage")
            settings.cost.budgetUSDPerDay = 0.000_001
            config.alerts = settings
        }
        var ids: [String] = []
        for _ in 0..<3 {
            let response = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": "formatter"])
            ids.append(try #require(response.header("X-Triage-Request-Id")))
        }
        for id in ids {
            let feedback = try await gateway.post("/v1/feedback", body: #"{"request_id":"\#(id)","score":"bad"}"#)
            #expect(feedback.status == 200)
        }
        let bodies = try await webhook.waitForBodies(at: "/hooks/triage", count: 2)
        let alerts = bodies.compactMap { try? JSONParser.parse($0) }
        let cost = try #require(alerts.first { $0["alert"] == .string("cost") })
        #expect(cost["state"] == .string("firing"))
        #expect(cost["message"]?.stringValue?.contains("above the budget pace") == true)
        let quality = try #require(alerts.first { $0["alert"] == .string("quality:tier:small") })
        #expect(quality["state"] == .string("firing"))
        // The monitor may evaluate between two feedback posts: the first bad one already puts the tier under the floor.
        let value = try #require(quality["value"]?.doubleValue)
        #expect(value < 0.8)
        #expect(quality["threshold"]?.doubleValue == 0.8)
        // Each alert is sent once while it keeps firing.
        try await Task.sleep(for: .milliseconds(200))
        #expect(webhook.bodies(at: "/hooks/triage").count == 2)
        let metrics = try await gateway.get("/metrics")
        #expect(sample(metrics.body, #"triage_alert_firing{alert="cost"}"#) == 1)
        #expect(sample(metrics.body, #"triage_alert_firing{alert="quality:tier:small"}"#) == 1)
        try await gateway.stop()
        try await webhook.stop()
    }
}
