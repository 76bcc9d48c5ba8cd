/// What one call costs against a provider's limits: requests and tokens (input + output).
public struct RateCost: Sendable, Hashable {
    public var requests: Int
    public var tokens: Int

    public init(requests: Int, tokens: Int) {
        self.requests = requests
        self.tokens = tokens
    }

    /// A call that never went out.
    public static let zero = RateCost(requests: 0, tokens: 0)
}

/// Which bucket a call draws from: one per provider, endpoint and model, as providers count
/// their limits per model. Holds no key or other secret, so it may name a Redis key or a log line.
public struct RateBucketKey: Sendable, Hashable, CustomStringConvertible {
    /// `anthropic`, `openai`, ...
    public var provider: String
    /// The provider's base URL (without any user information).
    public var endpoint: String
    public var model: String

    public init(provider: String, endpoint: String, model: String) {
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
    }

    /// The key of calls to `model` at `baseURL`, with any user information (`user:password@`) taken out of the URL.
    public init(provider: String, baseURL: String, model: String) {
        var endpoint = baseURL
        if let scheme = endpoint.range(of: "://"), let at = endpoint[scheme.upperBound...].split(separator: "/", maxSplits: 1).first?.lastIndex(of: "@") {
            endpoint.removeSubrange(scheme.upperBound...at)
        }
        self.init(provider: provider, endpoint: endpoint, model: model)
    }

    /// `provider|endpoint|model`.
    public var description: String { "\(provider)|\(endpoint)|\(model)" }
}

/// The admission of one attempt: what it took from the buckets and how long it must wait before it goes out.
public struct RateGrant: Sendable, Hashable {
    public var key: RateBucketKey
    public var limits: RateLimits
    /// What was taken: one request and the estimated tokens.
    public var cost: RateCost
    /// Seconds to wait before sending (0: at once). The limiter never waits itself; the caller does, cancellably.
    public var wait: Double

    public init(key: RateBucketKey, limits: RateLimits, cost: RateCost, wait: Double) {
        self.key = key
        self.limits = limits
        self.cost = cost
        self.wait = wait
    }
}

/// Keeps model calls within `llm.requests_per_minute` and `llm.tokens_per_minute`, and holds them back
/// when the provider says it is running low. The seam between a call and whoever keeps the count:
/// ``LocalRateLimiter`` for one process (SQLite homes), a shared store for a fleet (Redis).
///
/// Every operation is one atomic step on the state of one ``RateBucketKey``, so a fleet-wide
/// implementation is one script per operation. The state: per bucket (requests, tokens) a level
/// and the time it was last refilled, plus a `paused until` time. With `rate = per_minute / 60`
/// per second and `capacity = max(1, rate × burst_seconds)` (``RateLimits``):
/// - refill: `level = min(capacity, level + (now − stamp) × rate)`, `stamp = now`;
/// - ``acquire(_:key:limits:)``: refill, `level −= cost` (it may go below zero: a debt later calls
///   wait out, in the order they came), `wait = max(−level / rate for each bucket, paused_until − now, 0)`;
/// - ``correct(_:actual:)``: refill, `level = min(capacity, level + taken − actual)`;
/// - ``pause(_:limits:seconds:)``: refill, `level = min(level, −seconds × rate)` (empty exactly when the
///   pause ends, so calls queued during it go out one by one after it, not all at once), and
///   `paused_until = max(paused_until, now + seconds)` (which also holds back a key with no limits).
/// An absent limit is no bucket: nothing is taken from it. Over any interval of `T` seconds at most
/// `capacity + rate × T` requests (tokens) are admitted.
///
/// Callers run on their own thread (the call's, never the cooperative pool), so an implementation may
/// block for one round trip to its store; it must never wait out the grant itself.
public protocol RateLimiter: Sendable {
    /// Takes `cost` from the buckets of `key` and says how long the attempt must wait before it goes out.
    /// - Throws: when the count cannot be kept (its store unreachable): the attempt then does not go out.
    func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) throws -> RateGrant
    /// Replaces an estimate with what the attempt really cost: `actual` is one request and the usage the
    /// provider reported, or ``RateCost/zero`` for an attempt that never went out (cancelled while waiting).
    /// Best effort: a failure leaves the estimate counted (the implementation logs it).
    func correct(_ grant: RateGrant, actual: RateCost)
    /// Holds every call to `key` back for `seconds` from now (the provider said it is running low, or
    /// answered 429 with `retry-after`). Never shortens an earlier pause. Best effort, like ``correct(_:actual:)``.
    func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double)
}
