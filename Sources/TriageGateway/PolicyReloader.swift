import Foundation
import Logging
import ServiceLifecycle
import TriageConfig
import TriageCore
import TriageRouting
import TriageStore

/// Follows the newest tuned policy version in the trace database (written by
/// `triage recalibrate` or `triage policy rollback`) and puts it in force without a restart:
/// requests that start afterwards use it, requests in flight finish under the snapshot they
/// started with, so nothing is dropped.
final class PolicyReloader: Service {
    private let runtime: GatewayRuntime
    private let interval: Duration

    init(runtime: GatewayRuntime, intervalSeconds: Double) {
        self.runtime = runtime
        self.interval = .milliseconds(Int64(intervalSeconds * 1000))
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await check()
            } catch {
                runtime.logger.warning("policy reload failed; keeping the current policy", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// Installs the newest version when it differs from the one in force; returns whether it did.
    @discardableResult
    func check() async throws -> Bool {
        guard let latest = try await runtime.store.latestPolicyVersionNumber(), latest != runtime.routing.version,
            let record = try await runtime.store.policyVersion(latest)
        else { return false }
        try install(record, runtime: runtime)
        runtime.logger.info("routing policy version \(latest) in force", metadata: ["summary": "\(record.summary)"])
        return true
    }

    /// Builds and installs the snapshot for a stored version.
    func install(_ record: PolicyVersionRecord, runtime: GatewayRuntime) throws {
        let tuning = try RoutingTuning(json: JSONParser.parse(record.tuning))
        runtime.install(RoutingSnapshot(pipeline: runtime.config.pipeline(applying: tuning), version: record.version))
    }
}
