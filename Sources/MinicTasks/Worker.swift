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

    public init(pipeline: TaskPipeline, concurrency: Int, mode: Mode, leaseSeconds: Double, owner: String? = nil, pollSeconds: Double = 0.2, grace: Double = 10)
    {
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
        do {
            return try await loop(stop: stop)
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
        var lastRescue = Date.distantPast
        var claimedOnce = false
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var active = 0
            var ticking = false
            while !stop.isRaised {
                if Date().timeIntervalSince(lastRescue) > leaseSeconds / 3 {
                    _ = try pipeline.queue.rescueExpired(now: Date())
                    lastRescue = Date()
                }
                let free = concurrency - active
                let claimed = free > 0 && !(mode == .once && claimedOnce) ? try pipeline.queue.claim(owner: owner, limit: free, now: Date()) : []
                if !claimed.isEmpty { claimedOnce = true }
                for task in claimed {
                    active += 1
                    group.addTask { await self.process(task, stop: stop) }
                }
                if claimed.isEmpty && active == 0 && mode != .forever { break }
                if !claimed.isEmpty && active < concurrency { continue }
                // Wait for a task to finish or for the next poll, whichever comes first,
                // so that a stop signal or newly queued work is seen within a poll.
                if !ticking {
                    ticking = true
                    let poll = pollSeconds
                    group.addTask {
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

    enum Outcome: Sendable {
        case done(TaskState?)
        case released
        case watchdog
        case tick
    }

    /// Runs one task with its heartbeat; released if cancelled before it finishes.
    func process(_ claimed: ClaimedTask, stop: StopSignal) async -> Outcome {
        let queue = pipeline.queue
        let interval = leaseSeconds / 3
        let heartbeat = Task {
            var lease = claimed.lease
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                if Task.isCancelled { return }
                guard let renewed = try? queue.heartbeat(lease, now: Date()) else { return }
                lease = renewed
            }
        }
        defer { heartbeat.cancel() }
        let work = Task { () async -> TaskRecord? in try? await pipeline.execute(claimed) }
        let record = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        // A cancelled task was released by the pipeline: back in the queue, attempt not counted.
        if record?.state == .queued { return .released }
        return .done(record?.state)
    }
}

extension Worker.Summary {
    mutating func add(_ outcome: Worker.Outcome) {
        switch outcome {
        case .done(.succeeded?): succeeded += 1
        case .done(nil): lost += 1
        case .done: failed += 1
        case .released: released += 1
        case .watchdog, .tick: break
        }
    }
}
