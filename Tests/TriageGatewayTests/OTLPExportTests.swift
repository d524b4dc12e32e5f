import Foundation
import Testing
import TriageConfig
import TriageCore

/// What an OTLP/HTTP JSON export request carries, as the tests read it.
enum OTLPSpans {
    struct ExportedSpan: Equatable {
        var name: String
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var kind: Int
        var attributes: [String: JSONValue]
    }

    /// OTLP/JSON ids are hex (the spec) or base64 (protobuf's default JSON for bytes): both read as hex.
    static func hex(_ id: String) -> String {
        if id.count == 32 || id.count == 16, id.allSatisfy(\.isHexDigit) { return id.lowercased() }
        guard let data = Data(base64Encoded: id) else { return id }
        return data.map { String(format: "%02x", $0) }.joined()
    }

    static func spans(in document: JSONValue) -> [ExportedSpan] {
        var spans: [ExportedSpan] = []
        for resource in document["resourceSpans"]?.arrayValue ?? [] {
            for scope in resource["scopeSpans"]?.arrayValue ?? [] {
                for span in scope["spans"]?.arrayValue ?? [] {
                    var attributes: [String: JSONValue] = [:]
                    for attribute in span["attributes"]?.arrayValue ?? [] {
                        guard let key = attribute["key"]?.stringValue, case .object(let value)? = attribute["value"], let kind = value.keys.first else { continue }
                        attributes[key] = value[kind]
                    }
                    spans.append(
                        ExportedSpan(
                            name: span["name"]?.stringValue ?? "", traceID: hex(span["traceId"]?.stringValue ?? ""), spanID: hex(span["spanId"]?.stringValue ?? ""),
                            parentSpanID: hex(span["parentSpanId"]?.stringValue ?? ""), kind: span["kind"]?.intValue ?? 0, attributes: attributes))
                }
            }
        }
        return spans
    }
}

@Suite("OTLP export")
struct OTLPExportTests {
    @Test("spans reach an OTLP/HTTP collector and continue the caller's W3C traceparent")
    func exportsAndContinuesTraceparent() async throws {
        let collector = RecordingServer()
        let collectorPort = try await collector.start()
        let gateway = try await GatewayHarness.start { config in
            var otlp = OTLPSettings()
            otlp.endpoint = "http://127.0.0.1:\(collectorPort)/v1/traces"
            otlp.wireProtocol = .json
            otlp.exportDelayMilliseconds = 50
            otlp.serviceName = "triage-test"
            config.observability.otlp = otlp
        }
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let callerSpan = "00f067aa0ba902b7"
        let response = try await gateway.post(
            body: chatBody(), headers: ["traceparent": "00-\(traceID)-\(callerSpan)-01", "X-Triage-Role": "formatter"])
        #expect(response.status == 200)
        // A graceful stop flushes the exporter after the last call.
        try await gateway.stop()
        try await collector.stop()

        let spans = try collector.bodies(at: "/v1/traces").flatMap { OTLPSpans.spans(in: try JSONParser.parse($0)) }
        let request = try #require(spans.first { $0.name == "chat triage/auto" })
        #expect(request.traceID == traceID)
        #expect(request.parentSpanID == callerSpan)
        #expect(request.kind == 2)  // SPAN_KIND_SERVER
        #expect(request.attributes["gen_ai.operation.name"] == .string("chat"))
        #expect(request.attributes["gen_ai.response.model"] == .string("fake-small-a"))
        #expect(request.attributes["triage.tier"] == .string("small"))
        #expect(request.attributes["triage.role"] == .string("formatter"))
        let attempt = try #require(spans.first { $0.parentSpanID == request.spanID })
        #expect(attempt.traceID == traceID)
        #expect(attempt.kind == 3)  // SPAN_KIND_CLIENT
        #expect(attempt.name == "chat fake-small-a")
    }
}
