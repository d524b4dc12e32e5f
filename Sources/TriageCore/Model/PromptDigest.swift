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

extension PromptDigest.Message {
    /// An OpenAI chat message: its role (default `user`) and its text — the string content, or
    /// the text parts of a content array joined by line breaks.
    public init(openAI message: JSONValue) {
        let role = message["role"]?.stringValue ?? "user"
        switch message["content"] {
        case .string(let text)?: self.init(role: role, text: text)
        case .array(let parts)?: self.init(role: role, text: parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n"))
        default: self.init(role: role, text: "")
        }
    }
}
