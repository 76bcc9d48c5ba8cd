import Foundation
import Minic
import MinicCore
import MinicLLM
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

/// A limiter that records the keys and limits it is asked about, admitting everything at once.
final class KeyRecordingLimiter: RateLimiter, @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [(RateBucketKey, RateLimits)] = []

    var acquisitions: [(key: RateBucketKey, limits: RateLimits)] { lock.withLock { asked.map { (key: $0.0, limits: $0.1) } } }

    func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) throws -> RateGrant {
        lock.withLock { asked.append((key, limits)) }
        return RateGrant(key: key, limits: limits, cost: cost, wait: 0)
    }

    func correct(_ grant: RateGrant, actual: RateCost) {}
    func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double) {}
}

/// The limiter reaches every model call: ProviderFactory gives it the config's limits, and a pipeline
/// passes the one it was given (the process's own by default) to the provider of each task's commit.
final class RateLimitWiringTests: XCTestCase {
    var server: MessagesServer!

    // Started here, on the main thread, not in the async test (see MessagesServer.deinit).
    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func testTheFactoryPassesTheConfiguredLimits() async throws {
        let limiter = KeyRecordingLimiter()
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL, "OPENAI_API_KEY": "test-key-123"]
        let request = LLMRequest(model: "ok", system: "", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: 20)
        for provider in ["anthropic", "openai"] {
            let config = LLMConfig(provider: provider, baseURL: server.baseURL, requestsPerMinute: 50, tokensPerMinute: 40_000, rateBurstSeconds: 3)
            _ = try await ProviderFactory.make(config, environment: environment, rateLimiter: limiter).complete(request)
        }
        let asked = limiter.acquisitions
        XCTAssertEqual(asked.map(\.key), ["anthropic", "openai"].map { RateBucketKey(provider: $0, endpoint: server.baseURL, model: "ok") })
        XCTAssertEqual(Set(asked.map(\.limits)), [RateLimits(requestsPerMinute: 50, tokensPerMinute: 40_000, burstSeconds: 3)])
        XCTAssertEqual(ProviderFactory.rateLimits(LLMConfig()), .unlimited)
    }

    func testAPipelineGivesItsLimiterTheLimitsOfEachTasksCommit() async throws {
        let home = TestHome()
        func commit(requestsPerMinute: Int) {
            let config = #"{"version": 1, "llm": {"provider": "anthropic", "model": "ok", "requests_per_minute": \#(requestsPerMinute)}}"#
            home.commitOnMain("limits \(requestsPerMinute)") { $0.write("config.json", config) }
        }
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        let limiter = KeyRecordingLimiter()
        let pipeline = try TaskPipeline.open(home: try Home(openAt: home.path, environment: environment), rateLimiter: limiter)
        commit(requestsPerMinute: 100)
        let first = try await pipeline.runNow(NewTask(type: "explain", prompt: "one"), owner: "test", onText: { _ in })
        commit(requestsPerMinute: 200)
        let second = try await pipeline.runNow(NewTask(type: "explain", prompt: "two"), owner: "test", onText: { _ in })
        XCTAssertEqual([first.state, second.state], [.succeeded, .succeeded])
        XCTAssertEqual(limiter.acquisitions.map(\.limits.requestsPerMinute), [100, 200])
    }
}
