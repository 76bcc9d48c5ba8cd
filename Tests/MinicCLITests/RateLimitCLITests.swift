import Foundation
import MinicTestSupport
import XCTest

/// `llm.requests_per_minute` with two `minic worker` processes on one SQLite home: each process keeps
/// its own count (on SQLite the limit is per process), and neither passes it.
final class RateLimitCLITests: XCTestCase {
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
        var workerEnvironment = Shell.testEnvironment
        for (key, value) in environment { workerEnvironment[key] = value }
        let path = home.path
        let arguments = ["worker", "--drain", "--concurrency", "2", "--home", path]
        DispatchQueue.concurrentPerform(iterations: 2) { [workerEnvironment] _ in
            let worker = Shell.run(Shell.minicBinary, arguments, in: path, environment: workerEnvironment)
            XCTAssertEqual(worker.status, 0, worker.stderr)
        }
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
