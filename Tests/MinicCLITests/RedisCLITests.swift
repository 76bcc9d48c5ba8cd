import Foundation
import MinicTestSupport
import XCTest

/// `minic submit`, `tasks`, `result`, `run` and `worker` on a Redis queue, against a real
/// `redis-server`, with worker processes started, killed and the server itself killed.
final class RedisCLITests: XCTestCase {
    /// A home whose committed config names the Redis queue (no password in it).
    func redisHome(_ server: RedisServer, lease: Int? = nil) -> TestHome {
        let home = TestHome()
        let leaseKey = lease.map { #", "lease_seconds": \#($0)"# } ?? ""
        home.commitOnMain("queue on redis") {
            $0.write("config.json", #"{"version": 1, "queue": {"backend": "redis", "redis_url": "redis://127.0.0.1:\#(server.port)/0"\#(leaseKey)}}"#)
        }
        return home
    }

    func jsonLines(_ count: Int) -> Data {
        Data((0..<count).map { #"{"type": "explain", "prompt": "task \#($0)"}"# }.joined(separator: "\n").utf8)
    }

    func startWorker(_ home: TestHome, _ extra: [String] = [], environment: [String: String] = [:], log: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["worker", "--home", home.path] + extra
        process.environment = Shell.testEnvironment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        if let log {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    func tasks(_ home: TestHome, _ arguments: String...) throws -> [[String: Any]] {
        let result = Shell.run(Shell.minicBinary, ["tasks", "list", "--json"] + arguments + ["--home", home.path], environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    func count(_ server: RedisServer, _ state: String) -> Int { Int(server.cli("ZCARD", "{minic}:s:\(state)")) ?? -1 }

    func testTheCommandsWorkUnchangedOnRedis() throws {
        let server = try RedisServer()
        let home = redisHome(server)
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(5)).status, 0)
        let keyed = home.minic("submit", "--type", "explain", "keyed", "--idempotency-key", "k1", "--json")
        XCTAssertEqual(keyed.status, 0, keyed.stderr)
        XCTAssertEqual(home.minic("submit", "--type", "explain", "keyed", "--idempotency-key", "k1", "--json").stdout, keyed.stdout)
        XCTAssertEqual(count(server, "queued"), 6, "the tasks are in Redis")
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/state/queue.sqlite3"), "no SQLite queue is made")
        XCTAssertEqual(try tasks(home).count, 6)
        XCTAssertEqual(home.minic("tasks", "cancel", "6").status, 0)
        XCTAssertEqual(home.minic("tasks", "cancel", "6").status, 1, "already cancelled: refused")
        XCTAssertEqual(home.minic("tasks", "show", "99").status, 2)
        let worker = home.minic("worker", "--drain", "--json")
        XCTAssertEqual(worker.status, 0, worker.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(worker.stdout.utf8)) as? [String: Int])
        XCTAssertEqual(summary["succeeded"], 5, worker.stdout)
        XCTAssertEqual(try tasks(home, "--state", "succeeded").count, 5)
        let result = home.minic("result", "1")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.isEmpty)
        XCTAssertEqual(home.minic("tasks", "retry", "6").status, 0)
        let run = home.minic("run", "--type", "explain", "in the foreground", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(server.cli("HGET", "{minic}:t:7", "state"), "succeeded")
        XCTAssertEqual(server.cli("HGET", "{minic}:t:7", "agent_commit"), home.head())
        XCTAssertEqual(home.git("config", "minic.redis-queue-id").stdout.trimmingCharacters(in: .whitespacesAndNewlines), server.cli("HGET", "{minic}:meta", "queue_id"))
    }

    func testUnreachableBadOrWrongPasswordIsOneLineAndExit2() throws {
        let server = try RedisServer(password: "the-right-one-77")
        let home = redisHome(server)
        let refusedPort = try RedisServer.freePort()
        let cases: [(String, String)] = [
            ("redis://127.0.0.1:\(refusedPort)/0", "127.0.0.1:\(refusedPort)"),
            ("http://127.0.0.1:\(server.port)", "redis://"),
            ("redis://:not-the-one-88@127.0.0.1:\(server.port)/0", "WRONGPASS"),
            ("redis://127.0.0.1:\(server.port)/0", "password"),
        ]
        for (url, says) in cases {
            for command in [["tasks", "list"], ["submit", "--type", "explain", "p"], ["worker", "--drain"], ["result", "1"]] {
                let result = Shell.run(
                    Shell.minicBinary, command + ["--home", home.path], environment: Shell.testEnvironment.merging(["MINIC_REDIS_URL": url]) { $1 })
                XCTAssertEqual(result.status, 2, "\(command) \(url): \(result.stderr)")
                let lines = result.stderr.split(separator: "\n")
                XCTAssertEqual(lines.count, 1, "\(command) \(url): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(says), "\(command) \(url): \(result.stderr)")
                XCTAssertFalse(result.stderr.contains("not-the-one-88"), result.stderr)
            }
        }
        let right = home.minic("submit", "--type", "explain", "p", environment: ["MINIC_REDIS_URL": server.url])
        XCTAssertEqual(right.status, 0, right.stderr)
    }

    func testSeveralWorkerProcessesNeverRunATaskTwice() throws {
        let server = try RedisServer()
        let home = redisHome(server)
        let total = 1500
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(total)).status, 0)
        let workers = try (0..<3).map { _ in try startWorker(home, ["--drain", "--concurrency", "3"]) }
        for worker in workers { worker.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0, 0])
        let done = try tasks(home, "--state", "succeeded")
        XCTAssertEqual(done.count, total)
        XCTAssertTrue(done.allSatisfy { $0["attempts"] as? Int == 1 }, "a task ran twice")
        let owners = Set(
            home.activityLog.split(separator: "\n").compactMap { line -> Substring? in
                guard line.contains("started: explain"), let by = line.range(of: " by ") else { return nil }
                return line[by.upperBound...]
            })
        XCTAssertGreaterThan(owners.count, 1, "more than one worker process took tasks")
    }

    func testAWorkerKilledMidRunLosesNothing() throws {
        let server = try RedisServer()
        let home = redisHome(server, lease: 1)
        let total = 3000
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(total)).status, 0)
        let doomed = try startWorker(home, ["--concurrency", "4"])
        let deadline = Date().addingTimeInterval(20)
        while count(server, "succeeded") < 200 && Date() < deadline { usleep(20_000) }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let runningAtDeath = count(server, "running")
        usleep(1_200_000)  // Let the dead worker's leases expire.
        let rescuer = try startWorker(home, ["--drain"])
        rescuer.waitUntilExit()
        XCTAssertEqual(rescuer.terminationStatus, 0)
        XCTAssertEqual(count(server, "succeeded"), total, "a task was lost")
        let again = try tasks(home, "--state", "succeeded").filter { $0["attempts"] as? Int == 2 }
        XCTAssertEqual(again.count, runningAtDeath, "exactly the interrupted tasks ran again")
    }

    /// Redis killed (SIGKILL) and restarted while workers run: they say so in the log, wait
    /// with backoff, carry on, and every task submitted before the crash succeeds once.
    func testRedisKilledAndRestartedMidRunLosesNoAcknowledgedTask() throws {
        let server = try RedisServer()
        let home = redisHome(server, lease: 5)
        let total = 6000
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(total)).status, 0)
        let logs = (0..<2).map { home.path + "/worker-\($0).log" }
        let workers = try logs.map { try startWorker(home, ["--concurrency", "2"], log: $0) }
        let deadline = Date().addingTimeInterval(20)
        while count(server, "succeeded") < 300 && Date() < deadline { usleep(20_000) }
        let doneBeforeTheCrash = count(server, "succeeded")
        server.kill()
        XCTAssertLessThan(doneBeforeTheCrash, total, "the crash came mid-run")
        usleep(2_000_000)
        try server.start()
        // Workers forever: wait until every task is done, then stop them.
        let finish = Date().addingTimeInterval(60)
        while count(server, "succeeded") < total && Date() < finish { usleep(100_000) }
        for worker in workers { kill(worker.processIdentifier, SIGTERM) }
        for worker in workers { worker.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0], "workers survive the outage")
        XCTAssertEqual(count(server, "succeeded"), total, "an acknowledged task was lost")
        XCTAssertEqual(count(server, "running"), 0)
        let said = home.activityLog + logs.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        XCTAssertTrue(said.contains("unreachable"), "the outage is logged: \(said.split(separator: "\n").filter { !$0.contains("started") && !$0.contains("succeeded") }.suffix(12))")
        // A worker whose claims met the outage says when they work again (one busy recording outcomes retries those instead).
        if said.contains("the queue is unreachable (retry") { XCTAssertTrue(said.contains("reachable again"), "the recovery is logged") }
    }
}
