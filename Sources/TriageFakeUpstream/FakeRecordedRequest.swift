import TriageCore

/// A request the fake received, kept for assertions (`FakeOpenAIUpstream.requests`).
public struct FakeRecordedRequest: Sendable {
    public var method: String
    public var path: String
    /// Header values by lowercased name; repeated headers are joined with ", ".
    public var headers: [String: String]
    /// The body exactly as received.
    public var body: [UInt8]
    /// The parsed body, or `nil` when it is not JSON.
    public var json: JSONValue?
    /// The body's `model`, when present.
    public var model: String?

    public init(method: String, path: String, headers: [String: String], body: [UInt8], json: JSONValue?, model: String?) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.json = json
        self.model = model
    }
}
