import Foundation
import MinicTestSupport
import XCTest

/// `llm.requests_per_minute` across worker processes sharing a Redis queue: one count for the
/// fleet (on SQLite it is per process, see ``RateLimitCLITests``).
final class RedisRateLimitCLITests: XCTestCase {
    func home(_ redis: RedisServer, llm: String) -> TestHome {
        let home = TestHome()
        home.commitOnMain("fleet") {
            $0.write(
                "config.json",
                #"{"version": 1, "queue": {"backend": "redis", "redis_url": "redis://127.0.0.1:\#(redis.port)/0"}, "llm": \#(llm)}"#)
        }
        return home
    }

    func runWorkers(_ count: Int, _ home: TestHome, environment: [String: String], concurrency: Int) {
        let workerEnvironment = Shell.testEnvironment.merging(environment) { $1 }
        let path = home.path
        let arguments = ["worker", "--drain", "--concurrency", String(concurrency), "--home", path]
        DispatchQueue.concurrentPerform(iterations: count) { [workerEnvironment] _ in
            let worker = Shell.run(Shell.minicBinary, arguments, in: path, environment: workerEnvironment)
            XCTAssertEqual(worker.status, 0, worker.stderr)
        }
    }

    /// Two processes, 60 a minute between them: never more than the burst (1) + 1 in any second,
    /// where two per-process limits would let 4 through.
    func testTwoWorkerProcessesShareOneLimit() throws {
        let redis = try RedisServer()
        let server = try MessagesServer()
        let home = home(redis, llm: #"{"provider": "anthropic", "model": "ok", "requests_per_minute": 60}"#)
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let lines = (0..<8).map { #"{"type": "explain", "prompt": "probe-\#($0)-end"}"# }.joined(separator: "\n")
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(lines.utf8), environment: environment).status, 0)
        runWorkers(2, home, environment: environment, concurrency: 2)
        let times = server.requestTimes(model: "ok")
        XCTAssertEqual(times.count, 8)
        XCTAssertLessThanOrEqual(MessagesServer.mostWithin(1.0, times), 2, "burst (1) + 60/min × 1 s, across both processes: \(times)")
        XCTAssertGreaterThanOrEqual((times.max() ?? 0) - (times.min() ?? 0), 6 - 0.05, "8 requests at one a second after the first burst")
        let owners = Set(
            home.activityLog.split(separator: "\n").compactMap { line -> Substring? in
                guard line.contains("started: explain"), let by = line.range(of: " by ") else { return nil }
                return line[by.upperBound...]
            })
        XCTAssertEqual(owners.count, 2, "both processes ran tasks")
        XCTAssertFalse(redis.cli("KEYS", "{minic}:rate:*").isEmpty, "the count is in Redis")
    }

    /// A server whose `remaining` runs out: the worker told so pauses the whole fleet until the reset,
    /// so the other worker does not learn it from a 429 of its own.
    func testLowRemainingHeadersPauseTheFleet() throws {
        let redis = try RedisServer()
        let server = try MessagesServer()
        let home = home(redis, llm: #"{"provider": "anthropic", "model": "limited:2:3"}"#)
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let lines = (0..<4).map { #"{"type": "explain", "prompt": "probe-\#($0)-end"}"# }.joined(separator: "\n")
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(lines.utf8), environment: environment).status, 0)
        runWorkers(2, home, environment: environment, concurrency: 1)
        let times = server.requestTimes(model: "limited:2:3")
        let first = try XCTUnwrap(times.min())
        XCTAssertLessThanOrEqual(server.limitedAnswers.count, 1, "the fleet paused together: \(server.limitedAnswers)")
        XCTAssertLessThanOrEqual(times.filter { $0 < first + 3 }.count, 3, "two in the window, at most one 429, then nothing until the reset")
        XCTAssertEqual(times.count, 4 + server.limitedAnswers.count)
        XCTAssertEqual(Int(redis.cli("ZCARD", "{minic}:s:succeeded")), 4)
    }
}
