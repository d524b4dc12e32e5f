import Hummingbird
import NIOCore
import TriageCore

/// `GET /v1/models` in OpenAI's list format: the routing aliases, then every configured model.
struct ModelsController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        let body = ByteBuffer(bytes: JSONWriter.bytes(Self.list(runtime.config.catalog)))
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
        }
    }

    static func list(_ catalog: ModelCatalog) -> JSONValue {
        var data: [JSONValue] = ["auto", "small", "mid", "frontier"].map { alias in
            ["id": .string("triage/\(alias)"), "object": "model", "created": 0, "owned_by": "triage"]
        }
        for model in catalog.models {
            data.append(["id": .string(model.name), "object": "model", "created": 0, "owned_by": .string(model.provider)])
        }
        return ["object": "list", "data": .array(data)]
    }
}

/// `GET /health`: liveness plus the models whose circuit is open.
struct HealthController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.get("/health") { _, _ in
            let open = runtime.config.catalog.models.map(\.name).filter { !runtime.health.isAvailable($0) }
            let body: JSONValue = [
                "status": "ok",
                "models": JSONValue(runtime.config.catalog.models.count),
                "unavailable_models": .array(open.map(JSONValue.string)),
                "trace_queue_depth": JSONValue(runtime.traces.queueDepth),
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(body))))
        }
    }
}
