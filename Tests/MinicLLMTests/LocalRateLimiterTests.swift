import Foundation
import XCTest

@testable import MinicLLM

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 1000.0

    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return seconds
    }

    func advance(_ by: Double) {
        lock.lock()
        seconds += by
        lock.unlock()
    }
}

/// The arithmetic of the in-process limiter, on a clock moved by hand: the buckets, the burst, the
/// correction of estimates and the provider's pauses.
final class LocalRateLimiterTests: XCTestCase {
    let key = RateBucketKey(provider: "anthropic", endpoint: "http://x", model: "m")
    let clock = ManualClock()
    lazy var limiter = LocalRateLimiter(clock: { [clock] in clock.now })

    func waits(_ count: Int, _ cost: RateCost = RateCost(requests: 1, tokens: 0), limits: RateLimits) -> [Double] {
        (0..<count).map { _ in limiter.acquire(cost, key: key, limits: limits).wait }
    }

    func testRequestsGoOutOneRateApartAfterTheBurst() {
        // 60 a minute, 3 seconds of burst: three at once, then one a second, in the order they came.
        XCTAssertEqual(waits(5, limits: RateLimits(requestsPerMinute: 60, burstSeconds: 3)), [0, 0, 0, 1, 2])
        clock.advance(10)  // Refilled, but never past the capacity.
        XCTAssertEqual(waits(4, limits: RateLimits(requestsPerMinute: 60, burstSeconds: 3)), [0, 0, 0, 1])
    }

    func testABurstIsAtLeastOneRequest() {
        XCTAssertEqual(waits(3, limits: RateLimits(requestsPerMinute: 6, burstSeconds: 1)), [0, 10, 20])
    }

    func testNoLimitsAdmitEverythingAtOnce() {
        XCTAssertEqual(waits(100, RateCost(requests: 1, tokens: 1_000_000), limits: .unlimited).max(), 0)
    }

    func testTokensAreEstimatedThenCorrected() {
        // 6000 tokens a minute (100 a second), 2 s of burst: 200 tokens.
        let limits = RateLimits(tokensPerMinute: 6000, burstSeconds: 2)
        let first = limiter.acquire(RateCost(requests: 1, tokens: 150), key: key, limits: limits)
        XCTAssertEqual(first.wait, 0)
        // Counted at the estimate, the next 150 would owe 100 tokens: one second.
        XCTAssertEqual(limiter.acquire(RateCost(requests: 1, tokens: 150), key: key, limits: limits).wait, 1, accuracy: 1e-9)
        // The first really cost 30: 120 come back, and the third call need not wait.
        limiter.correct(first, actual: RateCost(requests: 1, tokens: 30))
        XCTAssertEqual(limiter.acquire(RateCost(requests: 1, tokens: 20), key: key, limits: limits).wait, 0)
        // A call that cost more than its estimate owes the difference.
        let fourth = limiter.acquire(RateCost(requests: 1, tokens: 0), key: key, limits: limits)
        limiter.correct(fourth, actual: RateCost(requests: 1, tokens: 100))
        XCTAssertEqual(limiter.acquire(RateCost(requests: 1, tokens: 0), key: key, limits: limits).wait, 1, accuracy: 1e-9)
    }

    func testALargeCallWaitsOutItsOwnDebt() {
        let limits = RateLimits(tokensPerMinute: 600, burstSeconds: 1)  // 10 a second, 10 at once.
        XCTAssertEqual(limiter.acquire(RateCost(requests: 1, tokens: 50), key: key, limits: limits).wait, 4, accuracy: 1e-9)
    }

    func testAGrantNeverSentIsGivenBack() {
        let limits = RateLimits(requestsPerMinute: 60, burstSeconds: 1)
        XCTAssertEqual(waits(1, limits: limits), [0])
        let waiting = limiter.acquire(RateCost(requests: 1, tokens: 0), key: key, limits: limits)
        XCTAssertEqual(waiting.wait, 1)
        limiter.correct(waiting, actual: .zero)
        XCTAssertEqual(waits(1, limits: limits), [1], "the place given back is taken by the next caller")
    }

    func testAPauseHoldsEveryoneBackThenLetsThemOutOneByOne() {
        let limits = RateLimits(requestsPerMinute: 60, burstSeconds: 5)
        limiter.pause(key, limits: limits, seconds: 10)
        XCTAssertEqual(waits(3, limits: limits), [11, 12, 13], "queued during the pause, spaced after it")
        // A shorter pause does not shorten the first.
        limiter.pause(key, limits: limits, seconds: 2)
        XCTAssertEqual(waits(1, limits: limits), [14])
    }

    func testAPauseHoldsBackAKeyWithNoLimits() {
        limiter.pause(key, limits: .unlimited, seconds: 3)
        XCTAssertEqual(waits(2, limits: .unlimited), [3, 3])
        clock.advance(3)
        XCTAssertEqual(waits(1, limits: .unlimited), [0])
        let other = RateBucketKey(provider: "anthropic", endpoint: "http://x", model: "other")
        limiter.pause(key, limits: .unlimited, seconds: 3)
        XCTAssertEqual(limiter.acquire(RateCost(requests: 1, tokens: 0), key: other, limits: .unlimited).wait, 0, "other models go on")
    }

    func testTheKeyHoldsNoUserInformation() {
        XCTAssertEqual(RateBucketKey(provider: "openai", baseURL: "https://user:pa55@h.example:8443/v1", model: "m").endpoint, "https://h.example:8443/v1")
        XCTAssertEqual(RateBucketKey(provider: "openai", baseURL: "http://h/a@b", model: "m").endpoint, "http://h/a@b")
    }

    func testConcurrentCallersShareOneCount() {
        let limits = RateLimits(requestsPerMinute: 600, burstSeconds: 1)  // 10 at once, then 10 a second.
        let waits = LockedWaits()
        let limiter = self.limiter
        let key = self.key
        DispatchQueue.concurrentPerform(iterations: 40) { _ in waits.append(limiter.acquire(RateCost(requests: 1, tokens: 0), key: key, limits: limits).wait) }
        let expected: [Double] = (0..<40).map { (index: Int) -> Double in index < 10 ? 0 : Double(index - 9) / 10 }
        XCTAssertEqual(waits.sorted, expected)
    }
}

final class LockedWaits: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func append(_ value: Double) {
        lock.lock()
        values.append((value * 10).rounded() / 10)
        lock.unlock()
    }
    var sorted: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return values.sorted()
    }
}
