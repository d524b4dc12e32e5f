import TriageProviders
import Foundation
import Hummingbird
import NIOCore
import TriageCodecs
import TriageCore
import TriageRouting
import TriageStore
import TriageValidation

/// Runs one routed chat completion: tries the decision's candidates in order (failing over on
/// errors before the first byte), validates the answer when validators apply and re-runs a
/// failing one a tier up, then relays the served answer — as JSON, as an unbuffered SSE stream,
/// or as a held stream replayed once it passed — while recording the trace.
struct ChatCompletionExecutor: Sendable {
    let runtime: GatewayRuntime
    let call: ChatCall

    /// An answer that failed validation, kept in case no higher tier does better.
    private enum Rejected {
        case json(ByteBuffer, model: ModelSpec, checks: [ValidatorCheck])
        case stream(HeldStream, model: ModelSpec, checks: [ValidatorCheck])

        var checks: [ValidatorCheck] {
            switch self {
            case .json(_, _, let checks), .stream(_, _, let checks): checks
            }
        }
    }

    func execute(decision initial: RouteDecision, recorder start: CallRecorder) async -> Response {
        var recorder = start
        var decision = initial
        recorder.decision = decision
        let policy = runtime.config.validation
        let validating = !call.validation.isEmpty
        var rejected: Rejected?
        while true {
            let escalationsLeft = validating && decision.mode == .auto && recorder.escalations < policy.maxEscalations
            let clientFormat = validating ? nil : call.egress.sameFormatProvider
            switch await UpstreamAttempts(runtime: runtime).run(
                call.chat, decision: decision, translated: call.egress.isTranslated, clientFormat: clientFormat, recorder: &recorder)
            {
            case .failed(let error, let status):
                if let rejected, status != .cancelled {
                    // The tier above could not answer: fall back to the answer we have.
                    return await serveRejected(rejected, recorder: recorder, note: error.message)
                }
                return await fail(error, recorder: recorder, status: status)

            case .json(let buffer, let usage, let model, let reported, let started, let isClientBody):
                let usage = usage ?? .zero
                guard validating else {
                    recorder.addAttempt(model, outcome: "ok", status: 200, since: started, usage: usage, responseModel: reported)
                    return await respondJSON(buffer, usage: usage, model: model, recorder: recorder, isClientBody: isClientBody)
                }
                let answer = UpstreamAttempts.parse(buffer).flatMap(CandidateAnswer.init(openAICompletion:)) ?? CandidateAnswer(text: "")
                let checks = await validate(answer, recorder: &recorder)
                if checks.allSatisfy(\.passed) {
                    recorder.validation = .passed
                    recorder.addAttempt(model, outcome: "ok", status: 200, since: started, usage: usage, checks: checks, responseModel: reported)
                    return await respondJSON(buffer, usage: usage, model: model, recorder: recorder)
                }
                recorder.addUnservedAttempt(model, outcome: "invalid", since: started, usage: usage, checks: checks, responseModel: reported)
                rejected = .json(buffer, model: model, checks: checks)
                guard escalationsLeft, let next = escalation(from: decision, servedBy: model, checks: checks) else {
                    return await serveRejected(rejected!, recorder: recorder)
                }
                decision = next
                recorder.escalate(to: next)
                noteEscalation()

            case .stream(let response, let model, let started):
                let canEscalate = escalationsLeft && policy.holdStreams
                guard canEscalate, let next = escalation(from: decision, servedBy: model, checks: []) else {
                    recorder.servedBy = model
                    let headers = successHeaders(model: model, recorder: recorder, contentType: "text/event-stream")
                    return await StreamRelayer(runtime: runtime, call: call).live(response, model: model, started: started, headers: headers, recorder: recorder)
                }
                let relayer = StreamRelayer(runtime: runtime, call: call)
                let held = await relayer.hold(response)
                let usage = held.usage ?? .zero
                var checks: [ValidatorCheck]
                if let failure = held.failure {
                    checks = [ValidatorCheck(validator: "complete", passed: false, detail: failure)]
                } else {
                    checks = await validate(held.answer, recorder: &recorder)
                    if checks.allSatisfy(\.passed) {
                        recorder.validation = .passed
                        recorder.servedBy = model
                        recorder.addAttempt(model, outcome: "ok", status: 200, since: started, usage: usage, checks: checks)
                        runtime.rememberSession(call, model: model, usage: usage)
                        let headers = successHeaders(model: model, recorder: recorder, contentType: "text/event-stream")
                        return relayer.replay(held, model: model, headers: headers, recorder: recorder, usage: usage)
                    }
                }
                recorder.addUnservedAttempt(model, outcome: held.failure == nil ? "invalid" : "failed_mid_stream", since: started, usage: usage, checks: checks)
                if held.failure == nil { rejected = .stream(held, model: model, checks: checks) }
                let reason = checks.filter { !$0.passed }.map(\.validator).joined(separator: ",")
                let escalated = call.routing.pipeline.escalation(
                    from: decision, servedBy: model, request: call.route, availability: runtime.health, because: "\(reason) failed")
                decision = escalated ?? next
                recorder.escalate(to: decision)
                noteEscalation()
            }
        }
    }

    /// Runs the deterministic validators, then the judge when asked for and everything passed.
    private func validate(_ answer: CandidateAnswer, recorder: inout CallRecorder) async -> [ValidatorCheck] {
        var results = call.validation.check(answer)
        if call.validation.judge, results.allSatisfy(\.passed) {
            results.append(await AnswerJudge(runtime: runtime).judge(answer, for: call, recorder: &recorder))
        }
        return results.map(ValidatorCheck.init)
    }

    /// Counts the escalation against the run, as a feature of its next calls.
    private func noteEscalation() {
        if let key = call.sessionKey { runtime.affinity.noteEscalation(key) }
    }

    private func escalation(from decision: RouteDecision, servedBy model: ModelSpec, checks: [ValidatorCheck]) -> RouteDecision? {
        let failed = checks.filter { !$0.passed }.map(\.validator).joined(separator: ",")
        return call.routing.pipeline.escalation(
            from: decision, servedBy: model, request: call.route, availability: runtime.health, because: failed.isEmpty ? "validation" : "\(failed) failed")
    }

    /// No tier produced a passing answer: the last one with a failed-validation header, or an
    /// error, as configured.
    private func serveRejected(_ rejected: Rejected, recorder initial: CallRecorder, note: String? = nil) async -> Response {
        var recorder = initial
        recorder.validation = .failed
        let failed = rejected.checks.filter { !$0.passed }
        if runtime.config.validation.onFinalFailure == .error {
            let details = failed.map { "\($0.validator): \($0.detail ?? "failed")" }.joined(separator: "; ")
            let error = GatewayError(.upstream, "No model produced an answer that passed validation (\(details.prefix(500))).", code: "validation_failed")
            return await fail(error, recorder: recorder)
        }
        // Its cost is already in the spent totals: serve it with no further usage.
        var response: Response
        switch rejected {
        case .json(let buffer, let model, _):
            recorder.servedBy = model
            response = await respondJSON(buffer, usage: .zero, model: model, recorder: recorder)
        case .stream(let held, let model, _):
            recorder.servedBy = model
            let headers = successHeaders(model: model, recorder: recorder, contentType: "text/event-stream")
            response = StreamRelayer(runtime: runtime, call: call).replay(held, model: model, headers: headers, recorder: recorder, usage: .zero)
        }
        response.headers[TriageHeader.validation] = "failed: " + failed.map(\.validator).joined(separator: ",")
        return response
    }

    /// Answers with a complete completion: canonical (translated for the client here), or
    /// already the client's own body (`isClientBody`, a same-format provider's answer).
    private func respondJSON(_ buffer: ByteBuffer, usage: Usage, model: ModelSpec, recorder initial: CallRecorder, isClientBody: Bool = false) async -> Response {
        var recorder = initial
        recorder.servedBy = model
        let body: ByteBuffer
        do {
            body = isClientBody ? buffer : try call.egress.responseBody(canonical: buffer)
        } catch {
            recorder.addAttempt(model, outcome: "untranslatable", status: 200, since: .now, detail: error.message, usage: usage)
            return await fail(GatewayError(.upstream, "The model's answer cannot be expressed in the client's format: \(error.message)", code: "untranslatable_response"), recorder: recorder)
        }
        // The whole answer is ready and goes out in one write: its first byte is now.
        recorder.firstByte = .now
        let trace = recorder.trace(status: .ok, httpStatus: 200, usage: usage)
        await runtime.finish(trace, spanParent: recorder.spanParent)
        runtime.rememberSession(call, model: model, usage: usage)
        var headers = successHeaders(model: model, recorder: recorder, contentType: "application/json")
        headers[TriageHeader.costUSD] = ModelPrice.usdText(trace.costUSD)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    private func successHeaders(model: ModelSpec, recorder: CallRecorder, contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(8)
        headers[.contentType] = contentType
        if contentType == "text/event-stream" {
            headers[.cacheControl] = "no-cache"
        }
        headers[TriageHeader.requestID] = recorder.requestID
        headers[TriageHeader.model] = model.name
        headers[TriageHeader.tier] = model.tier.rawValue
        headers[TriageHeader.escalations] = String(recorder.escalations)
        if let validation = recorder.validation {
            headers[TriageHeader.validation] = validation.rawValue
        }
        if call.wantsReasons, let reasons = recorder.decision?.reasons {
            headers[TriageHeader.reasons] = TriageHeader.safeValue(reasons.joined(separator: "; "))
        }
        return headers
    }

    private func fail(_ error: GatewayError, recorder: CallRecorder, status: TraceStatus = .failed) async -> Response {
        let traceStatus: TraceStatus = status == .failed && error.httpStatus < 500 && error.httpStatus != 429 ? .rejected : status
        await runtime.finish(recorder.trace(status: traceStatus, httpStatus: error.httpStatus, error: error.message), spanParent: recorder.spanParent)
        var response = call.egress.errorResponse(error, requestID: recorder.requestID)
        response.headers[TriageHeader.escalations] = String(recorder.escalations)
        if let validation = recorder.validation { response.headers[TriageHeader.validation] = validation.rawValue }
        return response
    }

}

extension CallRecorder {
    /// The call re-runs under `decision`, one tier up.
    mutating func escalate(to decision: RouteDecision) {
        escalations += 1
        self.decision = decision
    }
}
