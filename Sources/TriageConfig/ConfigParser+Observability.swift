import Foundation
import Yams

/// The `observability:`, `alerts:`, `policy:` and `calibration:` sections.
extension ConfigParser {
    func parseObservability(_ node: Node) throws(ConfigError) -> ObservabilitySettings {
        var settings = ObservabilitySettings()
        let allowed: Set<String> = ["otlp", "metrics", "dashboard", "operating_window_h", "operating_refresh_s"]
        for (key, value, _) in try reader.mapping(node, "observability", allowed: allowed) {
            let path = "observability.\(key)"
            switch key {
            case "otlp": settings.otlp = try parseOTLP(value, path)
            case "metrics": settings.metrics = try reader.bool(value, path)
            case "dashboard": settings.dashboard = try reader.bool(value, path)
            case "operating_window_h": settings.operatingWindowHours = try reader.double(value, path, range: 0.01...8760)
            default: settings.operatingRefreshSeconds = try reader.double(value, path, range: 0...Self.longestDuration)
            }
        }
        return settings
    }

    private func parseOTLP(_ node: Node, _ path: String) throws(ConfigError) -> OTLPSettings? {
        var settings = OTLPSettings()
        var enabled = true
        let allowed: Set<String> = ["enabled", "endpoint", "protocol", "service_name", "sample_ratio", "headers", "export_delay_ms"]
        for (key, value, _) in try reader.mapping(node, path, allowed: allowed) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "enabled": enabled = try reader.bool(value, keyPath)
            case "endpoint":
                let endpoint = try reader.string(value, keyPath)
                guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw reader.fail(value, keyPath, "expected an http(s) URL of an OTLP/HTTP collector, got \"\(endpoint)\"")
                }
                settings.endpoint = url.path.isEmpty || url.path == "/" ? endpoint.trimmingSuffix("/") + "/v1/traces" : endpoint
            case "protocol":
                let text = try reader.string(value, keyPath)
                guard let wire = OTLPSettings.WireProtocol(rawValue: text) else {
                    let known = OTLPSettings.WireProtocol.allCases.map(\.rawValue).joined(separator: ", ")
                    throw reader.fail(value, keyPath, "expected one of \(known), got \"\(text)\"")
                }
                settings.wireProtocol = wire
            case "service_name": settings.serviceName = try reader.string(value, keyPath)
            case "sample_ratio": settings.sampleRatio = try reader.double(value, keyPath, range: 0...1)
            case "export_delay_ms": settings.exportDelayMilliseconds = try reader.int(value, keyPath, range: 1...600_000)
            default:
                for (name, header, _) in try reader.mapping(value, keyPath) {
                    settings.headers[name] = try reader.string(header, "\(keyPath).\(name)")
                }
            }
        }
        return enabled ? settings : nil
    }

    func parseAlerts(_ node: Node) throws(ConfigError) -> AlertSettings {
        var settings = AlertSettings()
        var sawCost = false
        var sawQuality = false
        for (key, value, _) in try reader.mapping(node, "alerts", allowed: ["webhook", "interval_s", "cost", "quality"]) {
            let path = "alerts.\(key)"
            switch key {
            case "webhook":
                let webhook = try reader.string(value, path)
                guard let url = URL(string: webhook), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw reader.fail(value, path, "expected an http(s) URL")
                }
                settings.webhook = webhook
            case "interval_s": settings.intervalSeconds = try reader.double(value, path, range: 0.01...Self.longestDuration)
            case "cost":
                sawCost = true
                for (field, fieldValue, _) in try reader.mapping(value, path, allowed: ["budget_usd_per_day", "window_min", "pace_factor"]) {
                    let fieldPath = "\(path).\(field)"
                    switch field {
                    case "budget_usd_per_day": settings.cost.budgetUSDPerDay = try reader.double(fieldValue, fieldPath, range: 0.000001...1e9)
                    case "window_min": settings.cost.windowMinutes = try reader.double(fieldValue, fieldPath, range: 0.01...10_080)
                    default: settings.cost.paceFactor = try reader.double(fieldValue, fieldPath, range: 0.01...1000)
                    }
                }
                guard settings.cost.budgetUSDPerDay > 0 else { throw reader.fail(value, "\(path).budget_usd_per_day", "is required") }
            default:
                sawQuality = true
                for (field, fieldValue, _) in try reader.mapping(value, path, allowed: ["floor", "window_min", "min_calls"]) {
                    let fieldPath = "\(path).\(field)"
                    switch field {
                    case "floor": settings.quality.floor = try reader.double(fieldValue, fieldPath, range: 0...1)
                    case "window_min": settings.quality.windowMinutes = try reader.double(fieldValue, fieldPath, range: 0.01...10_080)
                    default: settings.quality.minimumCalls = try reader.int(fieldValue, fieldPath, range: 1...1_000_000)
                    }
                }
            }
        }
        guard sawCost, sawQuality else {
            throw reader.fail(
                node, sawCost ? "alerts.quality" : "alerts.cost",
                "is required: configure both the cost and the quality alert (one alone tunes the router to be cheap and wrong, or right and expensive)")
        }
        return settings
    }

    func parsePolicyReload(_ node: Node) throws(ConfigError) -> PolicyReloadSettings {
        var settings = PolicyReloadSettings()
        for (_, value, _) in try reader.mapping(node, "policy", allowed: ["reload_s"]) {
            settings.reloadSeconds = try reader.double(value, "policy.reload_s", range: 0...Self.longestDuration)
        }
        return settings
    }
}

extension ConfigParser {
    func parseCalibration(_ node: Node) throws(ConfigError) -> CalibrationSettings {
        var settings = CalibrationSettings()
        for (key, value, _) in try reader.mapping(node, "calibration", allowed: ["floor", "min_samples", "window_h", "step"]) {
            let path = "calibration.\(key)"
            switch key {
            case "floor": settings.floor = try reader.double(value, path, range: 0...1)
            case "min_samples": settings.minimumSamples = try reader.int(value, path, range: 1...1_000_000)
            case "window_h": settings.windowHours = try reader.double(value, path, range: 0.01...8760)
            default: settings.thresholdStep = try reader.double(value, path, range: 0.001...0.5)
            }
        }
        return settings
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
