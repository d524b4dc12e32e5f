import Foundation
import Hummingbird
import NIOCore
import TriageCore
import TriageStore

/// `GET /dashboard`: one self-contained page (no CDN, works offline) that reads
/// `GET /dashboard/data?since=24h` and draws spend, runs, operating metrics and decisions.
struct DashboardController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.get("/dashboard") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/dashboard/data") { request, _ in
            await self.data(since: request.uri.queryParameters.get("since") ?? "24h")
        }
    }

    func data(since label: String) async -> Response {
        guard let window = SpendWindow.parse(label), window <= 366 * 86400 else {
            return GatewayError(.invalidRequest, "`since` must be a number followed by s, m, h or d (at most 366d), e.g. 24h.", param: "since", code: "invalid_value")
                .response(requestID: nil)
        }
        do {
            let data = DashboardData(store: runtime.store, policyVersion: runtime.routing.version, alerts: runtime.alerts?.active ?? [])
            let document = try await data.document(since: label, window: window)
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(document))))
        } catch {
            runtime.logger.error("dashboard data failed", metadata: ["error": "\(error)"])
            return GatewayError(.internalError, "The dashboard data could not be read.").response(requestID: nil)
        }
    }
}
