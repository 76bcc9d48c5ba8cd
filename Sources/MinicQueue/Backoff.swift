import Foundation

/// Exponential backoff with full jitter (the AWS architecture blog's variant):
/// attempt n waits a random time in [0, min(max, base * 2^(n-1))], so retries of
/// many tasks failing together spread out instead of arriving in waves.
public struct Backoff: Sendable {
    public let base: Double
    public let maximum: Double

    public init(base: Double, maximum: Double) {
        self.base = base
        self.maximum = maximum
    }

    /// The ceiling of the wait after the `attempt`-th failure (1-based).
    public func ceiling(afterAttempt attempt: Int) -> Double {
        min(maximum, base * pow(2, Double(max(0, min(attempt - 1, 62)))))
    }

    /// A random wait after the `attempt`-th failure.
    public func delay(afterAttempt attempt: Int) -> Double {
        let top = ceiling(afterAttempt: attempt)
        return top <= 0 ? 0 : Double.random(in: 0...top)
    }
}
