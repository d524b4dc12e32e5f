import Hummingbird
import NIOCore
import TriageCore
import TriageCodecs
import TriageRouting
import TriageValidation

/// One decoded chat completion call and what the controller worked out about it before the
/// executor runs it. A class: the call is handed to every step of the request (executor,
/// attempts, stream relay, recorder) and never changes, so each step shares it instead of
/// copying its 600 bytes.
final class ChatCall: Sendable {
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
    /// The client's wire format.
    let egress: ClientEgress

    init(
        chat: OpenAIChatRequest, route: RouteRequest, validation: ValidationPlan, sessionKey: String?, wantsReasons: Bool, routing: RoutingSnapshot,
        egress: ClientEgress = .openAIChat
    ) {
        self.chat = chat
        self.route = route
        self.validation = validation
        self.sessionKey = sessionKey
        self.wantsReasons = wantsReasons
        self.routing = routing
        self.egress = egress
    }
}

/// The wire format the client speaks, and so the one its answer, stream and errors go back in.
enum ClientEgress: Sendable {
    /// OpenAI chat completions: the canonical format itself, sent on untouched.
    case openAIChat
    /// Another format, through its codec (Anthropic Messages, OpenAI Responses).
    case codec(any ClientCodec)

    /// Whether the request was translated into the canonical chat.
    var isTranslated: Bool {
        if case .codec = self { return true }
        return false
    }

    /// The client's response body for a canonical `chat.completion` buffer.
    func responseBody(canonical buffer: ByteBuffer) throws(GatewayError) -> ByteBuffer {
        guard case .codec(let codec) = self else { return buffer }
        guard let value = buffer.withUnsafeReadableBytes({ try? JSONParser.parse(buffer: $0) }), case .object(let completion) = value else {
            throw GatewayError(.upstream, "The provider sent an unreadable response.", code: "upstream_invalid_response")
        }
        return ByteBuffer(bytes: JSONWriter.bytes(try codec.response(from: completion)))
    }

    /// A transcoder from canonical stream bytes to the client's, or `nil` when none is needed.
    /// The provider format whose streams the client takes as they are.
    var sameFormatProvider: ProviderFormat? {
        guard case .codec(let codec) = self else { return nil }
        return codec.sameFormatProvider
    }

    func streamTranscoder() -> ClientStreamTranscoder? {
        guard case .codec(let codec) = self else { return nil }
        return ClientStreamTranscoder(encoder: codec.streamEncoder())
    }

    /// The error response in the client's format.
    func errorResponse(_ error: GatewayError, requestID: String?) -> Response {
        guard case .codec(let codec) = self else { return error.response(requestID: requestID) }
        return error.response(requestID: requestID, status: codec.httpStatus(for: error), body: codec.errorBody(for: error))
    }
}
