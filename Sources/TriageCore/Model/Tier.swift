/// A model tier, ordered from cheapest to most capable.
public enum Tier: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case small
    case mid
    case frontier

    /// The next tier up, or `nil` at the top.
    public var next: Tier? {
        switch self {
        case .small: .mid
        case .mid: .frontier
        case .frontier: nil
        }
    }

    private var rank: Int {
        switch self {
        case .small: 0
        case .mid: 1
        case .frontier: 2
        }
    }

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }
}

/// Where a call runs: realtime over HTTP now, a local model, or queued for a provider batch API.
public enum Lane: String, Sendable, Hashable, CaseIterable, Codable {
    case realtime
    case local
    case batch
}
