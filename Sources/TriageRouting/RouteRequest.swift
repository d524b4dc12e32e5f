import TriageCore

/// What the client asked for in the `model` field.
public enum RouteTarget: Sendable, Hashable {
    /// `triage/auto`: the router decides.
    case auto
    /// `triage/small|mid|frontier`: a forced tier.
    case tier(Tier)
    /// A concrete model name, passed through.
    case model(String)

    public static let prefix = "triage/"

    public init(modelField: String) throws(GatewayError) {
        guard modelField.hasPrefix(Self.prefix) else {
            self = .model(modelField)
            return
        }
        let name = modelField.dropFirst(Self.prefix.count)
        if name == "auto" {
            self = .auto
        } else if let tier = Tier(rawValue: String(name)) {
            self = .tier(tier)
        } else {
            throw GatewayError(
                .notFound, "The model `\(modelField)` does not exist. Use triage/auto, triage/small, triage/mid, triage/frontier or a configured model.",
                param: "model", code: "model_not_found")
        }
    }
}

/// Request facts the decision uses, computed in one pass over the request.
public struct RequestFeatures: Sendable, Hashable {
    public var estimatedInputTokens: Int
    /// The client's output cap, when it set one.
    public var maxOutputTokens: Int?
    public var messageCount: Int
    public var toolCount: Int
    public var stream: Bool

    public init(estimatedInputTokens: Int, maxOutputTokens: Int? = nil, messageCount: Int = 1, toolCount: Int = 0, stream: Bool = false) {
        self.estimatedInputTokens = estimatedInputTokens
        self.maxOutputTokens = maxOutputTokens
        self.messageCount = messageCount
        self.toolCount = toolCount
        self.stream = stream
    }
}

/// The input of a routing decision.
public struct RouteRequest: Sendable {
    public var target: RouteTarget
    public var role: String?
    /// Name of the authenticated client key, when auth is on.
    public var keyName: String?
    public var runID: String?
    public var features: RequestFeatures
    /// The request's text, for the skill classifier and risk predictor.
    public var prompt: PromptDigest?
    /// The model that served earlier turns of this run or conversation (session affinity).
    public var sticky: StickyModel?
    /// The conversation carries provider-specific reasoning blocks: it must stay with the
    /// provider that produced them.
    public var carriesReasoning: Bool
    /// Escalations earlier in the same run: a run whose cheap answers keep failing is harder.
    public var priorEscalations: Int

    public init(
        target: RouteTarget, role: String? = nil, keyName: String? = nil, runID: String? = nil, features: RequestFeatures,
        prompt: PromptDigest? = nil, sticky: StickyModel? = nil, carriesReasoning: Bool = false, priorEscalations: Int = 0
    ) {
        self.priorEscalations = priorEscalations
        self.prompt = prompt
        self.sticky = sticky
        self.carriesReasoning = carriesReasoning
        self.target = target
        self.role = role
        self.keyName = keyName
        self.runID = runID
        self.features = features
    }
}
