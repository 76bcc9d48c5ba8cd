import Foundation
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

final class SQLiteTaskQueueTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUp() { directory = TemporaryDirectory("queue") }

    func makeQueue(lease: Double = 30, maxAttempts: Int = 3) throws -> SQLiteTaskQueue {
        try SQLiteTaskQueue(
            path: directory.path + "/state/queue.sqlite3",
            settings: QueueSettings(leaseSeconds: lease, maxAttempts: maxAttempts, backoff: Backoff(base: 2, maximum: 60)))
    }

    /// Reads the queue file with the sqlite3 CLI, independently of GRDB.
    func sqlite(_ sql: String) -> String {
        Shell.run("sqlite3", [directory.path + "/state/queue.sqlite3", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testLifecycleAsSQLiteSeesIt() throws {
        let queue = try makeQueue()
        let task = try queue.enqueue(NewTask(type: "analyze", prompt: "look", files: ["a.swift"], parameters: ["depth": "2"]))
        XCTAssertEqual(task.state, .queued)
        XCTAssertEqual(sqlite("PRAGMA journal_mode"), "wal")
        let claimed = try queue.claim(owner: "w1", limit: 5)
        XCTAssertEqual(claimed.map(\.task.id), [task.id])
        XCTAssertEqual(claimed[0].task.attempts, 1)
        XCTAssertEqual(sqlite("SELECT state, lease_owner, length(lease_token) FROM tasks WHERE id = \(task.id)"), "running|w1|32")
        XCTAssertTrue(
            try queue.complete(claimed[0].lease, outcome: TaskOutcome(result: "fine", usage: TaskUsage(inputTokens: 3, outputTokens: 4), agentCommit: "abc")))
        XCTAssertEqual(sqlite("SELECT state, result, agent_commit, lease_token IS NULL FROM tasks WHERE id = \(task.id)"), "succeeded|fine|abc|1")
        let done = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(done.files, ["a.swift"])
        XCTAssertEqual(done.parameters, ["depth": "2"])
        XCTAssertEqual(done.usage, TaskUsage(inputTokens: 3, outputTokens: 4))
        XCTAssertNotNil(done.finishedAt)
        XCTAssertEqual(try queue.claim(owner: "w1", limit: 5).count, 0)
    }

    func testClaimOrderIsPriorityThenRunAtThenAge() throws {
        let queue = try makeQueue()
        let now = Date()
        let low = try queue.enqueue(NewTask(type: "t", prompt: "low", priority: 0))
        let highLate = try queue.enqueue(NewTask(type: "t", prompt: "high late", priority: 5, runAt: now.addingTimeInterval(-1)))
        let highEarly = try queue.enqueue(NewTask(type: "t", prompt: "high early", priority: 5, runAt: now.addingTimeInterval(-10)))
        let future = try queue.enqueue(NewTask(type: "t", prompt: "future", priority: 9, runAt: now.addingTimeInterval(3600)))
        let lowToo = try queue.enqueue(NewTask(type: "t", prompt: "low too", priority: 0))
        let order = try (0..<5).flatMap { _ in try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(1)).map(\.task.id) }
        XCTAssertEqual(order, [highEarly.id, highLate.id, low.id, lowToo.id])
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(3601)).map(\.task.id), [future.id])
    }

    func testIdempotencyKeyReturnsTheFirstTask() throws {
        let queue = try makeQueue()
        let first = try queue.enqueue(NewTask(type: "t", prompt: "one", idempotencyKey: "k1"))
        let again = try queue.enqueue([NewTask(type: "t", prompt: "one", idempotencyKey: "k1"), NewTask(type: "t", prompt: "three")])
        XCTAssertEqual(again[0].id, first.id)
        XCTAssertEqual(again[0].prompt, "one")
        XCTAssertEqual(sqlite("SELECT count(*) FROM tasks"), "2")
    }

    func testALostLeaseDropsTheResultInsteadOfOverwriting() throws {
        let queue = try makeQueue(lease: 10)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        let first = try XCTUnwrap(try queue.claim(owner: "slow", limit: 1, now: now).first)
        // The lease expires; the rescuer returns the task; another worker takes it.
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(11)), 1)
        let second = try XCTUnwrap(try queue.claim(owner: "fast", limit: 1, now: now.addingTimeInterval(11)).first)
        XCTAssertNotEqual(first.lease.token, second.lease.token)
        XCTAssertNil(try queue.heartbeat(first.lease, now: now.addingTimeInterval(12)))
        XCTAssertFalse(try queue.complete(first.lease, outcome: TaskOutcome(result: "stale"), now: now.addingTimeInterval(12)))
        XCTAssertNil(try queue.fail(first.lease, error: "x", retryable: true, now: now.addingTimeInterval(12)))
        XCTAssertTrue(try queue.complete(second.lease, outcome: TaskOutcome(result: "fresh"), now: now.addingTimeInterval(13)))
        XCTAssertEqual(try queue.task(task.id)?.result, "fresh")
        XCTAssertEqual(try queue.task(task.id)?.attempts, 2)
    }

    func testHeartbeatKeepsTheLease() throws {
        let queue = try makeQueue(lease: 10)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: now).first)
        let renewed = try XCTUnwrap(try queue.heartbeat(claimed.lease, now: now.addingTimeInterval(8)))
        XCTAssertEqual(renewed.expiresAt.timeIntervalSince1970, now.addingTimeInterval(18).timeIntervalSince1970, accuracy: 0.01)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(15)), 0)
        XCTAssertTrue(try queue.complete(renewed, outcome: TaskOutcome(result: "ok"), now: now.addingTimeInterval(16)))
    }

    func testFailuresBackOffThenDie() throws {
        let queue = try makeQueue(maxAttempts: 3)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        var now = Date()
        for attempt in 1...3 {
            let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: now).first, "attempt \(attempt)")
            let state = try queue.fail(claimed.lease, error: "boom \(attempt)", retryable: true, now: now)
            let record = try XCTUnwrap(try queue.task(task.id))
            if attempt < 3 {
                XCTAssertEqual(state, .failed)
                let wait = record.runAt.timeIntervalSince(now)
                XCTAssertGreaterThanOrEqual(wait, 0)
                XCTAssertLessThanOrEqual(wait, 2 * pow(2, Double(attempt - 1)) + 0.001, "full jitter under the doubling ceiling")
                now = record.runAt.addingTimeInterval(0.001)
            } else {
                XCTAssertEqual(state, .dead)
                XCTAssertEqual(record.error, "boom 3")
                XCTAssertNotNil(record.finishedAt)
            }
        }
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(10_000)).count, 0)
        let retried = try queue.retry(task.id)
        XCTAssertEqual(retried.state, .queued)
        XCTAssertEqual(retried.attempts, 0)
        XCTAssertThrowsError(try queue.retry(task.id)) { XCTAssertEqual(($0 as? MinicError)?.kind, .refused) }
    }

    func testNonRetryableFailureIsDeadAtOnce() throws {
        let queue = try makeQueue(maxAttempts: 5)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1).first)
        XCTAssertEqual(try queue.fail(claimed.lease, error: "bad input", retryable: false), .dead)
    }

    func testRescueSendsExhaustedTasksToDead() throws {
        let queue = try makeQueue(lease: 5, maxAttempts: 1)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        _ = try queue.claim(owner: "crashed", limit: 1, now: now)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(6)), 1)
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .dead)
        XCTAssertEqual(record.error, "lease expired: worker crashed stopped heartbeating")
    }

    func testReleaseGivesBackWithoutCountingTheAttempt() throws {
        let queue = try makeQueue()
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1).first)
        XCTAssertTrue(try queue.release(claimed.lease))
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
    }

    func testCancelRevokesARunningLease() throws {
        let queue = try makeQueue()
        let waiting = try queue.enqueue(NewTask(type: "t", prompt: "waiting"))
        let running = try queue.enqueue(NewTask(type: "t", prompt: "running", priority: 1))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1).first)
        XCTAssertEqual(claimed.task.id, running.id)
        XCTAssertEqual(try queue.cancel(running.id).state, .cancelled)
        XCTAssertFalse(try queue.complete(claimed.lease, outcome: TaskOutcome(result: "late")))
        XCTAssertEqual(try queue.cancel(waiting.id).state, .cancelled)
        XCTAssertThrowsError(try queue.cancel(waiting.id)) { XCTAssertEqual(($0 as? MinicError)?.kind, .refused) }
        XCTAssertThrowsError(try queue.cancel(9999)) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
        XCTAssertEqual(sqlite("SELECT group_concat(state) FROM tasks"), "cancelled,cancelled")
    }

    func testListFilters() throws {
        let queue = try makeQueue()
        _ = try queue.enqueue((0..<10).map { NewTask(type: $0 % 2 == 0 ? "analyze" : "explain", prompt: "\($0)") })
        XCTAssertEqual(try queue.tasks(TaskFilter(type: "analyze")).count, 5)
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued, limit: 3)).map(\.prompt), ["9", "8", "7"])
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .running)).count, 0)
    }

    /// Many connections (as many workers would open) claiming at once never share a task.
    func testConcurrentClaimersNeverShareATask() throws {
        let total = 2000
        _ = try makeQueue().enqueue((0..<total).map { NewTask(type: "t", prompt: "\($0)") })
        let path = directory.path + "/state/queue.sqlite3"
        let claimed = ClaimLog()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            guard let queue = try? SQLiteTaskQueue(path: path, settings: QueueSettings(leaseSeconds: 60)) else { return claimed.failed() }
            while true {
                guard let batch = try? queue.claim(owner: "w\(worker)", limit: 1 + worker % 3) else { return claimed.failed() }
                if batch.isEmpty { return }
                for task in batch {
                    claimed.add(task.task.id)
                    guard (try? queue.complete(task.lease, outcome: TaskOutcome(result: "w\(worker)"))) == true else { return claimed.failed() }
                }
            }
        }
        XCTAssertEqual(claimed.failures, 0)
        XCTAssertEqual(claimed.ids.count, total)
        XCTAssertEqual(Set(claimed.ids).count, total, "a task was claimed twice")
        XCTAssertEqual(sqlite("SELECT count(*) FROM tasks WHERE state = 'succeeded' AND attempts = 1"), "\(total)")
    }

    func testBackoffCeilingDoublesUpToTheMaximum() {
        let backoff = Backoff(base: 2, maximum: 30)
        XCTAssertEqual((1...6).map { backoff.ceiling(afterAttempt: $0) }, [2, 4, 8, 16, 30, 30])
        for _ in 0..<100 { XCTAssertLessThanOrEqual(backoff.delay(afterAttempt: 3), 8) }
    }
}

/// Thread-safe record of what concurrent claimers saw.
final class ClaimLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int64] = []
    private(set) var failures = 0

    func add(_ id: Int64) {
        lock.lock()
        ids.append(id)
        lock.unlock()
    }

    func failed() {
        lock.lock()
        failures += 1
        lock.unlock()
    }
}
