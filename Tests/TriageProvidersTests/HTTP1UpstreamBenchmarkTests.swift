import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import TriageProviders

/// CPU per request of `HTTP1UpstreamClient` next to AsyncHTTPClient, both against the loopback
/// server (whose own CPU is in both numbers). Runs only with `TRIAGE_HTTP1_BENCH=1`; build in
/// release for meaningful numbers.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TRIAGE_HTTP1_BENCH"] != nil))
struct HTTP1UpstreamBenchmarkTests {
    static let requests = 5000
    static let body = ByteBuffer(string: #"{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"#)

    static func cpuMicroseconds() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
        let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
        return user + system
    }

    static func measure(_ label: String, _ call: () async throws -> Void) async throws {
        for _ in 0..<500 { try await call() }
        let cpu = cpuMicroseconds()
        let started = ContinuousClock.now
        for _ in 0..<requests { try await call() }
        let elapsed = ContinuousClock.now - started
        let perRequest = (cpuMicroseconds() - cpu) / Double(requests)
        print("\(label): \(String(format: "%.1f", perRequest)) µs CPU/request, \(elapsed / requests) wall/request")
    }

    @Test func sequentialPostsAgainstLoopback() async throws {
        try await HTTP1UpstreamClientTests.withServer { server in
            let url = HTTP1UpstreamClientTests.url(server, "/json")
            let headers: HTTPHeaders = ["content-type": "application/json", "authorization": "Bearer sk-test"]
            let client = HTTP1UpstreamClientTests.makeClient()
            try await Self.measure("HTTP1UpstreamClient") {
                let response = try await client.execute(url: url, headers: headers, body: Self.body, headTimeout: .seconds(5))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            await client.shutdown()

            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init())
            try await Self.measure("AsyncHTTPClient") {
                var request = HTTPClientRequest(url: url.description)
                request.method = .POST
                request.headers = headers
                request.body = .bytes(Self.body)
                let response = try await http.execute(request, timeout: .seconds(5))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            try await http.shutdown()
        }
    }
}
