import Foundation
import MinicBase

/// Requests per minute per token: a token bucket for each, refilled continuously, holding `burst` requests.
final class TokenBuckets: Sendable {
    let perMinute: Double
    let burst: Double
    private let buckets = Locked<[String: Bucket]>([:])

    struct Bucket {
        var level: Double
        var at: Double
    }

    /// - Parameter perMinute: 0 turns the limit off.
    init(perMinute: Int, burst: Int) {
        self.perMinute = Double(perMinute)
        self.burst = Double(max(1, burst))
    }

    /// Takes one request from `key`'s bucket.
    /// - Returns: `nil` when allowed, else the seconds until one is.
    func take(_ key: String, now: Double = ProcessInfo.processInfo.systemUptime) -> Double? {
        guard perMinute > 0 else { return nil }
        let rate = perMinute / 60
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(level: burst, at: now)
            bucket.level = min(burst, bucket.level + (now - bucket.at) * rate)
            bucket.at = now
            defer { buckets[key] = bucket }
            if bucket.level >= 1 {
                bucket.level -= 1
                return nil
            }
            return (1 - bucket.level) / rate
        }
    }
}
