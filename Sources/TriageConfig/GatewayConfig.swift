import TriageCore
import TriageProviders
import TriageRouting
import TriageValidation

/// The whole validated configuration of a gateway, as loaded from `triage.yaml`.
public struct GatewayConfig: Sendable {
    /// Where the gateway listens (`server:`).
    public struct Server: Sendable, Equatable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Request bodies larger than this get a 413.
        public var maxBodyBytes: Int = 4 << 20
        public init() {}
    }

    /// Where and how traces are written (`storage:`).
    public struct Storage: Sendable, Equatable {
        /// Path of the SQLite database holding traces.
        public var sqlitePath: String = "triage.db"
        /// Traces written per transaction.
        public var traceBatchSize: Int = 256
        /// Longest time a trace waits in the buffer before it is written.
        public var traceFlushMilliseconds: Int = 100
        /// Capacity of the in-memory buffer; when full, requests wait (backpressure), never drop.
        public var traceBufferCapacity: Int = 16_384
        public init() {}
    }

    /// How far one call may fail over (`failover:`; `higher_tiers` lives in the routing policy).
    public struct Failover: Sendable, Equatable {
        /// Models tried per call, the first one included.
        public var maxAttempts: Int = 4
        /// The longest `retry-after` waited out inside a request when no other candidate is left.
        public var maxRetryWaitSeconds: Double = 2
        public init() {}
    }

    /// A client key allowed to call the gateway, stored only as its SHA-256 hex digest.
    public struct ClientKey: Sendable, Equatable {
        public var name: String
        public var sha256Hex: String
        public init(name: String, sha256Hex: String) {
            self.name = name
            self.sha256Hex = sha256Hex
        }
    }

    public var server = Server()
    public var storage = Storage()
    public var catalog: ModelCatalog
    public var policy: RoutingPolicy
    public var failover = Failover()
    public var circuitBreaker = CircuitBreaker.Configuration()
    /// Output validators and in-request escalation (`validation:`).
    public var validation = ValidationPolicy()
    /// The judge validator's model and instructions (`validation.judge:`).
    public var judge = JudgeSettings()
    /// Session affinity (`stickiness:`).
    public var stickiness = SessionAffinity.Configuration()
    /// Skill labels, complexity model and thresholds, risk tiers.
    public var routing = RoutingBrain()
    /// Spans, metrics and the dashboard (`observability:`).
    public var observability = ObservabilitySettings()
    /// Cost and quality alerts (`alerts:`); `nil` when not configured.
    public var alerts: AlertSettings?
    /// Hot reload of tuned policy versions (`policy:`).
    public var policyReload = PolicyReloadSettings()
    /// The quality floor and evidence `triage recalibrate` works with (`calibration:`).
    public var calibration = CalibrationSettings()
    /// When empty, the gateway accepts calls without a key (single-user, loopback setups).
    public var clientKeys: [ClientKey] = []
    /// Problems that do not stop start-up (a provider key that is not set), for the log. They
    /// never contain a secret.
    public var warnings: [String] = []

    public init(catalog: ModelCatalog, policy: RoutingPolicy) {
        self.catalog = catalog
        self.policy = policy
    }
}
