import Foundation

/// The in-process ``RateLimiter``: token buckets for requests and tokens per ``RateBucketKey``, shared
/// by every task of the process. On a SQLite home this is the limiter, so the limits are per process:
/// two worker processes on one home may together send twice as much.
///
/// Thread-safe (one lock; every operation is a few arithmetic steps under it). Time is the monotonic
/// clock (`DispatchTime`), so a wall-clock change neither stalls nor floods calls.
public final class LocalRateLimiter: RateLimiter, @unchecked Sendable {
    /// The limiter of this process, used by every pipeline unless another is given.
    public static let shared = LocalRateLimiter()

    private struct State {
        var requests: TokenBucket?
        var tokens: TokenBucket?
        var pausedUntil = -Double.infinity
    }

    private let lock = NSLock()
    private let now: @Sendable () -> Double
    // Guarded by `lock`.
    private var states: [RateBucketKey: State] = [:]

    /// - Parameter clock: seconds on a monotonic clock (tests give their own).
    public init(clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        now = clock
    }

    public func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) -> RateGrant {
        update(key, limits) { state, now in
            var wait = max(0, state.pausedUntil - now)
            if let (rate, capacity) = limits.requestBucket {
                wait = max(wait, state.requests?.take(Double(cost.requests), now: now, rate: rate, capacity: capacity) ?? 0)
            }
            if let (rate, capacity) = limits.tokenBucket {
                wait = max(wait, state.tokens?.take(Double(cost.tokens), now: now, rate: rate, capacity: capacity) ?? 0)
            }
            return RateGrant(key: key, limits: limits, cost: cost, wait: wait)
        }
    }

    public func correct(_ grant: RateGrant, actual: RateCost) {
        let limits = grant.limits
        update(grant.key, limits) { state, now in
            if let (rate, capacity) = limits.requestBucket {
                state.requests?.give(Double(grant.cost.requests - actual.requests), now: now, rate: rate, capacity: capacity)
            }
            if let (rate, capacity) = limits.tokenBucket {
                state.tokens?.give(Double(grant.cost.tokens - actual.tokens), now: now, rate: rate, capacity: capacity)
            }
        }
    }

    public func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        update(key, limits) { state, now in
            state.pausedUntil = max(state.pausedUntil, now + seconds)
            if let (rate, capacity) = limits.requestBucket { state.requests?.drain(for: seconds, now: now, rate: rate, capacity: capacity) }
            if let (rate, capacity) = limits.tokenBucket { state.tokens?.drain(for: seconds, now: now, rate: rate, capacity: capacity) }
        }
    }

    /// Runs `body` on the state of `key` under the lock, with buckets for the limits in force (a bucket
    /// starts full; a limit taken away drops its bucket, a changed one keeps its level within the new capacity).
    private func update<T>(_ key: RateBucketKey, _ limits: RateLimits, _ body: (inout State, Double) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        let now = now()
        var state = states[key] ?? State()
        if let (_, capacity) = limits.requestBucket {
            if state.requests == nil { state.requests = TokenBucket(capacity: capacity, now: now) }
        } else {
            state.requests = nil
        }
        if let (_, capacity) = limits.tokenBucket {
            if state.tokens == nil { state.tokens = TokenBucket(capacity: capacity, now: now) }
        } else {
            state.tokens = nil
        }
        let result = body(&state, now)
        states[key] = state
        return result
    }
}
