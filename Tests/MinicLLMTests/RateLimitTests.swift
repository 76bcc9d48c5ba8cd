import Foundation
import MinicLLM
import MinicTestSupport
import XCTest

/// A limiter that records what a call asks of it, passing everything on to a real ``LocalRateLimiter``.
final class RecordingLimiter: RateLimiter, @unchecked Sendable {
    let inner: LocalRateLimiter
    private let lock = NSLock()
    private(set) var acquired: [RateCost] = []
    private(set) var corrected: [RateCost] = []
    private(set) var pauses: [Double] = []

    init(_ inner: LocalRateLimiter = LocalRateLimiter()) { self.inner = inner }

    func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) throws -> RateGrant {
        lock.withLock { acquired.append(cost) }
        return inner.acquire(cost, key: key, limits: limits)
    }

    func correct(_ grant: RateGrant, actual: RateCost) {
        lock.withLock { corrected.append(actual) }
        inner.correct(grant, actual: actual)
    }

    func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double) {
        lock.withLock { pauses.append(seconds) }
        inner.pause(key, limits: limits, seconds: seconds)
    }
}

/// A limiter whose store cannot be reached.
struct UnreachableLimiter: RateLimiter {
    struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }
    func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) throws -> RateGrant { throw Down() }
    func correct(_ grant: RateGrant, actual: RateCost) {}
    func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double) {}
}

/// The Anthropic client under a rate limiter, against the loopback Messages API server, which records
/// when each request arrived and can answer with Anthropic's rate-limit headers.
final class RateLimitTests: XCTestCase {
    var server: MessagesServer!

    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func provider(_ limiter: any RateLimiter, _ limits: RateLimits = .unlimited, total: Double = 30) -> AnthropicProvider {
        AnthropicProvider(
            apiKey: "test-key-123", baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: total),
            retry: RetryPolicy(maxRetries: 3, baseDelay: 0.05, maxDelay: 2), redact: { $0 }, rateLimiter: limiter, rateLimits: limits)
    }

    func request(_ model: String, maxTokens: Int = 50) -> LLMRequest {
        LLMRequest(model: model, system: "Be brief.", messages: [LLMMessage(role: .user, text: "Hi")], maxTokens: maxTokens)
    }

    /// `requests_per_minute: 60` with the default burst of one second: two callers in one process, three calls
    /// each, never more than burst + rate × 1 s = 2 requests in any one-second window, one a second overall.
    func testTwoConcurrentCallersStayWithinRequestsPerMinute() async throws {
        let provider = provider(LocalRateLimiter(), RateLimits(requestsPerMinute: 60, burstSeconds: 1))
        let request = request("ok")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<3 { _ = try await provider.complete(request) }
                }
            }
            try await group.waitForAll()
        }
        let times = server.requestTimes(model: "ok")
        XCTAssertEqual(times.count, 6)
        XCTAssertLessThanOrEqual(MessagesServer.mostWithin(1.0, times), 2, "burst (1) + 60/min × 1 s")
        XCTAssertGreaterThanOrEqual((times.max() ?? 0) - (times.min() ?? 0), 4 - 0.05, "6 requests, 1 at once, then one a second")
    }

    /// A server saying its requests run out makes the next calls wait until its reset, instead of meeting a 429.
    func testLowRemainingHeadersHoldCallsBackUntilTheReset() async throws {
        let limiter = RecordingLimiter()
        let provider = provider(limiter)
        for _ in 0..<6 { _ = try await provider.complete(request("limited:3:2")) }
        let times = server.requestTimes(model: "limited:3:2")
        XCTAssertEqual(times.count, 6, "no request was refused and retried")
        XCTAssertEqual(server.limitedAnswers.count, 0, "no 429")
        XCTAssertGreaterThanOrEqual(times[3] - times[0], 2, "the fourth waited for the window's reset")
        XCTAssertLessThan(times[2] - times[0], 1, "the first three went at once")
        XCTAssertEqual(limiter.pauses.count, 2, "paused after the third and the sixth, each the last of its window: \(limiter.pauses)")
    }

    /// The control: the same server, the same calls and no limiter meet its 429.
    func testWithoutALimiterTheSameCallsMeetA429() async throws {
        let provider = AnthropicProvider(
            apiKey: "test-key-123", baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30),
            retry: RetryPolicy(maxRetries: 3, baseDelay: 0.05, maxDelay: 3), redact: { $0 })
        for _ in 0..<4 { _ = try await provider.complete(request("limited:3:2")) }
        XCTAssertEqual(server.limitedAnswers.count, 1)
    }

    /// A 429 with `retry-after` holds back every call of the process, not only the one that met it.
    func testA429PausesOtherCallersToo() async throws {
        let provider = provider(LocalRateLimiter())
        let request = request("429-then-ok")
        let first = Task { try await provider.complete(request) }
        let deadline = Date().addingTimeInterval(5)
        while server.requests.isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        try await Task.sleep(nanoseconds: 100_000_000)  // The 429 is in.
        _ = try await provider.complete(request)
        _ = try await first.value
        let times = server.requestTimes(model: "429-then-ok")
        XCTAssertEqual(times.count, 3)
        XCTAssertGreaterThanOrEqual(times[1] - times[0], 0.99, "the other caller waited out the retry-after second too")
        XCTAssertGreaterThanOrEqual(times[2] - times[0], 0.99)
    }

    /// Tokens are counted at the estimate (body bytes / 4 + max_tokens) before the call and at the real
    /// usage (input + output) after it, so calls far under their estimate do not wait for it.
    func testTokensAreEstimatedThenCorrectedToTheRealUsage() async throws {
        let limiter = RecordingLimiter()
        // 50 tokens a second, 4 seconds of burst: 200 tokens. Estimated, five calls would owe ~300 (6 s of waiting);
        // corrected to their real 32 tokens each (25 in, 7 out), they fit in the burst.
        let provider = provider(limiter, RateLimits(tokensPerMinute: 3000, burstSeconds: 4))
        let start = Date()
        for _ in 0..<5 { _ = try await provider.complete(request("ok")) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        let sent = try XCTUnwrap(server.requests.first?["headers"] as? [String: String])
        let bodyBytes = try XCTUnwrap(sent["content-length"].flatMap { Int($0) })
        XCTAssertEqual(limiter.acquired.first, RateCost(requests: 1, tokens: (bodyBytes + 3) / 4 + 50))
        XCTAssertGreaterThan(limiter.acquired.first?.tokens ?? 0, 32)
        XCTAssertEqual(limiter.corrected, Array(repeating: RateCost(requests: 1, tokens: 32), count: 5))
        // An error answer used no tokens.
        _ = await collectStream(provider, request("bad-request"))
        XCTAssertEqual(limiter.corrected.last, RateCost(requests: 1, tokens: 0))
    }

    /// A wait past the call's total timeout fails at once, sending nothing and keeping nothing taken.
    func testAWaitPastTheTotalTimeoutFailsAtOnce() async throws {
        let limiter = RecordingLimiter()
        let provider = provider(limiter, RateLimits(requestsPerMinute: 1), total: 5)
        _ = try await provider.complete(request("ok"))
        let start = Date()
        let (_, response, error) = await collectStream(provider, request("ok"))
        XCTAssertNil(response)
        guard case .timeout(let message)? = error as? LLMError else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("past llm.timeout_seconds"), message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(limiter.corrected.last, .zero)
    }

    /// A limiter that cannot keep count lets nothing out: the call fails (retryably), naming why.
    func testAnUnreachableLimiterSendsNothing() async {
        let (_, response, error) = await collectStream(provider(UnreachableLimiter()), request("ok"))
        XCTAssertNil(response)
        XCTAssertEqual(error as? LLMError, .transport("the rate limiter could not be consulted: connection refused", retryable: true))
        XCTAssertEqual(server.requests.count, 0)
    }

    /// Cancelling a call while it waits for the limiter ends it at once and gives its place back.
    func testCancellingWhileWaitingEndsTheCall() async throws {
        let limiter = RecordingLimiter()
        let provider = provider(limiter, RateLimits(requestsPerMinute: 6))
        let request = request("ok")
        _ = try await provider.complete(request)
        let start = Date()
        let waiting = Task { await collectStream(provider, request) }
        try await Task.sleep(nanoseconds: 200_000_000)
        waiting.cancel()
        let (_, response, _) = await waiting.value
        XCTAssertNil(response)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "not the 10 s wait")
        XCTAssertEqual(server.requests.count, 1)
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(limiter.corrected.last, .zero)
    }
}
