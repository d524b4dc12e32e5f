/// A provider endpoint parsed once: scheme, host, port and a path (with an optional query).
///
/// Parse a provider's base URL once with `UpstreamURL(string:)` and derive each call's URL with
/// `appending(path:)`, which only concatenates strings: no per-request parsing. The pool key and
/// the `host` header value are computed at parse time.
public struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    /// The two schemes the upstream client speaks.
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        /// 80 or 443.
        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public let scheme: Scheme
    /// The host name or IP address, lower-cased, without the brackets of an IPv6 literal.
    public let host: String
    public let port: Int
    /// The path without query, `""` or starting with `/`.
    public let path: String
    /// The query without its `?`, if any.
    public let query: String?
    /// The value of the `host` header: the host, bracketed when IPv6, with `:port` unless default.
    public let hostHeader: String

    /// Connections are pooled per (scheme, host, port).
    var poolKey: HTTP1PoolKey { HTTP1PoolKey(scheme: scheme, host: host, port: port) }

    /// Parses `http[s]://host[:port][/path][?query]`; `nil` for anything else (other schemes,
    /// user info, an empty host, a bad port). A fragment is dropped.
    public init?(string: String) {
        var rest = Substring(string)
        let scheme: Scheme
        if rest.count >= 7, rest.prefix(7).lowercased() == "http://" {
            scheme = .http
            rest = rest.dropFirst(7)
        } else if rest.count >= 8, rest.prefix(8).lowercased() == "https://" {
            scheme = .https
            rest = rest.dropFirst(8)
        } else {
            return nil
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = rest[authorityEnd...]
        guard !authority.contains("@") else { return nil }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = scheme.defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let value = Int(portText), (1...65535).contains(value)
            else { return nil }
            port = value
        }
        if host.contains(where: { $0 == " " || $0 == "/" || $0 == "\\" }) { return nil }

        var query: String?
        if let mark = target.firstIndex(of: "?") {
            query = String(target[target.index(after: mark)...])
            target = target[..<mark]
        }
        if target == "/" { target = "" }
        self.init(scheme: scheme, host: String(host), port: port, path: String(target), query: query)
    }

    /// A URL from its parts; `path` is `""` or starts with `/`.
    public init(scheme: Scheme, host: String, port: Int? = nil, path: String = "", query: String? = nil) {
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port ?? scheme.defaultPort
        self.path = path
        self.query = query?.isEmpty == true ? nil : query
        let bracketed = self.host.contains(":") ? "[\(self.host)]" : self.host
        hostHeader = self.port == scheme.defaultPort ? bracketed : "\(bracketed):\(self.port)"
    }

    private init(copying url: UpstreamURL, path: String, query: String?) {
        scheme = url.scheme
        host = url.host
        port = url.port
        self.path = path
        self.query = query
        hostHeader = url.hostHeader
    }

    /// This URL with `suffix` appended to its path, e.g. base `…/v1` + `/chat/completions`.
    /// Exactly one `/` joins them; a query in `suffix` is joined to the base's with `&`.
    public func appending(path suffix: String) -> UpstreamURL {
        var suffixPath = Substring(suffix)
        var suffixQuery: Substring?
        if let mark = suffixPath.firstIndex(of: "?") {
            suffixQuery = suffixPath[suffixPath.index(after: mark)...]
            suffixPath = suffixPath[..<mark]
        }
        var joined = path
        if joined.hasSuffix("/") { joined.removeLast() }
        if !suffixPath.isEmpty {
            if !suffixPath.hasPrefix("/") { joined.append("/") }
            joined.append(contentsOf: suffixPath)
        }
        var mergedQuery = query
        if let suffixQuery, !suffixQuery.isEmpty {
            mergedQuery = mergedQuery.map { "\($0)&\(suffixQuery)" } ?? String(suffixQuery)
        }
        return UpstreamURL(copying: self, path: joined, query: mergedQuery)
    }

    /// The request target of the request line: the path (`/` when empty) and the query.
    public var requestTarget: String {
        let base = path.isEmpty ? "/" : path
        guard let query else { return base }
        return base + "?" + query
    }

    /// The full URL. Logs should not print it when it may carry a key in its query.
    public var description: String {
        "\(scheme.rawValue)://\(hostHeader)\(requestTarget)"
    }

    /// Whether the host is an IPv4 or IPv6 literal (no SNI is sent for those).
    var hostIsIPAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}

/// Where pooled connections go: one idle set per (scheme, host, port).
struct HTTP1PoolKey: Hashable, Sendable {
    let scheme: UpstreamURL.Scheme
    let host: String
    let port: Int
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
