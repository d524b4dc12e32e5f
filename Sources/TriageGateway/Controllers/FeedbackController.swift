import Foundation
import Hummingbird
import NIOCore
import TriageCore
import TriageStore

/// `POST /v1/feedback`: a person's verdict on one call (`request_id`) or a whole run
/// (`run_id`), stored next to the traces for the operating metrics and recalibration.
struct FeedbackController<Context: RequestContext>: Sendable {
    let runtime: GatewayRuntime

    func addRoutes(to router: Router<Context>) {
        router.post("/v1/feedback") { request, _ in
            await self.feedback(request)
        }
    }

    func feedback(_ request: Request) async -> Response {
        do {
            _ = try runtime.authenticator.authenticate(request.headers)
            let body = try await RequestBodyReader.json(request, limit: 64 << 10)
            let feedback = try FeedbackRequest.decode(body.readableBytesView)
            guard try await exists(feedback) else {
                let what = feedback.requestID.map { "request `\($0)`" } ?? "run `\(feedback.runID ?? "")`"
                throw GatewayError(.notFound, "No call is recorded for \(what).", param: feedback.requestID != nil ? "request_id" : "run_id", code: "trace_not_found")
            }
            let id = try await runtime.store.insertFeedback(feedback)
            runtime.metrics.countFeedback(good: feedback.score >= 0.5)
            var object = JSONObject()
            object["id"] = JSONValue(Int(id))
            object["object"] = .string("feedback")
            if let requestID = feedback.requestID { object["request_id"] = .string(requestID) }
            if let runID = feedback.runID { object["run_id"] = .string(runID) }
            object["score"] = JSONValue(feedback.score)
            if let tier = feedback.correctTier { object["correct_tier"] = .string(tier) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(object)))))
        } catch let error as GatewayError {
            return error.response(requestID: nil)
        } catch {
            runtime.logger.error("feedback could not be stored", metadata: ["error": "\(error)"])
            return GatewayError(.internalError, "The feedback could not be stored.").response(requestID: nil)
        }
    }

    /// Whether the call or run is known: stored, or still in the trace writer's buffer (the
    /// writer batches, so feedback may arrive before the trace is on disk).
    private func exists(_ feedback: FeedbackRecord) async throws -> Bool {
        if try await runtime.store.hasTraces(requestID: feedback.requestID, runID: feedback.runID) { return true }
        guard runtime.traces.isPending(requestID: feedback.requestID, runID: feedback.runID) else { return false }
        await runtime.traces.flush()
        for _ in 0..<100 {
            if try await runtime.store.hasTraces(requestID: feedback.requestID, runID: feedback.runID) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return runtime.traces.isPending(requestID: feedback.requestID, runID: feedback.runID)
    }
}

/// The body of `POST /v1/feedback`.
enum FeedbackRequest {
    static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> FeedbackRecord {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw GatewayError(.invalidRequest, "The body is not valid JSON.", code: "invalid_json")
        }
        guard case .object(let object) = json else { throw GatewayError(.invalidRequest, "The body must be a JSON object.", code: "invalid_json") }
        let known: Set<String> = ["request_id", "run_id", "score", "correct_tier", "comment"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw GatewayError(.invalidRequest, "Unknown field `\(unknown)`.", param: unknown, code: "unknown_parameter")
        }
        let requestID = try string(object["request_id"], "request_id")
        let runID = try string(object["run_id"], "run_id")
        guard (requestID == nil) != (runID == nil) else {
            throw GatewayError(.invalidRequest, "Give exactly one of `request_id` and `run_id`.", param: "request_id", code: "missing_required_parameter")
        }
        let score: Double
        switch object["score"] {
        case .number? where (object["score"]?.doubleValue).map { (0...1).contains($0) } ?? false: score = object["score"]?.doubleValue ?? 0
        case .string("good")?: score = 1
        case .string("bad")?: score = 0
        case nil: throw GatewayError(.invalidRequest, "`score` is required: a number from 0 to 1, or \"good\" / \"bad\".", param: "score", code: "missing_required_parameter")
        default: throw GatewayError(.invalidRequest, "`score` must be a number from 0 to 1, or \"good\" / \"bad\".", param: "score", code: "invalid_value")
        }
        let correctTier = try string(object["correct_tier"], "correct_tier")
        if let correctTier, Tier(rawValue: correctTier) == nil {
            throw GatewayError(
                .invalidRequest, "`correct_tier` must be one of \(Tier.allCases.map(\.rawValue).joined(separator: ", ")).", param: "correct_tier",
                code: "invalid_value")
        }
        let comment = try string(object["comment"], "comment")
        if let comment, comment.utf8.count > 4096 {
            throw GatewayError(.invalidRequest, "`comment` is longer than 4096 bytes.", param: "comment", code: "invalid_value")
        }
        return FeedbackRecord(requestID: requestID, runID: runID, score: score, correctTier: correctTier, comment: comment)
    }

    private static func string(_ value: JSONValue?, _ name: String) throws(GatewayError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)? where !text.isEmpty && text.utf8.count <= 256 || name == "comment": return text
        default: throw GatewayError(.invalidRequest, "`\(name)` must be a non-empty string.", param: name, code: "invalid_value")
        }
    }
}
