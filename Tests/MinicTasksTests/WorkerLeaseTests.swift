import Foundation
import MinicCore
import MinicLLM
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

/// Leases under pressure: blocking work never starves the heartbeats, and a lease that is lost stops its task's work.
final class WorkerLeaseTests: XCTestCase {
    func pipeline(_ home: TestHome, provider: any LLMProvider, lease: Double) throws -> TaskPipeline {
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let queue = try SQLiteTaskQueue(
            path: home.path + "/state/queue.sqlite3", settings: QueueSettings(leaseSeconds: lease, maxAttempts: 3, backoff: Backoff(base: 0.01, maximum: 0.02)))
        return TaskPipeline(home: opened, queue: queue, provider: provider)
    }

    /// Sixteen tasks at once whose answers the Python helper analyses for far longer than a third of the
    /// lease (a child process waited for on a thread): the heartbeats still run, no lease expires, nothing runs twice.
    func testBlockingWorkAtHighConcurrencyDoesNotStarveHeartbeats() async throws {
        let home = TestHome()
        // Python per answer: the helper (a python3 process each) spends well over 0.3 s on each with sixteen running on two cores.
        let code = (0..<1_500).map { "value_\($0) = [\($0), \($0 + 1)]" }.joined(separator: "\n")
        let provider = RecordingProvider(answer: "Here:\n```python\n\(code)\n```\n")
        let lease = 2.4
        let pipeline = try pipeline(home, provider: provider, lease: lease)
        let tasks = try pipeline.submit((0..<32).map { NewTask(type: "explain", prompt: "block \($0)") })
        let start = Date()
        let summary = try await Worker(pipeline: pipeline, concurrency: 16, mode: .drain, leaseSeconds: lease, pollSeconds: 0.05).run(stop: StopSignal())
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(summary.succeeded, tasks.count, "\(summary)")
        XCTAssertEqual(summary.lost, 0)
        // The work really blocked for longer than a lease third per task, on average over the slots.
        XCTAssertGreaterThan(seconds / Double(tasks.count) * 16, lease / 3, "the helper ran too fast to prove anything")
        let records = try pipeline.queue.tasks(TaskFilter())
        XCTAssertEqual(records.map(\.attempts), Array(repeating: 1, count: tasks.count), "a lease expired and a task ran again")
        XCTAssertEqual(provider.requests.count, tasks.count, "a task was asked twice")
        XCTAssertFalse(home.activityLog.contains("lease expired"))
        XCTAssertFalse(home.activityLog.contains("lease lost"))
    }

    /// A lease taken over (another worker, a rescue) cancels the task's work at the next heartbeat;
    /// nothing is recorded over the new holder's claim.
    func testALostLeaseCancelsTheTasksWorkAndRecordsNothing() async throws {
        let home = TestHome()
        let provider = RecordingProvider(delay: 20)
        let pipeline = try pipeline(home, provider: provider, lease: 0.6)
        let task = try XCTUnwrap(try pipeline.submit([NewTask(type: "explain", prompt: "long")]).first)
        let start = Date()
        let running = Task { try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 0.6, pollSeconds: 0.05).run(stop: StopSignal()) }
        while try pipeline.queue.task(task.id)?.state != .running {
            XCTAssertLessThan(Date().timeIntervalSince(start), 10)
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        // Another worker takes the task over, as a rescue and a new claim would (with the sqlite3 CLI, another process).
        let database = home.path + "/state/queue.sqlite3"
        let steal = Shell.run(
            "sqlite3",
            [
                database,
                "UPDATE tasks SET lease_owner = 'thief', lease_token = 'thief-token', lease_expires_at = strftime('%s','now') + 3600 WHERE id = \(task.id)",
            ])
        XCTAssertEqual(steal.status, 0, steal.stderr)
        let summary = try await running.value
        XCTAssertLessThan(Date().timeIntervalSince(start), 8, "the work went on after the lease was lost")
        XCTAssertEqual(summary.lost, 1)
        XCTAssertEqual(summary.succeeded + summary.failed + summary.released, 0)
        let row = Shell.run("sqlite3", [database, "SELECT state, lease_owner, lease_token, coalesce(result, '-') FROM tasks WHERE id = \(task.id)"])
        XCTAssertEqual(row.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "running|thief|thief-token|-", "the new holder's claim was touched")
        XCTAssertTrue(home.activityLog.contains("task \(task.id): lease lost"), home.activityLog)
    }

    /// A rescue that fails is logged and retried with backoff, not ignored, and the worker goes on.
    func testAFailingRescueIsLoggedRetriedAndTheWorkerGoesOn() async throws {
        let home = TestHome()
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let sqlite = try SQLiteTaskQueue(path: home.path + "/state/queue.sqlite3", settings: QueueSettings(leaseSeconds: 0.6, maxAttempts: 3))
        let queue = RescueFailingQueue(sqlite, failures: 2)
        let pipeline = TaskPipeline(home: opened, queue: queue, provider: RecordingProvider())
        _ = try pipeline.submit([NewTask(type: "explain", prompt: "x")])
        let stop = StopSignal()
        let running = Task { try await Worker(pipeline: pipeline, concurrency: 1, mode: .forever, leaseSeconds: 0.6, pollSeconds: 0.05).run(stop: stop) }
        let deadline = Date().addingTimeInterval(20)
        while queue.rescues < 3 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        stop.raise()
        _ = try await running.value
        XCTAssertGreaterThanOrEqual(queue.rescues, 3, "the rescue was not retried after failing")
        XCTAssertEqual(try sqlite.tasks(TaskFilter(state: .succeeded)).count, 1, "the worker stopped working")
        XCTAssertEqual(home.activityLog.components(separatedBy: "returning expired leases failed").count - 1, 2, home.activityLog)
        XCTAssertTrue(home.activityLog.contains("disk I/O error (injected)"))
    }
}

/// The SQLite queue, with its first `failures` rescues failing as a broken disk would make them.
final class RescueFailingQueue: TaskQueue, @unchecked Sendable {
    let base: SQLiteTaskQueue
    private let lock = NSLock()
    private var remaining: Int
    private var calls = 0

    init(_ base: SQLiteTaskQueue, failures: Int) {
        self.base = base
        remaining = failures
    }

    var rescues: Int {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    func rescueExpired(now: Date) throws(QueueError) -> Int {
        lock.lock()
        calls += 1
        let fail = remaining > 0
        remaining -= 1
        lock.unlock()
        if fail { throw .internal("queue: rescue: disk I/O error (injected)") }
        return try base.rescueExpired(now: now)
    }

    func enqueue(_ tasks: [NewTask]) throws(QueueError) -> [TaskRecord] { try base.enqueue(tasks) }
    func claim(owner: String, limit: Int, now: Date) throws(QueueError) -> [ClaimedTask] { try base.claim(owner: owner, limit: limit, now: now) }
    func claim(taskID: Int64, owner: String, now: Date) throws(QueueError) -> ClaimedTask? { try base.claim(taskID: taskID, owner: owner, now: now) }
    func heartbeat(_ lease: Lease, now: Date) throws(QueueError) -> Lease? { try base.heartbeat(lease, now: now) }
    func complete(_ lease: Lease, outcome: TaskOutcome, now: Date) throws(QueueError) -> Bool { try base.complete(lease, outcome: outcome, now: now) }
    func fail(_ lease: Lease, error: String, retryable: Bool, outcome: TaskOutcome?, now: Date) throws(QueueError) -> TaskState? {
        try base.fail(lease, error: error, retryable: retryable, outcome: outcome, now: now)
    }
    func release(_ lease: Lease, notBefore: Date?, now: Date) throws(QueueError) -> Bool { try base.release(lease, notBefore: notBefore, now: now) }
    func rate(_ id: Int64, rating: TaskRating, now: Date) throws(QueueError) -> TaskRecord { try base.rate(id, rating: rating, now: now) }
    func ratingCounts() throws(QueueError) -> [TaskRating.Verdict: Int] { try base.ratingCounts() }
    func cancel(_ id: Int64, now: Date) throws(QueueError) -> TaskRecord { try base.cancel(id, now: now) }
    func retry(_ id: Int64, now: Date) throws(QueueError) -> TaskRecord { try base.retry(id, now: now) }
    func task(_ id: Int64) throws(QueueError) -> TaskRecord? { try base.task(id) }
    func tasks(_ filter: TaskFilter) throws(QueueError) -> [TaskRecord] { try base.tasks(filter) }
    func counts() throws(QueueError) -> [TaskState: Int] { try base.counts() }
}
