import Foundation

/// What the head of a provider's answer says about its limits: how long every call to it should hold back.
///
/// - A 429 with `retry-after: SECONDS` (any provider): that long.
/// - Anthropic's `anthropic-ratelimit-requests-remaining` and `anthropic-ratelimit-tokens-remaining`:
///   when one runs low, until its `anthropic-ratelimit-*-reset` (RFC 3339). Low means at most 5% of the
///   matching `-limit` header left (`remaining ≤ limit / 20`, so 0 of a limit under 20; 0 when no limit was
///   sent), and for tokens also fewer left than the call just made was estimated to cost (the next one
///   would not fit).
///
/// Pauses are cut to ``maxPauseSeconds``: providers count per minute, so a longer one is a clock or parse
/// mistake; a reset already past (clocks apart) is no pause, and the provider's 429 then says how long.
enum RateSignals {
    /// The longest pause one answer can ask for.
    static let maxPauseSeconds: Double = 60

    /// Seconds to hold back after an answer with `head` to a call estimated at `estimatedTokens` (0: none).
    static func pause(head: HTTPResponseHead, estimatedTokens: Int, dialect: StreamDialect, now: Date = Date()) -> Double {
        var seconds = 0.0
        if head.status == 429, let value = head.headers["retry-after"], let retryAfter = Double(value.trimmingCharacters(in: .whitespaces)),
            retryAfter.isFinite
        {
            seconds = retryAfter
        }
        if dialect == .anthropic {
            for kind in ["requests", "tokens"] {
                let prefix = "anthropic-ratelimit-\(kind)-"
                guard let remaining = integer(head.headers[prefix + "remaining"]) else { continue }
                let limit = integer(head.headers[prefix + "limit"])
                let low = remaining <= (limit ?? 0) / 20 || (kind == "tokens" && remaining < estimatedTokens)
                guard low, let reset = head.headers[prefix + "reset"].flatMap(date) else { continue }
                seconds = max(seconds, reset.timeIntervalSince(now))
            }
        }
        return min(max(0, seconds), maxPauseSeconds)
    }

    private static func integer(_ text: String?) -> Int? { text.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// An RFC 3339 time, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: trimmed)
    }
}
