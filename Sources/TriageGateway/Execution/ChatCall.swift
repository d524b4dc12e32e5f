import TriageCodecs
import TriageRouting
import TriageValidation

/// One decoded chat completion call and what the controller worked out about it before the
/// executor runs it.
struct ChatCall: Sendable {
    let chat: OpenAIChatRequest
    /// The routing input, kept for re-deciding when the call escalates.
    let route: RouteRequest
    /// Validators that apply to the answer.
    let validation: ValidationPlan
    /// The run or conversation this call continues (session affinity), when tracked.
    let sessionKey: String?
    /// The client asked for the decision's reasons in `X-Triage-Reasons`.
    let wantsReasons: Bool
    /// The routing policy the call was decided under; escalations use it too.
    let routing: RoutingSnapshot
}
