import Foundation
import MinicTestSupport
import XCTest

/// `llm.requests_per_minute` with two `minic worker` processes on one SQLite home: each process keeps
/// its own count (on SQLite the limit is per process), and neither passes it.
final class RateLimitCLITests: XCTestCase {
    /// Runs two `minic worker --drain` processes on `home` at once.
    func runTwoWorkers(_ home: TestHome, environment: [String: String], concurrency: Int) {
        var workerEnvironment = Shell.testEnvironment
        for (key, value) in environment { workerEnvironment[key] = value }
        let path = home.path
        let arguments = ["worker", "--drain", "--concurrency", String(concurrency), "--home", path]
        DispatchQueue.concurrentPerform(iterations: 2) { [workerEnvironment] _ in
            let worker = Shell.run(Shell.minicBinary, arguments, in: path, environment: workerEnvironment)
            XCTAssertEqual(worker.status, 0, worker.stderr)
        }
    }

    /// A server whose `anthropic-ratelimit-requests-remaining` runs out (2 requests per 3-second window): the worker
    /// that is told so waits for the reset without asking, the other meets at most one 429 and waits too, so
    /// nothing more goes out before the reset. Without the headers heeded, each worker would meet its own 429.
    func testLowRemainingHeadersMakeBothWorkersBackOff() throws {
        let server = try MessagesServer()
        let home = TestHome()
        home.commitOnMain("limited") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "limited:2:3"}}"#) }
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let lines = (0..<4).map { #"{"type": "explain", "prompt": "probe-\#($0)-end"}"# }.joined(separator: "\n")
        let submitted = home.minic("submit", "--from", "-", input: Data(lines.utf8), environment: environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        runTwoWorkers(home, environment: environment, concurrency: 1)
        let times = server.requestTimes(model: "limited:2:3")
        let first = try XCTUnwrap(times.min())
        XCTAssertLessThanOrEqual(server.limitedAnswers.count, 1, "one worker learnt it from the headers: \(server.limitedAnswers)")
        XCTAssertLessThanOrEqual(times.filter { $0 < first + 3 }.count, 3, "two in the window, at most one 429, then nothing until the reset")
        XCTAssertEqual(times.count, 4 + server.limitedAnswers.count, "every task once, plus the retried 429")
        let states = Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT DISTINCT state FROM tasks"]).stdout
        XCTAssertEqual(states.trimmingCharacters(in: .whitespacesAndNewlines), "succeeded")
    }

    func testTwoWorkerProcessesEachKeepTheirOwnLimit() throws {
        let server = try MessagesServer()
        let home = TestHome()
        home.commitOnMain("limits") {
            $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "ok", "requests_per_minute": 60}}"#)
        }
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let lines = (0..<8).map { #"{"type": "explain", "prompt": "probe-\#($0)-end"}"# }.joined(separator: "\n")
        let submitted = home.minic("submit", "--from", "-", input: Data(lines.utf8), environment: environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let ids = submitted.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(ids.count, 8)
        runTwoWorkers(home, environment: environment, concurrency: 2)
        // Which worker ran which task (the activity log), and when its request reached the server (the prompt in the body).
        var owners: [String: String] = [:]
        for line in home.activityLog.split(separator: "\n") {
            guard let started = line.range(of: "task "), let by = line.range(of: " by ") else { continue }
            let id = line[started.upperBound...].prefix { $0.isNumber }
            owners["probe-\(ids.firstIndex(of: String(id)) ?? -1)-end"] = String(line[by.upperBound...])
        }
        var times: [String: [Double]] = [:]
        for request in server.requests {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: request["body"] ?? [:]), as: UTF8.self)
            guard let probe = body.range(of: #"probe-\d+-end"#, options: .regularExpression), let time = request["time"] as? Double else { continue }
            times[owners[String(body[probe]), default: "unknown"], default: []].append(time)
        }
        XCTAssertEqual(times.values.map(\.count).reduce(0, +), 8, "\(times)")
        XCTAssertEqual(times.count, 2, "both workers ran tasks: \(times.keys.sorted())")
        XCTAssertNil(times["unknown"])
        for (owner, own) in times {
            XCTAssertLessThanOrEqual(MessagesServer.mostWithin(1.0, own), 2, "\(owner): burst (1) + 60/min × 1 s")
            XCTAssertGreaterThanOrEqual((own.max() ?? 0) - (own.min() ?? 0), Double(own.count - 2) - 0.05, "\(owner): one a second after the first")
        }
        let all = times.values.flatMap { $0 }
        XCTAssertLessThanOrEqual(MessagesServer.mostWithin(1.0, all), 4, "two processes, each its own limit")
    }
}
