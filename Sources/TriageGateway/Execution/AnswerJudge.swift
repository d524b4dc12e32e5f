import NIOCore
import TriageCodecs
import TriageCore
import TriageProviders
import TriageRouting
import TriageStore
import TriageValidation

/// The optional judge validator: asks a small-tier model whether an answer does what the
/// request asks, and reads PASS or FAIL. Its cost is added to the call. When the judge itself
/// cannot be reached, the answer passes (the deterministic validators already did) and the
/// result says why.
struct AnswerJudge: Sendable {
    let runtime: GatewayRuntime

    func judge(_ answer: CandidateAnswer, for call: ChatCall, recorder: inout CallRecorder) async -> ValidationResult {
        let settings = runtime.config.judge
        let catalog = runtime.config.catalog
        let model =
            settings.model.flatMap(catalog.model(named:))
            ?? runtime.routing.pipeline.selector.candidates(in: .small, for: RequestFeatures(estimatedInputTokens: 0), availability: runtime.health).first?.model
        guard let model, let provider = catalog.provider(for: model) else {
            return ValidationResult(validator: "judge", passed: true, detail: "no judge model configured")
        }
        let started = ContinuousClock.now
        let request: UpstreamRequest
        do {
            let judgeChat = try OpenAIChatRequest.decode(body(for: answer, call: call, model: model, settings: settings))
            request = try ProviderExchange.request(judgeChat, model: model, provider: provider, stream: false, translated: false)
        } catch {
            return ValidationResult(validator: "judge", passed: true, detail: "judge unavailable (\(error.message))")
        }
        do {
            let response = try await runtime.upstream.send(request)
            guard response.status == 200, case .success(let completion) = await UpstreamAttempts.collectJSON(response, provider: provider, model: model) else {
                _ = try? await response.body.collect(upTo: UpstreamAttempts.maxErrorBodyBytes)
                recorder.addAttempt(model, outcome: "judge", status: Int(response.status), since: started, detail: "judge call failed")
                return ValidationResult(validator: "judge", passed: true, detail: "judge unavailable (status \(response.status))")
            }
            let (buffer, usage) = (completion.buffer, completion.usage)
            let verdict = (UpstreamAttempts.parse(buffer).flatMap(CandidateAnswer.init(openAICompletion:))?.text ?? "").uppercased()
            let passed = verdict.contains("PASS") && !verdict.contains("FAIL")
            let result = passed ? ValidationResult.pass("judge") : .fail("judge", "the judge model answered \(verdict.prefix(20))")
            recorder.addUnservedAttempt(model, outcome: "judge", since: started, usage: usage ?? .zero, checks: [ValidatorCheck(result)])
            return result
        } catch {
            recorder.addAttempt(model, outcome: "judge", since: started, detail: error.publicDescription)
            return ValidationResult(validator: "judge", passed: true, detail: "judge unavailable (\(error.publicDescription))")
        }
    }

    private func body(for answer: CandidateAnswer, call: ChatCall, model: ModelSpec, settings: JudgeSettings) -> [UInt8] {
        var shown = answer.text
        for toolCall in answer.toolCalls { shown += "\n[tool call \(toolCall.name)(\(toolCall.arguments))]" }
        if shown.count > settings.maxAnswerCharacters { shown = String(shown.prefix(settings.maxAnswerCharacters)) + "\n[…cut]" }
        let asked = call.chat.digest().lastUserText
        var system = JSONObject()
        system["role"] = .string("system")
        system["content"] = .string(settings.instructions)
        var user = JSONObject()
        user["role"] = .string("user")
        user["content"] = .string("REQUEST:\n\(asked.prefix(settings.maxAnswerCharacters))\n\nANSWER:\n\(shown)\n\nReply PASS or FAIL.")
        var body = JSONObject()
        body["model"] = .string(model.upstreamName)
        body["messages"] = .array([.object(system), .object(user)])
        return JSONWriter.bytes(.object(body))
    }
}
