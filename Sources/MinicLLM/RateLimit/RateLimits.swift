/// The limits of one bucket key, from `llm.requests_per_minute`, `llm.tokens_per_minute` and `llm.rate_burst_seconds`.
public struct RateLimits: Sendable, Hashable {
    /// Requests per minute; nil: no limit of requests.
    public var requestsPerMinute: Int?
    /// Tokens (input + output) per minute; nil: no limit of tokens.
    public var tokensPerMinute: Int?
    /// How many seconds' worth of each limit may go out at once after a quiet spell (at least one request,
    /// at least one token): the capacity of each bucket.
    public var burstSeconds: Double

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, burstSeconds: Double = 1) {
        precondition(requestsPerMinute.map { $0 > 0 } ?? true && tokensPerMinute.map { $0 > 0 } ?? true && burstSeconds > 0, "limits must be positive")
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.burstSeconds = burstSeconds
    }

    /// No limit of either kind: only the provider's own signals (pauses) hold calls back.
    public static let unlimited = RateLimits()

    /// The request bucket's refill rate (per second) and capacity, if requests are limited.
    public var requestBucket: (rate: Double, capacity: Double)? { requestsPerMinute.map(bucket) }
    /// The token bucket's refill rate (per second) and capacity, if tokens are limited.
    public var tokenBucket: (rate: Double, capacity: Double)? { tokensPerMinute.map(bucket) }

    private func bucket(_ perMinute: Int) -> (rate: Double, capacity: Double) {
        let rate = Double(perMinute) / 60
        return (rate, max(1, rate * burstSeconds))
    }
}
