import Foundation
import MinicQueue
import MinicRedis
import MinicTestSupport
import XCTest

/// What only the Redis backend has: its keys, its connection, its server going away and coming back.
final class RedisQueueTests: XCTestCase {
    func open(_ server: RedisServer, expectedID: String? = nil, timeout: Double = 2) throws -> RedisTaskQueue {
        try RedisTaskQueue(client: RedisClient(url: RedisURL(parsing: server.url), timeout: timeout), settings: QueueSettings(leaseSeconds: 30), expectedID: expectedID)
    }

    func testEveryKeyIsInOneClusterSlot() throws {
        let server = try RedisServer()
        let queue = try open(server)
        let tasks = try queue.enqueue((0..<5).map { NewTask(type: "t", prompt: "\($0)", runAt: $0 == 4 ? Date().addingTimeInterval(60) : nil, idempotencyKey: "k\($0)") })
        let claimed = try queue.claim(owner: "w", limit: 2, now: Date())
        _ = try queue.fail(claimed[0].lease, error: "x", retryable: true, now: Date())
        let keys = server.cli("--scan").split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(keys.count, 8)
        XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("{minic}:") }, "\(keys)")
        let slots = Set(keys.map { server.cli("CLUSTER", "KEYSLOT", $0) })
        // CLUSTER KEYSLOT needs no cluster; one hash tag is one slot.
        XCTAssertEqual(slots.count, 1, "\(slots)")
        XCTAssertEqual(server.cli("HGET", "{minic}:t:\(tasks[1].id)", "state"), "running")
        XCTAssertEqual(server.cli("HGET", "{minic}:meta", "queue_id"), queue.queueID)
    }

    func testAnUnreachableServerIsTransientAndNamesNoPassword() throws {
        let port = try RedisServer.freePort()
        XCTAssertThrowsError(try RedisTaskQueue(client: RedisClient(url: RedisURL(parsing: "redis://:hunter2secret@127.0.0.1:\(port)/0"), timeout: 1))) {
            let error = $0 as? QueueError
            XCTAssertEqual(error?.kind, .unavailable)
            XCTAssertTrue(error?.isTransient == true)
            XCTAssertTrue("\($0)".contains("127.0.0.1:\(port)"), "\($0)")
            XCTAssertFalse("\($0)".contains("hunter2secret"), "\($0)")
        }
    }

    func testAWrongPasswordIsOneClearLineWithoutThePassword() throws {
        let server = try RedisServer(password: "right-password-123")
        for url in ["redis://:wrong-password-456@127.0.0.1:\(server.port)/0", "redis://127.0.0.1:\(server.port)/0"] {
            XCTAssertThrowsError(try RedisTaskQueue(client: RedisClient(url: RedisURL(parsing: url), timeout: 2))) {
                XCTAssertEqual(($0 as? QueueError)?.kind, .badInput, "\($0)")
                XCTAssertFalse("\($0)".contains("wrong-password-456"), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
        let queue = try open(server)
        XCTAssertEqual(try queue.enqueue(NewTask(type: "t", prompt: "p")).id, 1)
    }

    func testAFlushedServerIsRefusedNotReused() throws {
        let server = try RedisServer()
        let queue = try open(server)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        server.cli("FLUSHALL")
        // An open queue refuses every change; a reopen that expects the id refuses too; nothing is recreated.
        XCTAssertThrowsError(try queue.enqueue(NewTask(type: "t", prompt: "q"))) { XCTAssertEqual(($0 as? QueueError)?.kind, .broken, "\($0)") }
        XCTAssertThrowsError(try queue.claim(owner: "w", limit: 1, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.kind, .broken) }
        XCTAssertThrowsError(try open(server, expectedID: queue.queueID)) {
            XCTAssertEqual(($0 as? QueueError)?.kind, .broken)
            XCTAssertTrue("\($0)".contains("new-queue"), "\($0)")
        }
        XCTAssertEqual(server.cli("DBSIZE"), "0")
        // Another queue under the name is refused as well.
        let other = try open(server)
        XCTAssertNotEqual(other.queueID, queue.queueID)
        XCTAssertThrowsError(try open(server, expectedID: queue.queueID)) { XCTAssertEqual(($0 as? QueueError)?.kind, .broken) }
    }

    func testScriptsAreLoadedAgainWhenTheServerForgetsThem() throws {
        let server = try RedisServer()
        let queue = try open(server)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        server.cli("SCRIPT", "FLUSH")
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: Date()).count, 1)
        XCTAssertEqual(server.cli("SCRIPT", "EXISTS", QueueScriptsProbe.claimSHA(queue)), "1")
    }

    /// Killed (SIGKILL) and started again: the append-only file brings back every acknowledged
    /// task, and the same queue object reconnects.
    func testAServerKilledAndRestartedKeepsAcknowledgedTasks() throws {
        let server = try RedisServer()
        let queue = try open(server)
        let acknowledged = try queue.enqueue((0..<200).map { NewTask(type: "t", prompt: "\($0)") })
        let claimed = try queue.claim(owner: "w", limit: 3, now: Date())
        XCTAssertTrue(try queue.complete(claimed[0].lease, outcome: TaskOutcome(result: "done"), now: Date()))
        server.kill()
        XCTAssertThrowsError(try queue.claim(owner: "w", limit: 1, now: Date())) { XCTAssertEqual(($0 as? QueueError)?.isTransient, true, "\($0)") }
        try server.start()
        XCTAssertEqual(try queue.tasks(TaskFilter()).map(\.id), acknowledged.map(\.id))
        XCTAssertEqual(try queue.task(claimed[0].task.id)?.state, .succeeded)
        XCTAssertEqual(try queue.task(claimed[1].task.id)?.state, .running)
        XCTAssertTrue(try queue.complete(claimed[1].lease, outcome: TaskOutcome(result: "after restart"), now: Date()))
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued)).count, 197)
    }

    /// A task hash changed by hand (a field missing or not what minic writes) is refused with its id, never read with guesses.
    func testATaskEditedByHandIsRefusedNotGuessed() throws {
        let server = try RedisServer()
        let queue = try open(server)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p", files: ["a.swift"]))
        for (field, value) in [("files", "not json"), ("priority", "high"), ("run_at", "soon"), ("state", "paused")] {
            let original = server.cli("HGET", "{minic}:t:\(task.id)", field)
            server.cli("HSET", "{minic}:t:\(task.id)", field, value)
            XCTAssertThrowsError(try queue.task(task.id), field) {
                XCTAssertEqual(($0 as? QueueError)?.kind, .broken)
                XCTAssertTrue("\($0)".contains("task \(task.id)") && "\($0)".contains(field), "\($0)")
            }
            server.cli("HSET", "{minic}:t:\(task.id)", field, original)
        }
        server.cli("HDEL", "{minic}:t:\(task.id)", "type")
        XCTAssertThrowsError(try queue.tasks(TaskFilter())) { XCTAssertEqual(($0 as? QueueError)?.kind, .broken) }
    }

    /// Many batches in one round trip: each atomic on its own, a refused one queues nothing.
    func testStreamedBatchesAreEachAtomic() throws {
        let server = try RedisServer()
        let queue = try open(server)
        _ = try queue.enqueue(NewTask(type: "t", prompt: "first", idempotencyKey: "used"))
        let results = try queue.enqueue(batches: [
            (0..<3).map { NewTask(type: "t", prompt: "a\($0)") },
            [NewTask(type: "t", prompt: "b0"), NewTask(type: "t", prompt: "other", idempotencyKey: "used")],
            [NewTask(type: "", prompt: "no type")],
            (0..<2).map { NewTask(type: "t", prompt: "c\($0)") },
        ])
        XCTAssertEqual(try results[0].get().map(\.prompt), ["a0", "a1", "a2"])
        XCTAssertThrowsError(try results[1].get()) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        XCTAssertThrowsError(try results[2].get()) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        XCTAssertEqual(try results[3].get().map(\.prompt), ["c0", "c1"])
        XCTAssertEqual(try queue.tasks(TaskFilter()).map(\.prompt), ["first", "a0", "a1", "a2", "c0", "c1"])
    }

    /// Keys edited by hand never make a script stop half-way: nothing claimable is lost, nothing finished runs again.
    func testHandEditedIndexesNeitherLoseNorRepeatTasks() throws {
        let server = try RedisServer()
        let queue = try open(server)
        let first = try queue.enqueue(NewTask(type: "t", prompt: "first"))
        let second = try queue.enqueue(NewTask(type: "t", prompt: "second"))
        // A ready member naming a task that does not exist, ranked before every real one.
        server.cli("ZADD", "{minic}:ready", "0", "0000000000:000000000000.000000:000000000000999")
        // A finished task put back in the ready set.
        let done = try XCTUnwrap(try queue.claim(taskID: second.id, owner: "w", now: Date()))
        XCTAssertTrue(try queue.complete(done.lease, outcome: TaskOutcome(result: "ok"), now: Date()))
        server.cli("ZADD", "{minic}:ready", "0", "0000000000:000000000000.000000:\(String(repeating: "0", count: 14))\(second.id)")
        let claimed = try queue.claim(owner: "w", limit: 5, now: Date())
        XCTAssertEqual(claimed.map(\.task.id), [first.id], "the real task is leased; the stale members are not")
        XCTAssertEqual(try queue.task(second.id)?.attempts, 1, "a finished task never runs again")
        XCTAssertEqual(server.cli("EXISTS", "{minic}:t:999"), "0", "no half-written task")
        // A delayed task whose priority is no number: set aside, not lost in between, and the claim goes on.
        let later = try queue.enqueue(NewTask(type: "t", prompt: "later", runAt: Date().addingTimeInterval(1)))
        let third = try queue.enqueue(NewTask(type: "t", prompt: "third"))
        server.cli("HSET", "{minic}:t:\(later.id)", "priority", "abc")
        XCTAssertEqual(try queue.claim(owner: "w", limit: 5, now: Date().addingTimeInterval(2)).map(\.task.id), [third.id])
        XCTAssertEqual(server.cli("ZSCORE", "{minic}:corrupt", String(later.id)), String(later.id))
        // An expired lease on a task with no max_attempts: dead, not running forever.
        server.cli("HDEL", "{minic}:t:\(third.id)", "max_attempts")
        XCTAssertEqual(try queue.rescueExpired(now: Date().addingTimeInterval(3600)), 2)
        XCTAssertEqual(server.cli("HGET", "{minic}:t:\(third.id)", "state"), "dead")
        XCTAssertEqual(server.cli("ZCARD", "{minic}:leases"), "0")
    }

    /// One of the queue's keys turned into another type (or a counter that is no id) refuses every change
    /// before anything is written: no task half-leased, none half-queued.
    func testAKeyOfTheWrongTypeRefusesBeforeAnyWrite() throws {
        let server = try RedisServer()
        let queue = try open(server)
        let task = try queue.enqueue(NewTask(type: "t", prompt: "p"))
        for (key, type) in [("{minic}:s:queued", "string"), ("{minic}:ready", "string"), ("{minic}:leases", "list")] {
            server.cli("RENAME", key, key + ":saved")
            if type == "string" { server.cli("SET", key, "x") } else { server.cli("RPUSH", key, "x") }
            let before = server.cli("HGETALL", "{minic}:t:\(task.id)")
            XCTAssertThrowsError(try queue.claim(owner: "w", limit: 1, now: Date()), key) {
                XCTAssertEqual(($0 as? QueueError)?.kind, .broken)
                XCTAssertTrue("\($0)".contains(key), "\($0)")
            }
            XCTAssertThrowsError(try queue.enqueue(NewTask(type: "t", prompt: "more")), key)
            XCTAssertEqual(server.cli("HGETALL", "{minic}:t:\(task.id)"), before, "\(key): nothing changed")
            XCTAssertEqual(server.cli("GET", "{minic}:seq"), String(task.id), "\(key): no id used up")
            server.cli("DEL", key)
            server.cli("RENAME", key + ":saved", key)
        }
        server.cli("SET", "{minic}:seq", "abc")
        XCTAssertThrowsError(try queue.enqueue(NewTask(type: "t", prompt: "more"))) { XCTAssertTrue("\($0)".contains("seq"), "\($0)") }
        server.cli("SET", "{minic}:seq", "9223372036854775807")
        XCTAssertEqual(try queue.tasks(TaskFilter()).map(\.id), [task.id], "listing is bounded by the tasks there are, not the counter")
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1, now: Date()).map(\.task.id), [task.id])
    }

    func testURLs() throws {
        let url = try RedisURL(parsing: "redis://:p%40ss@cache.example:6380/3")
        XCTAssertEqual(url.host, "cache.example")
        XCTAssertEqual(url.port, 6380)
        XCTAssertEqual(url.database, 3)
        XCTAssertEqual(url.password, "p@ss")
        XCTAssertEqual(url.redacted, "redis://:***@cache.example:6380/3")
        XCTAssertEqual(try RedisURL(parsing: "redis://user:pw@[::1]:7000").host, "::1")
        XCTAssertEqual(try RedisURL(parsing: "redis://user:pw@[::1]:7000").username, "user")
        XCTAssertEqual(try RedisURL(parsing: "redis://localhost").port, 6379)
        for bad in ["http://x", "redis://", "redis://host:0", "redis://host:99999", "redis://host/x", "redis://ho st", "rediss://host:6380", "redis://host:+6379", "redis://host/+1", "redis://host: 6379"] {
            XCTAssertThrowsError(try RedisURL(parsing: bad), bad) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }
        }
        XCTAssertThrowsError(try RedisURL(parsing: "rediss://:secretpw@host")) {
            XCTAssertTrue("\($0)".contains("TLS"))
            XCTAssertFalse("\($0)".contains("secretpw"))
        }
    }
}

/// The SHA-1 of the claim script, as a test outside the module can see it: `SCRIPT LOAD` of the same text.
enum QueueScriptsProbe {
    static func claimSHA(_ queue: RedisTaskQueue) -> String { queue.scriptSHA("claim") ?? "" }
}
