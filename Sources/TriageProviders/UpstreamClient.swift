import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import TriageCore

/// One HTTP call to a provider, before any provider-specific meaning is attached to it.
public struct UpstreamRequest: Sendable {
    public var provider: ProviderSpec
    /// Path below the provider's base URL, e.g. `/chat/completions`.
    public var path: String
    public var body: ByteBuffer
    public var stream: Bool
    /// Headers the provider's format needs besides content type, accept and the key.
    public var headers: [(name: String, value: String)]

    public init(provider: ProviderSpec, path: String, body: ByteBuffer, stream: Bool, headers: [(name: String, value: String)] = []) {
        self.provider = provider
        self.path = path
        self.body = body
        self.stream = stream
        self.headers = headers
    }
}

/// Why a call to a provider failed before it produced a response head.
public enum UpstreamTransportError: Error, Sendable, Equatable {
    case connectFailed
    case timedOut
    case cancelled
    case other(String)

    /// A description safe to show clients and logs: it never carries a URL, host or key.
    public var publicDescription: String {
        switch self {
        case .connectFailed: "could not connect to the provider"
        case .timedOut: "the provider did not answer in time"
        case .cancelled: "the call was cancelled"
        case .other(let kind): "transport error (\(kind))"
        }
    }
}

/// Sends requests to providers over one shared, pooled AsyncHTTPClient.
public final class UpstreamClient: Sendable {
    public let http: HTTPClient

    /// - Parameters:
    ///   - maxConnectionsPerHost: keep-alive connections kept per provider host; high enough
    ///     that a busy gateway does not queue behind the pool.
    public init(maxConnectionsPerHost: Int = 512, connectTimeout: TimeAmount = .seconds(5), idleReadTimeout: TimeAmount = .seconds(300)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: idleReadTimeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.httpVersion = .automatic
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `request` and returns once the response head has arrived (the body streams on).
    /// Fails with `UpstreamTransportError` when no head arrives within the provider's
    /// first-byte timeout.
    public func send(_ request: UpstreamRequest) async throws(UpstreamTransportError) -> HTTPClientResponse {
        var http = HTTPClientRequest(url: request.provider.baseURL + request.path)
        http.method = .POST
        http.headers.reserveCapacity(4)
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "accept", value: request.stream ? "text/event-stream" : "application/json")
        if let key = request.provider.apiKey {
            let header = request.provider.format.authorization(key)
            http.headers.add(name: header.name, value: header.value)
        }
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(request.body)
        do {
            return try await self.http.execute(http, timeout: .milliseconds(Int64(request.provider.firstByteTimeoutSeconds * 1000)))
        } catch {
            throw Self.classify(error)
        }
    }

    static func classify(_ error: any Error) -> UpstreamTransportError {
        if error is CancellationError { return .cancelled }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return .timedOut
            case .cancelled: return .cancelled
            case .remoteConnectionClosed: return .connectFailed
            default: return .other("http client")
            }
        }
        if error is NIOConnectionError { return .connectFailed }
        if error is IOError { return .connectFailed }
        if error is ChannelError { return .connectFailed }
        return .other(String(describing: type(of: error)))
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }
}
