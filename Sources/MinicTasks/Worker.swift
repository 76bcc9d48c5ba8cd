import Foundation
import MinicCore
import MinicQueue

/// Processes queued tasks: claims up to `concurrency` at a time, keeps each lease
/// alive with a heartbeat every third of its length, and returns expired leases
/// of crashed workers to the queue.
///
/// On stop it claims nothing more and lets running tasks finish within
/// `grace`; any still running then are cancelled and released, not lost.
public final class Worker: Sendable {
    public enum Mode: Sendable {
        /// Until stopped.
        case forever
        /// One batch of claims, then exit.
        case once
        /// Until no task is ready, then exit.
        case drain
    }

    public struct Summary: Sendable, Equatable {
        public var succeeded = 0
        public var failed = 0
        public var lost = 0
        public var released = 0
    }

    let pipeline: TaskPipeline
    let concurrency: Int
    let mode: Mode
    let owner: String
    let leaseSeconds: Double
    let pollSeconds: Double
    let grace: Double
    /// Seconds between background pulls from the origin (``TaskPipeline/sync``); 0 pulls only when a task needs it.
    let pullEvery: Double
    /// Seconds between looks at the head and `updates.watch_interval_seconds` for the update watch
    /// (``startWatching()``); 0 never watches.
    let watchCheckSeconds: Double
    /// Gets each task's text as it arrives (a server's event streams), and `nil` once the task is done.
    let onText: (@Sendable (Int64, String?) -> Void)?

    /// - Parameters:
    ///   - pullEvery: seconds between background pulls from the origin, when the pipeline has a
    ///     ``HomeSync``; 0 turns them off (a task naming a commit this home lacks still pulls first).
    ///   - watchCheckSeconds: how often a worker in ``Mode/forever`` looks whether ``UpdateWatch`` is due
    ///     (`updates.watch_interval_seconds`, or a new head); 0 never watches.
    public init(
        pipeline: TaskPipeline, concurrency: Int, mode: Mode, leaseSeconds: Double, owner: String? = nil, pollSeconds: Double = 0.2, grace: Double = 10,
        pullEvery: Double = 0, watchCheckSeconds: Double = 15, onText: (@Sendable (Int64, String?) -> Void)? = nil
    ) {
        precondition(watchCheckSeconds >= 0, "watchCheckSeconds must not be negative")
        self.watchCheckSeconds = watchCheckSeconds
        precondition(pullEvery >= 0, "pullEvery must not be negative")
        self.onText = onText
        self.pullEvery = pullEvery
        precondition(concurrency > 0, "concurrency must be positive")
        self.pipeline = pipeline
        self.concurrency = concurrency
        self.mode = mode
        self.leaseSeconds = leaseSeconds
        self.owner = owner ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        self.pollSeconds = pollSeconds
        self.grace = grace
    }

    public func run(stop: StopSignal) async throws(MinicError) -> Summary {
        pipeline.setMissingCommitDelay(base: max(TaskPipeline.missingCommitDelayFloor, pullEvery))
        let puller = startPulling()
        defer { puller?.cancel() }
        let watcher = startWatching()
        defer { watcher?.cancel() }
        do {
            let summary = try await loop(stop: stop)
            if !stop.isRaised { await settlePull(stop: stop) }
            return summary
        } catch let error as MinicError {
            // E.g. a queue file deleted or replaced under the worker (a claim refuses): stop, and say so in the log too.
            pipeline.taskLog.error("worker \(owner) stopped: \(error.message)")
            throw error
        } catch {
            throw .internal("worker: \(error)")
        }
    }

    private func loop(stop: StopSignal) async throws -> Summary {
        var summary = Summary()
        var rescue = RetrySchedule(interval: leaseSeconds / 3)
        // Reaching the queue: claims stop while it is unreachable (a Redis restart, a network cut) and resume with backoff.
        var reach = RetrySchedule(interval: 0, maxWait: 5)
        var claimedOnce = false
        // Why claims are held: main's approvals fail (or cannot be checked). Tasks stay queued meanwhile.
        var held: MinicError?
        let queue = pipeline.queue
        let owner = self.owner
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var active = 0
            var ticking = false
            while !stop.isRaised {
                if rescue.isDue {
                    do throws(MinicError) {
                        let rescued = try await Blocking.run { () throws(MinicError) in try queueCall { () throws(QueueError) in try queue.rescueExpired(now: Date()) } }
                        if rescued > 0 { pipeline.taskLog.notice("returned \(rescued) task(s) with expired leases to the queue") }
                        rescue.succeeded()
                    } catch {
                        // Not fatal, but never silent: retried with backoff while this worker goes on.
                        rescue.failed()
                        pipeline.systemLog.error("worker \(owner): returning expired leases failed (retry in \(rescue.retryDescription)): \(error.message)")
                    }
                }
                let free = concurrency - active
                var claimed: [ClaimedTask] = []
                if free > 0 && !(mode == .once && claimedOnce) && reach.isDue {
                    held = await hold(held, because: Blocking.run { [pipeline] in pipeline.mainRefusal() })
                }
                if let held, mode != .forever {
                    // A worker that drains or runs once stops with the refusal; running tasks finish first.
                    if active == 0 { throw held }
                } else if held == nil && free > 0 && !(mode == .once && claimedOnce) && reach.isDue {
                    do throws(QueueError) {
                        claimed = try await Blocking.run { () throws(QueueError) in try queue.claim(owner: owner, limit: free, now: Date()) }
                        if reach.isFailing { pipeline.systemLog.notice("worker \(owner): the queue is reachable again") }
                        reach.succeeded()
                    } catch where error.isTransient {
                        reach.failed()
                        pipeline.systemLog.error("worker \(owner): the queue is unreachable (retry \(reach.failures) in \(reach.retryDescription)): \(error.message)")
                    } catch {
                        throw MinicError(error)
                    }
                }
                if !claimed.isEmpty { claimedOnce = true }
                for task in claimed {
                    active += 1
                    group.addTask { await self.process(task, stop: stop) }
                }
                // Draining ends when nothing is claimable: a task released for later (its agent commit not here) is not.
                if claimed.isEmpty && active == 0 && mode != .forever && !reach.isFailing { break }
                if !claimed.isEmpty && active < concurrency { continue }
                // Wait for a task to finish or for the next poll, whichever comes first,
                // so that a stop signal or newly queued work is seen within a poll.
                if !ticking {
                    ticking = true
                    let poll = pollSeconds
                    group.addTask {
                        // Cut short only by cancellation, which is no error.
                        try? await Task.sleep(nanoseconds: UInt64(poll * 1e9))
                        return .tick
                    }
                }
                guard let outcome = try await group.next() else { continue }
                if case .tick = outcome {
                    ticking = false
                } else {
                    active -= 1
                    summary.add(outcome)
                }
            }
            // Stopping: running tasks get `grace` to finish, then are cancelled and released.
            if active > 0 {
                let grace = self.grace
                group.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(grace * 1e9))
                    return .watchdog
                }
                while active > 0, let outcome = try await group.next() {
                    switch outcome {
                    case .watchdog: group.cancelAll()
                    case .tick: break
                    default:
                        summary.add(outcome)
                        active -= 1
                    }
                }
                // Ends the watchdog's sleep if the tasks finished first.
                group.cancelAll()
            }
        }
        return summary
    }

    /// Logs when claims start or stop being held for main's approvals (once each way, in a worker that runs until
    /// stopped), and returns the new reason.
    private func hold(_ previous: MinicError?, because refusal: MinicError?) -> MinicError? {
        guard mode == .forever, refusal != previous else { return refusal }
        if let refusal {
            pipeline.systemLog.error("worker \(owner): not running tasks, they stay queued: \(refusal.message)")
        } else {
            pipeline.systemLog.notice("worker \(owner): main verifies again; running tasks")
        }
        return refusal
    }

    enum Outcome: Sendable {
        case done(TaskState?)
        case released
        /// Released for later because its agent commit is not in this home yet.
        case deferred
        case watchdog
        case tick
    }

    /// Runs one task with its heartbeat; released if cancelled before it finishes, and
    /// cancelled (nothing recorded) if its lease is lost.
    func process(_ claimed: ClaimedTask, stop: StopSignal) async -> Outcome {
        let pipeline = self.pipeline
        let work = Task { () async -> Result<TaskRecord?, MinicError> in
            let id = claimed.task.id
            let onText = self.onText
            defer { onText?(id, nil) }
            do throws(MinicError) {
                return .success(try await pipeline.execute(claimed, onText: { text in onText?(id, text) }))
            } catch {
                return .failure(error)
            }
        }
        let lost = LeaseLoss()
        let heartbeat = Task {
            await self.keepAlive(claimed.lease) {
                lost.mark()
                work.cancel()
            }
        }
        let result = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        heartbeat.cancel()
        let id = claimed.task.id
        switch result {
        case .failure(let error):
            // The queue could not record the outcome: the lease runs out and the task is rescued, so it is not lost for good.
            pipeline.systemLog.error("task \(id): the outcome could not be recorded: \(error.message)")
            return .done(nil)
        case .success(nil):
            // The work may have finished just as the heartbeat found the lease gone: only a result nobody recorded is lost.
            if lost.isMarked { pipeline.taskLog.warning("task \(id): lease lost; its work was cancelled and nothing was recorded by worker \(owner)") }
            return .done(nil)
        case .success(let record?):
            // A cancelled task was released by the pipeline: back in the queue, attempt not counted.
            if record.state == .queued { return stop.isRaised || Task.isCancelled ? .released : .deferred }
            return .done(record.state)
        }
    }
}

extension Worker.Summary {
    mutating func add(_ outcome: Worker.Outcome) {
        switch outcome {
        case .done(.succeeded?): succeeded += 1
        case .done(nil): lost += 1
        case .done: failed += 1
        case .released, .deferred: released += 1
        case .watchdog, .tick: break
        }
    }
}
