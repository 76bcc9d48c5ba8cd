import Foundation
import MinicCore
import MinicQueue

extension TaskPipeline {
    /// The snapshot a task runs with: its recorded `agent_commit` (the head it was submitted against),
    /// or the current head for a task recorded without one (queued by an older minic).
    ///
    /// A commit this home lacks, or has but not yet on main, is pulled for first (``HomeSync``).
    /// Blocking (libgit2, network).
    /// - Returns: `nil` when the commit is still not in force here: the caller releases the task.
    /// - Throws: ``MinicError`` (refused) when the commit is here but was never a head of main nor of
    ///   the origin's main (a proposal's commit, a rolled-back head): it must never run.
    func snapshot(for task: TaskRecord) throws(MinicError) -> AgentSnapshot? {
        guard let requested = task.agentCommit else { return try snapshots.current() }
        var availability = try snapshots.snapshot(at: requested)
        if case .ready(let snapshot) = availability { return snapshot }
        if let sync {
            // At most one pull a second for such tasks, however many of them arrive.
            sync.pull(minimumInterval: 1)
            availability = try snapshots.snapshot(at: requested)
        }
        switch availability {
        case .ready(let snapshot): return snapshot
        case .pending: return nil
        case .never:
            throw .refused("agent commit \(requested.prefix(12)) was never a head of main here or at the origin (a proposal, or rolled back); the task will not run with it")
        }
    }
}
