import Foundation
import MinicCore
import MinicQueue

extension TaskPipeline {
    /// The shortest time a task released because its agent commit is not here stays unclaimable.
    public static let missingCommitDelayFloor: TimeInterval = 30
    /// The longest: each release of the same task by this process doubles its delay, up to this.
    static let missingCommitDelayCeiling: TimeInterval = 900
    /// How long a task whose agent commit is missing waits for a pull that may bring it; a pull
    /// that takes longer goes on in the background, the task is released.
    static let pullPatience: TimeInterval = 20

    /// How many times this process released each task for a missing agent commit, and the first delay.
    struct Deferrals {
        var base = TaskPipeline.missingCommitDelayFloor
        var counts: [Int64: Int] = [:]
    }

    /// Sets the first delay of a task released for a missing agent commit (a worker passes its pull interval);
    /// never under ``missingCommitDelayFloor``.
    public func setMissingCommitDelay(base: TimeInterval) {
        deferrals.withLock { $0.base = max(TaskPipeline.missingCommitDelayFloor, base) }
    }

    /// The delay for releasing task `id` once more: the base, doubled for each earlier release, at most the ceiling.
    func nextMissingCommitDelay(for id: Int64) -> TimeInterval {
        deferrals.withLock { book in
            // Bounded memory whatever is queued: a reset only makes delays start over.
            if book.counts.count >= 10_000 { book.counts.removeAll() }
            let count = book.counts[id, default: 0]
            book.counts[id] = count + 1
            return min(TaskPipeline.missingCommitDelayCeiling, book.base * pow(2, Double(min(count, 20))))
        }
    }

    /// The snapshot a task runs with: its recorded `agent_commit` (the head it was submitted against),
    /// or the current head for a task recorded without one (queued by an older minic). Never pulls.
    /// Blocking (libgit2).
    /// - Returns: `nil` when the commit is not in force here (not fetched, or not on main yet): a pull may bring it.
    /// - Throws: ``MinicError`` (refused) when the commit is here but was never a head of main nor of
    ///   the origin's main (a proposal's commit, a rolled-back head): it must never run; (bad input) when
    ///   `agent_commit` is no commit id at all. Both are permanent.
    func snapshot(for task: TaskRecord) throws(MinicError) -> AgentSnapshot? {
        guard let requested = task.agentCommit else { return try snapshots.current() }
        switch try snapshots.snapshot(at: requested) {
        case .ready(let snapshot): return snapshot
        case .pending: return nil
        case .never:
            throw .refused("agent commit \(requested.prefix(12)) was never a head of main here or at the origin (a proposal, or rolled back); the task will not run with it")
        }
    }
}
