import TriageCore

/// A validator as configured or requested, before it is bound to one request: the forms that
/// take their schema from the request itself are resolved by `ValidationPolicy.plan`.
public enum ValidatorSpec: Sendable, Hashable {
    /// A validator that needs nothing from the request.
    case fixed(OutputValidator)
    /// `json_schema` without a schema: the request's `response_format` JSON schema.
    case responseFormatSchema
    /// `tool_arguments` without schemas: the parameter schemas of the request's tools.
    case offeredTools
    /// A small-tier model call that grades the answer pass / fail.
    case judge
}

/// What a request offers validators: its structured-output ask and its tools' schemas.
public struct RequestContract: Sendable {
    /// `json_object` or `json_schema` when the request asks for structured output.
    public var responseFormatType: String?
    /// The `response_format.json_schema.schema`, when given.
    public var responseFormatSchema: JSONValue?
    /// Parameter schema per offered function tool.
    public var toolSchemas: [String: JSONValue]

    public init(responseFormatType: String? = nil, responseFormatSchema: JSONValue? = nil, toolSchemas: [String: JSONValue] = [:]) {
        self.responseFormatType = responseFormatType
        self.responseFormatSchema = responseFormatSchema
        self.toolSchemas = toolSchemas
    }
}

/// The validators that apply to one request.
public struct ValidationPlan: Sendable {
    public var validators: [OutputValidator]
    /// Whether the pass / fail judge runs after the deterministic validators pass.
    public var judge: Bool

    public init(validators: [OutputValidator] = [], judge: Bool = false) {
        self.validators = validators
        self.judge = judge
    }

    public static let none = ValidationPlan()

    public var isEmpty: Bool { validators.isEmpty && !judge }

    /// Runs every deterministic validator on the answer.
    public func check(_ answer: CandidateAnswer) -> [ValidationResult] {
        validators.map { $0.validate(answer) }
    }
}

/// Which validators apply to which calls, and how escalation behaves (`validation:` in the
/// config). Validators come from the caller's role, the classified skill, the request's own
/// contract (its JSON schema and tools) and, when allowed, a per-request list.
public struct ValidationPolicy: Sendable {
    /// What the client receives when no tier produced a passing answer.
    public enum FinalFailure: String, Sendable, CaseIterable {
        /// The last answer, with `X-Triage-Validation: failed …`.
        case returnLast = "return_last"
        /// A 502 `validation_failed` error.
        case error
    }

    public var byRole: [String: [ValidatorSpec]]
    public var bySkill: [String: [ValidatorSpec]]
    /// Check a `response_format` JSON schema / JSON object ask and tool arguments automatically.
    public var inferFromRequest: Bool
    /// Honour `X-Triage-Validate` and `metadata.triage_validate`.
    public var allowRequestOverrides: Bool
    /// Re-runs one tier up, per request, at most.
    public var maxEscalations: Int
    public var onFinalFailure: FinalFailure
    /// Hold a streamed cheap answer until it validates (otherwise streams are never escalated).
    public var holdStreams: Bool

    public init(
        byRole: [String: [ValidatorSpec]] = [:], bySkill: [String: [ValidatorSpec]] = [:], inferFromRequest: Bool = true,
        allowRequestOverrides: Bool = true, maxEscalations: Int = 1, onFinalFailure: FinalFailure = .returnLast, holdStreams: Bool = true
    ) {
        self.byRole = byRole
        self.bySkill = bySkill
        self.inferFromRequest = inferFromRequest
        self.allowRequestOverrides = allowRequestOverrides
        self.maxEscalations = maxEscalations
        self.onFinalFailure = onFinalFailure
        self.holdStreams = holdStreams
    }

    /// The validators for one request. A per-request list (when allowed) replaces the role and
    /// skill lists; `none` in it turns validation off for the call.
    public func plan(role: String?, skill: String?, requested: [ValidatorSpec]?, contract: RequestContract) -> ValidationPlan {
        var specs: [ValidatorSpec] = []
        if allowRequestOverrides, let requested {
            specs = requested
        } else {
            if let role, let list = byRole[role] { specs += list }
            if let skill, let list = bySkill[skill] { specs += list }
            if inferFromRequest {
                switch contract.responseFormatType {
                case "json_schema" where contract.responseFormatSchema != nil: specs.append(.responseFormatSchema)
                case "json_object", "json_schema": specs.append(.fixed(.jsonParses))
                default: break
                }
                if !contract.toolSchemas.isEmpty { specs.append(.offeredTools) }
            }
        }
        var plan = ValidationPlan()
        for spec in specs {
            let validator: OutputValidator?
            switch spec {
            case .fixed(let fixed): validator = fixed
            case .responseFormatSchema: validator = contract.responseFormatSchema.map { .jsonSchema($0) } ?? (contract.responseFormatType != nil ? .jsonParses : nil)
            case .offeredTools: validator = contract.toolSchemas.isEmpty ? nil : .toolArguments(schemasByTool: contract.toolSchemas)
            case .judge:
                plan.judge = true
                validator = nil
            }
            if let validator, !plan.validators.contains(validator) { plan.validators.append(validator) }
        }
        return plan
    }
}
