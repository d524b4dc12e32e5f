import Foundation
import Testing
import TriageCore
import TriageFakeUpstream

/// Drives the gateway with the official `openai` and `anthropic` Python SDKs — chat, Messages and
/// Responses — against models behind OpenAI, Anthropic and Gemini fake upstreams.
/// `scripts/test.sh` creates the venv and sets `TRIAGE_INTEROP_PYTHON`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_INTEROP_PYTHON"] != nil))
struct CrossFormatSDKInteropTests {
    @Test func officialSDKsSpeakEveryFormatToEveryProvider() async throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRIAGE_INTEROP_PYTHON"])
        let tools: [(name: String, format: ProviderFormat)] = [("oa-tools", .openai), ("an-tools", .anthropic), ("ge-tools", .gemini)]
        let harness = try await CrossFormatHarness.start(extraModels: tools)
        for (name, format) in tools {
            // chat round trip, then Messages tool use: a call, then the answer to its result.
            for _ in 0..<2 {
                harness.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#), format, model: name)
                harness.enqueue(.text("Hello from the fake upstream."), format, model: name)
            }
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRIAGE_BASE_URL"] = harness.gateway.baseURL
        environment["TRIAGE_API_KEY"] = "sk-test"
        let script = OpenAISDKInteropTests.packageRoot.appendingPathComponent("Tests/Interop/cross_format_sdk_interop.py").path
        let result = try await ChildProcess.run(python, [script], environment: environment)
        let text = result.output
        #expect(result.status == 0, "interop script failed:\n\(text)")
        #expect(text.contains(" passed, 0 failed"), "\(text)")
        try await harness.stop()
    }
}
