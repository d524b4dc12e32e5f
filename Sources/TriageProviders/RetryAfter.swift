import Foundation

/// Reads how long an upstream asks us to wait: `retry-after-ms` (OpenAI), `retry-after` as
/// seconds, or `retry-after` as an HTTP date.
public enum RetryAfter {
    public static func duration(retryAfterMs: String?, retryAfter: String?, now: Date = Date()) -> Duration? {
        if let retryAfterMs, let ms = Double(retryAfterMs.trimmingCharacters(in: .whitespaces)), ms.isFinite, ms >= 0 {
            return .milliseconds(Int64(min(ms, 86_400_000)))
        }
        guard let value = retryAfter?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64(min(seconds, 86_400) * 1000))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) {
            let seconds = max(0, min(date.timeIntervalSince(now), 86_400))
            return .milliseconds(Int64(seconds * 1000))
        }
        return nil
    }
}

extension Duration {
    /// Whole seconds, rounded up, for a `retry-after` header.
    public var wholeSecondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
