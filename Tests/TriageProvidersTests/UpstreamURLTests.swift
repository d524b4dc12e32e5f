import Testing

@testable import TriageProviders

/// Parsing a provider base URL once and appending call paths to it.
@Suite struct UpstreamURLTests {
    @Test func parsesSchemeHostPortAndPath() throws {
        let url = try #require(UpstreamURL(string: "https://API.openai.com/v1"))
        #expect(url.scheme == .https && url.host == "api.openai.com" && url.port == 443 && url.path == "/v1" && url.query == nil)
        #expect(url.hostHeader == "api.openai.com")
        let local = try #require(UpstreamURL(string: "http://127.0.0.1:8080"))
        #expect(local.port == 8080 && local.path == "" && local.requestTarget == "/" && local.hostHeader == "127.0.0.1:8080")
        let v6 = try #require(UpstreamURL(string: "http://[::1]:9000/x/?a=b#frag"))
        #expect(v6.host == "::1" && v6.port == 9000 && v6.path == "/x/" && v6.query == "a=b" && v6.hostHeader == "[::1]:9000")
        #expect(v6.hostIsIPAddress && local.hostIsIPAddress && !url.hostIsIPAddress)
    }

    @Test func rejectsWhatItCannotCall() {
        for text in ["ftp://host/", "host:80", "http://", "http://:80", "http://host:0", "http://host:65536", "http://host:x", "http://user@host/", "http://[::1/"] {
            #expect(UpstreamURL(string: text) == nil, "\(text)")
        }
    }

    @Test func appendsPathsWithOneSlash() throws {
        let base = try #require(UpstreamURL(string: "https://example.com/v1/"))
        #expect(base.appending(path: "/chat/completions").requestTarget == "/v1/chat/completions")
        #expect(base.appending(path: "models").requestTarget == "/v1/models")
        let azure = try #require(UpstreamURL(string: "https://example.com/openai/deployments/d?api-version=2024-10-21"))
        #expect(azure.appending(path: "/chat/completions").requestTarget == "/openai/deployments/d/chat/completions?api-version=2024-10-21")
        #expect(azure.appending(path: "/x?alt=sse").requestTarget == "/openai/deployments/d/x?api-version=2024-10-21&alt=sse")
        #expect(azure.appending(path: "/x").description == "https://example.com/openai/deployments/d/x?api-version=2024-10-21")
        #expect(azure.appending(path: "/x").poolKey == azure.poolKey)
    }
}
