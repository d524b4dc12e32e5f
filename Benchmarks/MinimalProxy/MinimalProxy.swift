import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOPosix

/// The reference point for the load test: the least a Hummingbird + AsyncHTTPClient proxy can
/// do — forward the body to one upstream URL and relay the answer, with no parsing, routing or
/// tracing. `scripts/loadtest.sh` measures the gateway against it on the same machine.
@main
struct MinimalProxy {
    static func main() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let arguments = CommandLine.arguments
        let port = arguments.count > 1 ? Int(arguments[1]) ?? 19190 : 19190
        let upstream = arguments.count > 2 ? arguments[2] : "http://127.0.0.1:19100/v1/chat/completions"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            var outbound = HTTPClientRequest(url: upstream)
            outbound.method = .POST
            outbound.headers.add(name: "content-type", value: "application/json")
            outbound.headers.add(name: "authorization", value: "Bearer sk-fake")
            outbound.body = .bytes(try await request.body.collect(upTo: 1 << 20))
            let response = try await client.execute(outbound, timeout: .seconds(30))
            var headers = HTTPFields()
            headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(asyncSequence: response.body))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
        try await client.shutdown()
    }
}
