/// What a stream relay sends the client for one piece of upstream bytes.
public enum SSEForward: Sendable, Equatable {
    /// The piece exactly as received: it held whole events only, all of them forwarded.
    case input
    /// These bytes (possibly none).
    case bytes([UInt8])
}
