/// The text of a request as the routing layers read it, independent of the wire format: each
/// message's role and plain text, the tools offered and whether structured output is asked for.
public struct PromptDigest: Sendable, Hashable {
    public struct Message: Sendable, Hashable {
        public var role: String
        public var text: String

        public init(role: String, text: String) {
            self.role = role
            self.text = text
        }
    }

    public var messages: [Message]
    public var toolNames: [String]
    /// `json_object` or `json_schema` when the request asks for structured output.
    public var responseFormat: String?

    public init(messages: [Message], toolNames: [String] = [], responseFormat: String? = nil) {
        self.messages = messages
        self.toolNames = toolNames
        self.responseFormat = responseFormat
    }

    /// The latest user message: what is being asked now.
    public var lastUserText: String {
        messages.last { $0.role == "user" }?.text ?? ""
    }
}
