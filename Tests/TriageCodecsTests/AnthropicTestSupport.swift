import Foundation
import Testing
import TriageCodecs
import TriageCore

/// Helpers shared by the Anthropic codec tests: JSON from text, order-insensitive comparison,
/// recorded fixtures and SSE transcripts.
enum AnthropicTest {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/anthropic")

    static func json(_ text: String) -> JSONValue {
        do { return try JSONParser.parse(text) } catch { fatalError("bad test JSON: \(error)\n\(text)") }
    }

    static func object(_ text: String) -> JSONObject {
        guard case .object(let object) = json(text) else { fatalError("not an object: \(text)") }
        return object
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// The value with every object's members sorted by key (for comparisons that ignore order).
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.members.map { (key: $0.key, value: sorted($0.value)) }.sorted { $0.key < $1.key }))
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }

    static func same(_ actual: JSONValue?, _ expected: String) -> Bool {
        guard let actual else { return false }
        return sorted(actual) == sorted(json(expected))
    }

    /// The events of an SSE byte stream: name and parsed data.
    static func events(_ bytes: [UInt8]) throws -> [(name: String?, data: JSONValue)] {
        var parser = SSEParser()
        return try parser.push(bytes).map { (name: $0.event, data: try JSONParser.parse($0.data)) }
    }

    static func sseEvents(_ bytes: [UInt8]) throws -> [SSEEvent] {
        var parser = SSEParser()
        return try parser.push(bytes)
    }

    /// Runs `body` and checks that it throws a 400 naming `param`.
    static func expectInvalid(
        _ param: String?, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected a 400 for \(param ?? "the request")", sourceLocation: sourceLocation)
        } catch let error as GatewayError {
            #expect(error.kind == .invalidRequest, "\(error)", sourceLocation: sourceLocation)
            #expect(error.httpStatus == 400, sourceLocation: sourceLocation)
            if let param { #expect(error.param == param, "\(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("expected a GatewayError, got \(error)", sourceLocation: sourceLocation)
        }
    }
}
