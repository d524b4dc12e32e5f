import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
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

/// Sends requests to providers over one shared `HTTP1UpstreamClient` (keep-alive connections
/// pooled per provider host). Provider base URLs are parsed once and cached.
public final class UpstreamClient: Sendable {
    public let http: HTTP1UpstreamClient
    private let baseURLs = Mutex<[String: UpstreamURL]>([:])

    /// - Parameters:
    ///   - maxConnectionsPerHost: idle keep-alive connections kept per provider host; high enough
    ///     that a busy gateway does not reconnect after every burst.
    public init(maxConnectionsPerHost: Int = 512, connectTimeout: TimeAmount = .seconds(5), idleReadTimeout: TimeAmount = .seconds(300)) {
        http = HTTP1UpstreamClient(
            maxIdleConnectionsPerHost: maxConnectionsPerHost, connectTimeout: connectTimeout, idleTimeout: .seconds(60), readIdleTimeout: idleReadTimeout)
    }

    /// Sends `request` and returns once the response head has arrived (the body streams on).
    /// Fails with `UpstreamTransportError` when no head arrives within the provider's
    /// first-byte timeout.
    public func send(_ request: UpstreamRequest) async throws(UpstreamTransportError) -> UpstreamResponse {
        var headers = HTTPHeaders()
        headers.reserveCapacity(4 + request.headers.count)
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: request.stream ? "text/event-stream" : "application/json")
        if let key = request.provider.apiKey {
            let header = request.provider.format.authorization(key)
            headers.add(name: header.name, value: header.value)
        }
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let url = try baseURL(of: request.provider).appending(path: request.path)
        return try await http.execute(
            url: url, headers: headers, body: request.body, headTimeout: .milliseconds(Int64(request.provider.firstByteTimeoutSeconds * 1000)))
    }

    /// Posts `body` to a URL from the configuration (an alert webhook), with `headers`.
    public func post(_ body: ByteBuffer, to address: String, headers: HTTPHeaders, timeout: TimeAmount) async throws(UpstreamTransportError) -> UpstreamResponse {
        guard let url = UpstreamURL(string: address) else { throw .other("invalid URL") }
        return try await http.execute(url: url, headers: headers, body: body, headTimeout: timeout)
    }

    /// The provider's base URL, parsed once (the configuration validated it at start-up).
    private func baseURL(of provider: ProviderSpec) throws(UpstreamTransportError) -> UpstreamURL {
        if let url = baseURLs.withLock({ $0[provider.baseURL] }) { return url }
        guard let url = UpstreamURL(string: provider.baseURL) else { throw .other("invalid provider URL") }
        baseURLs.withLock { $0[provider.baseURL] = url }
        return url
    }

    public func shutdown() async throws {
        await http.shutdown()
    }
}
