import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TriageConfig
import TriageCore
import TriageFakeUpstream
import TriageGateway
import TriageRouting
import TriageStore
import Tracing

/// A real gateway on a loopback port in front of a fake OpenAI upstream, for end-to-end tests.
final class GatewayHarness: Sendable {
    let upstream: FakeOpenAIUpstream
    let databasePath: String
    let port: Int
    let serviceGroup: ServiceGroup
    let running: Task<Void, any Error>

    static let client = HTTPClient(eventLoopGroupProvider: .singleton)

    /// The test catalog: two small models, one mid, one frontier, all on the fake provider.
    /// - Parameter firstByteTimeoutSeconds: long enough that a machine busy with the rest of the
    ///   suite (SDK interop processes, CPU-bound evaluations) does not make calls fail over; the
    ///   timeout tests give a short one.
    static func config(upstreamURL: String, databasePath: String, firstByteTimeoutSeconds: Double = 10) -> GatewayConfig {
        let provider = ProviderSpec(
            name: "fake", baseURL: upstreamURL, apiKey: Secret("sk-upstream-secret-123"), firstByteTimeoutSeconds: firstByteTimeoutSeconds)
        let catalog = ModelCatalog(
            models: [
                ModelSpec(name: "fake-small-a", provider: "fake", tier: .small, price: ModelPrice(inputPerMillion: 0.05, outputPerMillion: 0.40, cachedInputPerMillion: 0.005)),
                ModelSpec(name: "fake-small-b", provider: "fake", tier: .small, price: ModelPrice(inputPerMillion: 0.10, outputPerMillion: 0.40)),
                ModelSpec(name: "fake-mid", provider: "fake", upstreamName: "fake-mid-upstream", tier: .mid, price: ModelPrice(inputPerMillion: 0.25, outputPerMillion: 2.0, cachedInputPerMillion: 0.025)),
                ModelSpec(name: "fake-frontier", provider: "fake", tier: .frontier, price: ModelPrice(inputPerMillion: 1.25, outputPerMillion: 10)),
            ],
            providers: [provider])
        let policy = RoutingPolicy(
            roles: ["worker": RoleRule(tier: .mid), "formatter": RoleRule(tier: .small), "planner": RoleRule(tier: .frontier)],
            defaultTier: .mid, pins: [Pin(match: .role("legal"), model: "fake-frontier")])
        var config = GatewayConfig(catalog: catalog, policy: policy)
        config.storage.sqlitePath = databasePath
        config.storage.traceFlushMilliseconds = 20
        config.server.maxBodyBytes = 64 << 10
        config.circuitBreaker = .init(failureThreshold: 3, coolDown: .seconds(30))
        return config
    }

    static func start(
        upstream: FakeOpenAIUpstream? = nil, tracer: (any Tracer)? = nil, firstByteTimeoutSeconds: Double = 10,
        configure: (inout GatewayConfig) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        let upstream = upstream ?? FakeOpenAIUpstream()
        _ = try await upstream.start()
        let path = temporaryDatabasePath()
        var config = config(upstreamURL: upstream.baseURL, databasePath: path, firstByteTimeoutSeconds: firstByteTimeoutSeconds)
        configure(&config)
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try buildGateway(config: config, host: "127.0.0.1", port: 0, logger: logger, tracer: tracer) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return GatewayHarness(upstream: upstream, databasePath: config.storage.sqlitePath, port: port, serviceGroup: group, running: running)
    }

    private init(upstream: FakeOpenAIUpstream, databasePath: String, port: Int, serviceGroup: ServiceGroup, running: Task<Void, any Error>) {
        self.upstream = upstream
        self.databasePath = databasePath
        self.port = port
        self.serviceGroup = serviceGroup
        self.running = running
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops the gateway the way SIGTERM does, waiting for the drain, then the fake upstream.
    func stop() async throws {
        await serviceGroup.triggerGracefulShutdown()
        try await running.value
        await upstream.stop()
    }

    func store() throws -> SQLiteTraceStore { try SQLiteTraceStore(path: databasePath) }

    /// Waits until the trace for `requestID` is in the database (the writer batches).
    func trace(_ requestID: String) async throws -> TraceRecord {
        let store = try store()
        for _ in 0..<200 {
            if let trace = try await store.trace(requestID: requestID) { return trace }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TraceNotWritten(requestID: requestID)
    }

    struct TraceNotWritten: Error { let requestID: String }

    /// POSTs `body` to `path` and returns the whole response.
    func post(_ path: String = "/v1/chat/completions", body: String, headers: [String: String] = [:], contentType: String? = "application/json") async throws -> HTTPResult {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        if let contentType { request.headers.add(name: "content-type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func get(_ path: String) async throws -> HTTPResult {
        let response = try await Self.client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// Starts a streamed POST and returns the response with its body still streaming.
    func openStream(body: String, headers: [String: String] = [:]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await Self.client.execute(request, timeout: .seconds(30))
    }
}

struct HTTPResult {
    let status: Int
    let headers: NIOHTTP1.HTTPHeaders
    let body: String

    var json: JSONValue? { try? JSONParser.parse(body) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

func chatBody(model: String = "triage/auto", content: String = "Say hello.", stream: Bool = false, extra: String = "") -> String {
    #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(content)"}],"stream":\#(stream)\#(extra)}"#
}

func temporaryDatabasePath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-gw-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("traces.db").path
}

/// Data lines of an SSE body, in order.
func sseData(_ body: String) -> [String] {
    body.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
}
