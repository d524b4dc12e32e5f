import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TriageStore

/// `GET /metrics`: the Prometheus text exposition. Event counters are kept in memory; the
/// state gauges (circuits, trace queue, policy version) are read at scrape time and the three
/// operating metrics come from the trace database, reused for `operating_refresh_s`.
struct MetricsController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime
    let operating: OperatingMetricsCache

    init(runtime: GatewayRuntime) {
        self.runtime = runtime
        self.operating = OperatingMetricsCache(
            window: runtime.config.observability.operatingWindowHours * 3600, refresh: runtime.config.observability.operatingRefreshSeconds)
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            await self.scrape()
        }
    }

    func scrape() async -> Response {
        let metrics = runtime.metrics
        metrics.refreshState(
            health: runtime.health, models: runtime.config.catalog.models.map(\.name), traceQueueDepth: runtime.traces.queueDepth,
            policyVersion: runtime.routing.version)
        do {
            metrics.setOperating(try await operating.current(from: runtime.store))
        } catch {
            runtime.logger.warning("operating metrics unavailable", metadata: ["error": "\(error)"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
    }
}

/// The operating metrics of a trailing window, recomputed at most every `refresh` seconds.
final class OperatingMetricsCache: Sendable {
    private let window: TimeInterval
    private let refresh: TimeInterval
    private let cached = Mutex<(at: Date, metrics: OperatingMetrics)?>(nil)

    init(window: TimeInterval, refresh: TimeInterval) {
        self.window = window
        self.refresh = refresh
    }

    func current(from store: SQLiteTraceStore, now: Date = Date()) async throws -> OperatingMetrics {
        if let hit = cached.withLock({ $0 }), now.timeIntervalSince(hit.at) < refresh { return hit.metrics }
        let metrics = try await store.operatingMetrics(from: now.addingTimeInterval(-window), to: now.addingTimeInterval(1))
        cached.withLock { $0 = (now, metrics) }
        return metrics
    }
}
