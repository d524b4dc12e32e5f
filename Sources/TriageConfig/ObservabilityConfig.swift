/// OpenTelemetry export, Prometheus metrics and the dashboard (`observability:`).
public struct ObservabilitySettings: Sendable, Equatable {
    /// OTLP/HTTP span export; `nil` (the default) turns tracing off at no cost.
    public var otlp: OTLPSettings?
    /// Serve `GET /metrics` in the Prometheus text format.
    public var metrics = true
    /// Serve `GET /dashboard`.
    public var dashboard = true
    /// The window (hours) of the operating metrics exposed on `/metrics`.
    public var operatingWindowHours = 24.0
    /// How long computed operating metrics are reused between scrapes (seconds).
    public var operatingRefreshSeconds = 15.0

    public init() {}
}

/// Where spans go: an OTLP/HTTP collector.
public struct OTLPSettings: Sendable, Equatable {
    public enum WireProtocol: String, Sendable, Equatable, CaseIterable {
        case protobuf = "http/protobuf"
        case json = "http/json"
    }

    /// The collector's traces URL (`…/v1/traces` is added to a bare base URL).
    public var endpoint = "http://localhost:4318/v1/traces"
    public var wireProtocol = WireProtocol.protobuf
    public var serviceName = "triage"
    /// Share of new traces sampled (0…1); a sampled incoming `traceparent` is always followed.
    public var sampleRatio = 1.0
    /// Extra headers for the collector (e.g. an authorization token, from the environment).
    public var headers: [String: String] = [:]
    /// Longest time a finished span waits before it is exported (batched).
    public var exportDelayMilliseconds = 5000

    public init() {}
}

/// The cost and quality alerts (`alerts:`). Both are required together: a cost alert alone
/// teaches the router to be cheap and wrong, a quality alert alone to be right and expensive.
public struct AlertSettings: Sendable, Equatable {
    /// Where firing and resolved alerts are POSTed as JSON (optional: they are always logged).
    public var webhook: String?
    /// How often both alerts are evaluated.
    public var intervalSeconds = 60.0
    public var cost = CostAlert()
    public var quality = QualityAlert()

    public struct CostAlert: Sendable, Equatable {
        /// The daily budget; its pace is budget / 24 h.
        public var budgetUSDPerDay = 0.0
        /// The window the spend rate is measured over.
        public var windowMinutes = 60.0
        /// Fires when the spend rate exceeds the budget's pace times this factor.
        public var paceFactor = 1.0
        public init() {}
    }

    public struct QualityAlert: Sendable, Equatable {
        /// Lowest acceptable success rate of a tier or a skill.
        public var floor = 0.85
        public var windowMinutes = 60.0
        /// Fewer auto-routed calls than this in the window say nothing.
        public var minimumCalls = 20
        public init() {}
    }

    public init() {}
}

/// How running gateways follow tuned policy versions (`policy:`).
public struct PolicyReloadSettings: Sendable, Equatable {
    /// How often the database is checked for a new version; 0 turns hot reload off.
    public var reloadSeconds = 5.0
    public init() {}
}

/// How `triage recalibrate` retunes the routing policy (`calibration:`); the command's flags
/// override each value for one run.
public struct CalibrationSettings: Sendable, Equatable {
    /// The quality floor: the success rate a tier must keep for a skill's calls to move to it (0…1).
    public var floor = 0.9
    /// Fewer observations than this never move anything.
    public var minimumSamples = 20
    /// The window of calls learned from, ending at the run (hours).
    public var windowHours = 24.0
    /// How far one run moves a complexity threshold.
    public var thresholdStep = 0.05

    public init() {}
}
