import Foundation
import MinicQueue
import MinicTestSupport
import XCTest

/// What every ``TaskQueue`` backend must do, written once and run against each
/// (``SQLiteConformanceTests``, ``RedisConformanceTests``): the same states, order,
/// leases, retries, idempotency and errors, whatever stores them.
struct QueueConformance {
    /// A queue with this lease and attempts (the same queue for every call within one test).
    let make: (_ lease: Double, _ maxAttempts: Int) throws -> any TaskQueue

    func queue(lease: Double = 30, maxAttempts: Int = 3) throws -> any TaskQueue { try make(lease, maxAttempts) }

    func lifecycle() throws {
        let queue = try queue()
        let task = try queue.enqueue(NewTask(type: "analyze", prompt: "look", files: ["a.swift"], parameters: ["depth": "2"]))
        XCTAssertEqual(task.state, .queued)
        XCTAssertEqual(try queue.task(task.id), task, "what enqueue returns is what the queue holds")
        let claimed = try queue.claim(owner: "w1", limit: 5, now: Date())
        XCTAssertEqual(claimed.map(\.task.id), [task.id])
        XCTAssertEqual(claimed[0].task.attempts, 1)
        XCTAssertEqual(claimed[0].task.state, .running)
        XCTAssertEqual(claimed[0].task.leaseOwner, "w1")
        XCTAssertEqual(claimed[0].lease.token.count, 32)
        XCTAssertNotNil(claimed[0].task.startedAt)
        XCTAssertTrue(
            try queue.complete(
                claimed[0].lease, outcome: TaskOutcome(result: "fine", usage: TaskUsage(inputTokens: 3, outputTokens: 4, costUSD: 0.5), agentCommit: "abc"),
                now: Date()))
        let done = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(done.state, .succeeded)
        XCTAssertEqual(done.result, "fine")
        XCTAssertEqual(done.agentCommit, "abc")
        XCTAssertNil(done.leaseOwner)
        XCTAssertNil(done.leaseExpiresAt)
        XCTAssertEqual(done.files, ["a.swift"])
        XCTAssertEqual(done.parameters, ["depth": "2"])
        XCTAssertEqual(done.usage, TaskUsage(inputTokens: 3, outputTokens: 4, costUSD: 0.5))
        XCTAssertNotNil(done.finishedAt)
        XCTAssertEqual(try queue.claim(owner: "w1", limit: 5, now: Date()).count, 0)
        XCTAssertNil(try queue.task(task.id + 1000))
        // The commit a task was checked against is kept from submission on.
        var pinned = NewTask(type: "analyze", prompt: "pinned")
        pinned.agentCommit = "c0ffee"
        let kept = try queue.enqueue(pinned)
        XCTAssertEqual(kept.agentCommit, "c0ffee")
        XCTAssertEqual(try queue.task(kept.id), kept)
    }

    func claimOrder() throws {
        let queue = try queue()
        let now = Date()
        let low = try queue.enqueue(NewTask(type: "t", prompt: "low", priority: 0))
        let highLate = try queue.enqueue(NewTask(type: "t", prompt: "high late", priority: 5, runAt: now.addingTimeInterval(-1)))
        let highEarly = try queue.enqueue(NewTask(type: "t", prompt: "high early", priority: 5, runAt: now.addingTimeInterval(-10)))
        let future = try queue.enqueue(NewTask(type: "t", prompt: "future", priority: 9, runAt: now.addingTimeInterval(3600)))
        let lowToo = try queue.enqueue(NewTask(type: "t", prompt: "low too", priority: 0))
        let negative = try queue.enqueue(NewTask(type: "t", prompt: "negative", priority: -3))
        let order = try (0..<6).flatMap { _ in try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(1)).map(\.task.id) }
        XCTAssertEqual(order, [highEarly.id, highLate.id, low.id, lowToo.id, negative.id])
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(3601)).map(\.task.id), [future.id])
    }

    func batchClaimOrder() throws {
        let queue = try queue()
        let tasks = try queue.enqueue((0..<6).map { NewTask(type: "t", prompt: "\($0)", priority: $0 % 3) })
        let claimed = try queue.claim(owner: "w", limit: 4, now: Date().addingTimeInterval(1))
        XCTAssertEqual(claimed.map(\.task.id), [tasks[2].id, tasks[5].id, tasks[1].id, tasks[4].id])
        XCTAssertEqual(Set(claimed.map(\.lease.token)).count, 4, "each lease has its own token")
    }

    func idempotency() throws {
        let queue = try queue()
        let first = try queue.enqueue(NewTask(type: "t", prompt: "one", idempotencyKey: "k1"))
        let again = try queue.enqueue([NewTask(type: "t", prompt: "one", idempotencyKey: "k1"), NewTask(type: "t", prompt: "three")])
        XCTAssertEqual(again[0].id, first.id)
        XCTAssertEqual(again[0].prompt, "one")
        XCTAssertEqual(try queue.tasks(TaskFilter()).count, 2)
        // A different request under a used key refuses the whole batch: nothing is queued.
        XCTAssertThrowsError(try queue.enqueue([NewTask(type: "t", prompt: "four"), NewTask(type: "t", prompt: "other", idempotencyKey: "k1")])) {
            XCTAssertEqual(($0 as? QueueError)?.kind, .badInput)
            XCTAssertTrue("\($0)".contains("k1"), "\($0)")
        }
        // Two uses of one new key in one batch: the same request is one task, different ones are refused.
        let pair = try queue.enqueue([NewTask(type: "t", prompt: "x", idempotencyKey: "k2"), NewTask(type: "t", prompt: "x", idempotencyKey: "k2")])
        XCTAssertEqual(pair[0].id, pair[1].id)
        XCTAssertThrowsError(try queue.enqueue([NewTask(type: "t", prompt: "y", idempotencyKey: "k3"), NewTask(type: "t", prompt: "z", idempotencyKey: "k3")]))
        XCTAssertEqual(try queue.tasks(TaskFilter()).count, 3)
        // Ids only grow: a new task's is above every id given before.
        XCTAssertGreaterThan(try queue.enqueue(NewTask(type: "t", prompt: "next")).id, pair[0].id)
    }

    func lostLease() throws {
        let queue = try queue(lease: 10)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        let first = try XCTUnwrap(try queue.claim(owner: "slow", limit: 1, now: now).first)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(11)), 1)
        let second = try XCTUnwrap(try queue.claim(owner: "fast", limit: 1, now: now.addingTimeInterval(11)).first)
        XCTAssertNotEqual(first.lease.token, second.lease.token)
        XCTAssertNil(try queue.heartbeat(first.lease, now: now.addingTimeInterval(12)))
        XCTAssertFalse(try queue.complete(first.lease, outcome: TaskOutcome(result: "stale"), now: now.addingTimeInterval(12)))
        XCTAssertNil(try queue.fail(first.lease, error: "x", retryable: true, now: now.addingTimeInterval(12)))
        XCTAssertFalse(try queue.release(first.lease, now: now.addingTimeInterval(12)))
        XCTAssertTrue(try queue.complete(second.lease, outcome: TaskOutcome(result: "fresh"), now: now.addingTimeInterval(13)))
        XCTAssertEqual(try queue.task(task.id)?.result, "fresh")
        XCTAssertEqual(try queue.task(task.id)?.attempts, 2)
    }

    func heartbeat() throws {
        let queue = try queue(lease: 10)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: now).first)
        let renewed = try XCTUnwrap(try queue.heartbeat(claimed.lease, now: now.addingTimeInterval(8)))
        XCTAssertEqual(renewed.expiresAt.timeIntervalSince1970, now.addingTimeInterval(18).timeIntervalSince1970, accuracy: 0.01)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(15)), 0)
        XCTAssertTrue(try queue.complete(renewed, outcome: TaskOutcome(result: "ok"), now: now.addingTimeInterval(16)))
    }

    func backoffThenDead() throws {
        let queue = try queue(maxAttempts: 3)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        var now = Date()
        for attempt in 1...3 {
            let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: now).first, "attempt \(attempt)")
            let state = try queue.fail(claimed.lease, error: "boom \(attempt)", retryable: true, now: now)
            let record = try XCTUnwrap(try queue.task(task.id))
            if attempt < 3 {
                XCTAssertEqual(state, .failed)
                XCTAssertEqual(record.state, .failed)
                XCTAssertNil(record.finishedAt)
                let wait = record.runAt.timeIntervalSince(now)
                XCTAssertGreaterThanOrEqual(wait, -0.001)
                XCTAssertLessThanOrEqual(wait, 2 * pow(2, Double(attempt - 1)) + 0.001, "full jitter under the doubling ceiling")
                // Not claimable before its time.
                if wait > 0.01 { XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now).count, 0) }
                now = record.runAt.addingTimeInterval(0.001)
            } else {
                XCTAssertEqual(state, .dead)
                XCTAssertEqual(record.error, "boom 3")
                XCTAssertNotNil(record.finishedAt)
            }
        }
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(10_000)).count, 0)
        let retried = try queue.retry(task.id, now: Date())
        XCTAssertEqual(retried.state, .queued)
        XCTAssertEqual(retried.attempts, 0)
        XCTAssertNil(retried.finishedAt)
        XCTAssertThrowsError(try queue.retry(task.id, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.kind, .refused) }
        XCTAssertThrowsError(try queue.retry(9999, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: Date()).map(\.task.id), [task.id])
    }

    func nonRetryable() throws {
        let queue = try queue(maxAttempts: 5)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: Date()).first)
        XCTAssertEqual(try queue.fail(claimed.lease, error: "bad input", retryable: false, now: Date()), .dead)
    }

    func rescueToDead() throws {
        let queue = try queue(lease: 5, maxAttempts: 1)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        _ = try queue.claim(owner: "crashed", limit: 1, now: now)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(4)), 0)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(6)), 1)
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .dead)
        XCTAssertEqual(record.error, "lease expired: worker crashed stopped heartbeating")
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(7)), 0)
    }

    func rescueToQueued() throws {
        let queue = try queue(lease: 5, maxAttempts: 3)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let now = Date()
        _ = try queue.claim(owner: "crashed", limit: 1, now: now)
        XCTAssertEqual(try queue.rescueExpired(now: now.addingTimeInterval(6)), 1)
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 1)
        XCTAssertNil(record.leaseOwner)
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: now.addingTimeInterval(6)).map(\.task.attempts), [2])
    }

    func release() throws {
        let queue = try queue()
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: Date()).first)
        XCTAssertTrue(try queue.release(claimed.lease, now: Date()))
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: Date()).map(\.task.id), [task.id])
    }

    /// A task released with a not-before time is not claimed before it (the next task is), and is at it.
    func releaseNotBefore() throws {
        let queue = try queue()
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        let other = try queue.enqueue(NewTask(type: "t", prompt: "later", priority: -1))
        let now = Date()
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: now).first)
        XCTAssertEqual(claimed.task.id, task.id)
        XCTAssertTrue(try queue.release(claimed.lease, notBefore: now.addingTimeInterval(30), now: now))
        let record = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
        XCTAssertEqual(record.runAt.timeIntervalSince1970, now.addingTimeInterval(30).timeIntervalSince1970, accuracy: 0.001)
        // Before it: the other task (lower priority) is claimed, the released one is not.
        XCTAssertEqual(try queue.claim(owner: "w", limit: 5, now: now.addingTimeInterval(29)).map(\.task.id), [other.id])
        // At it: claimable again, its attempt still not counted.
        let again = try queue.claim(owner: "w", limit: 5, now: now.addingTimeInterval(30.5))
        XCTAssertEqual(again.map(\.task.id), [task.id])
        XCTAssertEqual(again.first?.task.attempts, 1)
    }

    func cancel() throws {
        let queue = try queue()
        let waiting = try queue.enqueue(NewTask(type: "t", prompt: "waiting"))
        let running = try queue.enqueue(NewTask(type: "t", prompt: "running", priority: 1))
        let later = try queue.enqueue(NewTask(type: "t", prompt: "later", runAt: Date().addingTimeInterval(60)))
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: Date()).first)
        XCTAssertEqual(claimed.task.id, running.id)
        XCTAssertEqual(try queue.cancel(running.id, now: Date()).state, .cancelled)
        XCTAssertFalse(try queue.complete(claimed.lease, outcome: TaskOutcome(result: "late"), now: Date()))
        XCTAssertEqual(try queue.cancel(waiting.id, now: Date()).state, .cancelled)
        XCTAssertEqual(try queue.cancel(later.id, now: Date()).state, .cancelled)
        XCTAssertThrowsError(try queue.cancel(waiting.id, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.kind, .refused) }
        XCTAssertThrowsError(try queue.cancel(9999, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        // Nothing cancelled is claimed, now or when its time comes.
        XCTAssertEqual(try queue.claim(owner: "w", limit: 5, now: Date().addingTimeInterval(120)).count, 0)
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .cancelled)).count, 3)
        // Retried by hand, it is claimable again.
        XCTAssertEqual(try queue.retry(later.id, now: Date()).state, .queued)
        XCTAssertEqual(try queue.claim(owner: "w", limit: 5, now: Date()).map(\.task.id), [later.id])
    }

    func claimOne() throws {
        let queue = try queue()
        let first = try queue.enqueue(NewTask(type: "t", prompt: "a", priority: 5))
        let second = try queue.enqueue(NewTask(type: "t", prompt: "b", runAt: Date().addingTimeInterval(60)))
        let claimed = try XCTUnwrap(try queue.claim(taskID: second.id, owner: "fg", now: Date()))
        XCTAssertEqual(claimed.task.id, second.id)
        XCTAssertEqual(claimed.task.state, .running)
        XCTAssertNil(try queue.claim(taskID: second.id, owner: "fg", now: Date()), "a running task is not claimed twice")
        XCTAssertNil(try queue.claim(taskID: 9999, owner: "fg", now: Date()))
        XCTAssertEqual(try queue.claim(owner: "w", limit: 5, now: Date().addingTimeInterval(120)).map(\.task.id), [first.id])
    }

    func listFilters() throws {
        let queue = try queue()
        _ = try queue.enqueue((0..<10).map { NewTask(type: $0 % 2 == 0 ? "analyze" : "explain", prompt: "\($0)") })
        XCTAssertEqual(try queue.tasks(TaskFilter(type: "analyze")).count, 5)
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued, limit: 3)).map(\.prompt), ["9", "8", "7"])
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued, type: "analyze", limit: 2)).map(\.prompt), ["8", "6"])
        XCTAssertEqual(try queue.tasks(TaskFilter()).map(\.prompt), (0..<10).map(String.init))
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .running)).count, 0)
        // A cursor pages newest first: ids below it, with and without a state, a type or a limit.
        let all = try queue.tasks(TaskFilter())
        let cursor = all[6].id
        XCTAssertEqual(try queue.tasks(TaskFilter(limit: 3, beforeID: cursor)).map(\.prompt), ["5", "4", "3"])
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued, limit: 2, beforeID: cursor)).map(\.prompt), ["5", "4"])
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued, type: "explain", limit: 5, beforeID: cursor)).map(\.prompt), ["5", "3", "1"])
        XCTAssertEqual(try queue.tasks(TaskFilter(beforeID: cursor)).map(\.prompt), ["0", "1", "2", "3", "4", "5"])
        XCTAssertEqual(try queue.tasks(TaskFilter(limit: 5, beforeID: all[0].id)).count, 0)
        XCTAssertEqual(try queue.counts()[.queued], 10)
        XCTAssertEqual(try queue.counts()[.running] ?? 0, 0)
        _ = try queue.claim(owner: "w", limit: 3, now: Date())
        let counts = try queue.counts()
        XCTAssertEqual(counts[.queued], 7)
        XCTAssertEqual(counts[.running], 3)
        XCTAssertEqual(counts.values.reduce(0, +), 10)
    }

    func badInput() throws {
        let queue = try queue()
        for task in [
            NewTask(type: "", prompt: "p"), NewTask(type: "t", prompt: "p", priority: 2_000_000_000), NewTask(type: "t", prompt: "p", maxAttempts: 0),
            NewTask(type: "t", prompt: "p", runAt: Date(timeIntervalSince1970: -5)),
        ] {
            XCTAssertThrowsError(try queue.enqueue([NewTask(type: "t", prompt: "ok"), task])) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        }
        XCTAssertEqual(try queue.tasks(TaskFilter()).count, 0, "a refused batch queues nothing")
    }

    /// Text of every kind survives the trip: newlines, NUL-free binary-ish text, quotes, Unicode, large.
    func textFidelity() throws {
        let queue = try queue()
        let prompt = "line 1\nline 2\r\n\t\"quoted\" 'single' \\ back ünïcødé 🦊 " + String(repeating: "x", count: 300_000)
        let task = try queue.enqueue(NewTask(type: "t", prompt: prompt, files: ["a b.swift", "ü/ö.py"], parameters: ["k": "v\nw", "e": ""]))
        let read = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(read.prompt, prompt)
        XCTAssertEqual(read.files, ["a b.swift", "ü/ö.py"])
        XCTAssertEqual(read.parameters, ["k": "v\nw", "e": ""])
        let claimed = try XCTUnwrap(try queue.claim(owner: "w", limit: 1, now: Date()).first)
        XCTAssertTrue(try queue.complete(claimed.lease, outcome: TaskOutcome(result: prompt), now: Date()))
        XCTAssertEqual(try queue.task(task.id)?.result, prompt)
    }

    /// Several connections (as many workers would open) claiming at once never share a task.
    func concurrentClaimers(open: @escaping @Sendable () throws -> any TaskQueue) throws {
        let total = 2000
        _ = try queue(lease: 60).enqueue((0..<total).map { NewTask(type: "t", prompt: "\($0)") })
        let claimed = ClaimLog()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            guard let queue = try? open() else { return claimed.failed() }
            while true {
                guard let batch = try? queue.claim(owner: "w\(worker)", limit: 1 + worker % 3, now: Date()) else { return claimed.failed() }
                if batch.isEmpty { return }
                for task in batch {
                    claimed.add(task.task.id)
                    guard (try? queue.complete(task.lease, outcome: TaskOutcome(result: "w\(worker)"), now: Date())) == true else { return claimed.failed() }
                }
            }
        }
        XCTAssertEqual(claimed.failures, 0)
        XCTAssertEqual(claimed.ids.count, total)
        XCTAssertEqual(Set(claimed.ids).count, total, "a task was claimed twice")
        let done = try queue().tasks(TaskFilter(state: .succeeded))
        XCTAssertEqual(done.count, total)
        XCTAssertTrue(done.allSatisfy { $0.attempts == 1 })
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
