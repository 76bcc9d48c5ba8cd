import Foundation
import MinicBase

/// A durable task queue shared by any number of workers in any number of
/// processes. No task runs twice at once: a claim grants a lease with a random
/// token, and completing, failing or heartbeating takes effect only while the
/// token still matches (a `false` or `nil` answer means the lease was lost and
/// the result must be dropped). Expired leases come back through
/// ``rescueExpired(now:)``.
///
/// Implementations: ``SQLiteTaskQueue`` (one file, no server) and `RedisTaskQueue`
/// (module MinicRedis: workers on many machines). Both pass one conformance suite
/// (`Tests/MinicQueueTests/Conformance`). Errors are ``QueueError``s, whose
/// ``QueueError/isTransient`` tells a worker to wait and retry.
///
/// The methods block (both backends sit on blocking C libraries: SQLite with its busy
/// timeout, hiredis's synchronous client). An async protocol would only wrap each call
/// in a thread hop; instead callers on Swift's cooperative pool run them through
/// ``Blocking/run(_:)``, one hop per step of their own choosing (the worker records an
/// outcome and reads the task back in one).
public protocol TaskQueue: Sendable {
    /// Adds tasks in one transaction; a task whose idempotency key is known returns the first task with that key
    /// when the request is the same, and a different request under a used key refuses the whole batch (bad input).
    func enqueue(_ tasks: [NewTask]) throws(QueueError) -> [TaskRecord]
    /// Leases up to `limit` ready tasks to `owner`: highest priority, then earliest `run_at`, then oldest.
    func claim(owner: String, limit: Int, now: Date) throws(QueueError) -> [ClaimedTask]
    /// Leases one specific task if it is ready (for a task run in the foreground); `nil` if it is not.
    func claim(taskID: Int64, owner: String, now: Date) throws(QueueError) -> ClaimedTask?
    /// Extends a lease; `nil` when it was lost.
    func heartbeat(_ lease: Lease, now: Date) throws(QueueError) -> Lease?
    /// Records success; `false` when the lease was lost (the result is dropped).
    func complete(_ lease: Lease, outcome: TaskOutcome, now: Date) throws(QueueError) -> Bool
    /// Records a failure: `failed` with a backoff, or `dead` when attempts are used up
    /// or `retryable` is false; `nil` when the lease was lost. With an `outcome`, its answer, usage and report are
    /// kept with the failure (an answer the guardrails blocked, or whose checks failed, for a person to read).
    func fail(_ lease: Lease, error: String, retryable: Bool, outcome: TaskOutcome?, now: Date) throws(QueueError) -> TaskState?
    /// Gives a task back without counting the attempt (a worker shutting down, or a task this worker cannot run
    /// yet); `false` when the lease was lost.
    /// - Parameter notBefore: the task is not claimable before then (its `run_at`); `nil` makes it ready at `now`.
    func release(_ lease: Lease, notBefore: Date?, now: Date) throws(QueueError) -> Bool
    /// Returns running tasks whose lease expired to the queue, or to `dead` when their attempts are used up.
    func rescueExpired(now: Date) throws(QueueError) -> Int
    /// Cancels a task that has not finished.
    func cancel(_ id: Int64, now: Date) throws(QueueError) -> TaskRecord
    /// Puts a `failed`, `dead` or `cancelled` task back in the queue with fresh attempts.
    func retry(_ id: Int64, now: Date) throws(QueueError) -> TaskRecord
    /// Records a person's verdict on a finished task (succeeded, failed, dead or cancelled), replacing an earlier
    /// one. A retry clears it: the next answer has not been judged. Unknown id: bad input; any other state: refused.
    func rate(_ id: Int64, rating: TaskRating, now: Date) throws(QueueError) -> TaskRecord
    func task(_ id: Int64) throws(QueueError) -> TaskRecord?
    func tasks(_ filter: TaskFilter) throws(QueueError) -> [TaskRecord]
    /// How many tasks are in each state now (states with none may be missing).
    func counts() throws(QueueError) -> [TaskState: Int]
    /// How many tasks carry each verdict now (verdicts with none may be missing).
    func ratingCounts() throws(QueueError) -> [TaskRating.Verdict: Int]
}

extension TaskQueue {
    /// Gives a task back, ready at once (see ``release(_:notBefore:now:)``).
    public func release(_ lease: Lease, now: Date) throws(QueueError) -> Bool { try release(lease, notBefore: nil, now: now) }

    /// Records a failure with nothing kept but the message (see ``fail(_:error:retryable:outcome:now:)``).
    public func fail(_ lease: Lease, error: String, retryable: Bool, now: Date) throws(QueueError) -> TaskState? {
        try fail(lease, error: error, retryable: retryable, outcome: nil, now: now)
    }

    /// Adds one task (see ``enqueue(_:)``).
    public func enqueue(_ task: NewTask) throws(QueueError) -> TaskRecord {
        let records = try enqueue([task])
        guard let record = records.first else { throw .internal("enqueue returned no task") }
        return record
    }
}
