import Foundation
import MinicTestSupport
import XCTest

/// The whole fleet on one machine: an origin home where people merge, two clones of it as worker
/// homes, and one `redis-server` they all share as the queue.
final class FleetCLITests: XCTestCase {
    func startWorker(_ home: TestHome, _ extra: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["worker", "--home", home.path] + extra
        process.environment = Shell.testEnvironment
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        return process
    }

    func lines(_ range: Range<Int>) -> Data {
        Data(range.map { #"{"type": "explain", "prompt": "task \#($0)"}"# }.joined(separator: "\n").utf8)
    }

    func wait(until condition: () -> Bool, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func testAnOriginTwoWorkerClonesAndOneRedis() throws {
        let redis = try RedisServer()
        let origin = TestHome()
        let before = origin.commitOnMain("the fleet's queue") {
            $0.write("config.json", #"{"version": 1, "queue": {"backend": "redis", "redis_url": "redis://127.0.0.1:\#(redis.port)/0", "lease_seconds": 5}}"#)
        }
        let clones = [TestHome(cloning: origin.path), TestHome(cloning: origin.path)]
        let succeeded = { Int(redis.cli("ZCARD", "{minic}:s:succeeded")) ?? -1 }

        // Submitted where people work: each task records the origin's head it was checked against.
        XCTAssertEqual(origin.minic("submit", "--from", "-", input: lines(0..<30)).status, 0)
        let logs = clones.indices.map { clones[$0].path + "/../worker-\($0).log" }
        let workers = try clones.indices.map { try startWorker(clones[$0], ["--pull-every", "1", "--concurrency", "2"], log: logs[$0]) }
        defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        XCTAssertTrue(wait(until: { succeeded() == 30 }, seconds: 30), "the first tasks ran: \(succeeded())")

        // A merge at the origin reaches both workers within one pull interval (1 s, plus a second of slack).
        let after = origin.mergeChange("prompt_templates/explain.mustache", appending: "{{! v2 }}", title: "explain v2")
        XCTAssertNotEqual(after, before)
        let merged = Date()
        XCTAssertTrue(wait(until: { clones.allSatisfy { $0.head() == after } }, seconds: 2.5), "both clones pulled the merge")
        XCTAssertLessThan(Date().timeIntervalSince(merged), 2.5)

        XCTAssertEqual(origin.minic("submit", "--from", "-", input: lines(30..<60)).status, 0)
        XCTAssertTrue(wait(until: { succeeded() == 60 }, seconds: 30), "the later tasks ran: \(succeeded())")
        for id in 1...60 {
            XCTAssertEqual(redis.cli("HGET", "{minic}:t:\(id)", "agent_commit"), id <= 30 ? before : after, "task \(id)")
            XCTAssertEqual(redis.cli("HGET", "{minic}:t:\(id)", "attempts"), "1", "task \(id) ran once")
        }
        // Both worker homes work from the one queue (which of them takes how many tasks is the queue's business:
        // with the offline provider one of them may take all 60).
        XCTAssertTrue(clones.contains { $0.activityLog.contains("started: explain") })
        for clone in clones { XCTAssertTrue(clone.activityLog.contains(" worker pid "), "each clone's worker ran") }

        // A proposal made on a worker goes to the origin as a branch; the origin's main stays where people put it.
        clones[0].write("prompt_templates/analyze.mustache", (clones[0].read("prompt_templates/analyze.mustache") ?? "") + "{{! from a worker }}\n")
        let proposed = clones[0].minic("update", "propose", "--from-worktree", "--title", "from worker 0", "--json")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let branches = origin.git("branch", "--list", "proposals/*").stdout
        XCTAssertTrue(branches.contains("from-worker-0"), branches)
        XCTAssertEqual(origin.head(), after)
        GitChecks.assertFsckClean(origin.path)

        for worker in workers { kill(worker.processIdentifier, SIGTERM) }
        for worker in workers { worker.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0])
    }
}
