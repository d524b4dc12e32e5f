/// The optional judge validator: a small-tier model asked whether an answer satisfies the
/// request, answering PASS or FAIL. It runs only where a validator list names `judge`.
public struct JudgeSettings: Sendable, Equatable {
    /// The model that judges; `nil` picks the cheapest small-tier model.
    public var model: String?
    public var instructions = """
        You grade answers produced by another AI model. Reply with exactly one word: PASS if the answer \
        correctly and completely does what the request asks, FAIL otherwise.
        """
    /// The answer is cut to this many characters before it is sent to the judge.
    public var maxAnswerCharacters = 16_000

    public init(model: String? = nil) {
        self.model = model
    }
}
