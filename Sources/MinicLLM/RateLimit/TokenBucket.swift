/// One token bucket: `level` at time `stamp`, refilled at `rate` per second up to `capacity`. The level
/// may go below zero — tokens taken by calls already admitted — and later calls wait it out.
/// The arithmetic of ``RateLimiter``'s documentation, for ``LocalRateLimiter``.
struct TokenBucket: Sendable, Equatable {
    var level: Double
    var stamp: Double

    /// A full bucket at `now`.
    init(capacity: Double, now: Double) {
        level = capacity
        stamp = now
    }

    mutating func refill(now: Double, rate: Double, capacity: Double) {
        if now > stamp {
            level += (now - stamp) * rate
            stamp = now
        }
        level = min(capacity, level)
    }

    /// Takes `amount`; returns the seconds until the level is back at zero (0 when it never went below).
    mutating func take(_ amount: Double, now: Double, rate: Double, capacity: Double) -> Double {
        refill(now: now, rate: rate, capacity: capacity)
        level -= amount
        return level >= 0 ? 0 : -level / rate
    }

    /// Gives `amount` back (a negative amount takes more, without a wait).
    mutating func give(_ amount: Double, now: Double, rate: Double, capacity: Double) {
        refill(now: now, rate: rate, capacity: capacity)
        level = min(capacity, level + amount)
    }

    /// Empties the bucket so that it is back at zero `seconds` from now, or later if it already owes more.
    mutating func drain(for seconds: Double, now: Double, rate: Double, capacity: Double) {
        refill(now: now, rate: rate, capacity: capacity)
        level = min(level, -seconds * rate)
    }
}
