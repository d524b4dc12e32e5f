import Foundation
import Testing
import TriageFakeUpstream

/// Drives the gateway with the official `openai` Python SDK. `scripts/test.sh` creates the venv
/// and sets `TRIAGE_INTEROP_PYTHON`; a bare `swift test` without it skips this suite.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_INTEROP_PYTHON"] != nil))
struct OpenAISDKInteropTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func officialSDKCompletesChatStreamAndToolCalls() async throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRIAGE_INTEROP_PYTHON"])
        let gateway = try await GatewayHarness.start()
        defer { Task { try? await gateway.stop() } }
        // The script's tool-call checks use triage/small, whose cheapest model is fake-small-a.
        for _ in 0..<2 {
            gateway.upstream.enqueue(.toolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#), forModel: "fake-small-a")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRIAGE_BASE_URL"] = gateway.baseURL + "/v1"
        environment["TRIAGE_API_KEY"] = "sk-test"
        let result = try await ChildProcess.run(python, [Self.packageRoot.appendingPathComponent("Tests/Interop/openai_sdk_interop.py").path], environment: environment)
        let text = result.output
        #expect(result.status == 0, "interop script failed:\n\(text)")
        #expect(text.contains(" passed, 0 failed"), "\(text)")
    }
}
