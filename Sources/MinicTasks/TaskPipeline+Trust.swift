import Foundation
import MinicCore
import MinicQueue

extension TaskPipeline {
    /// Why no task may run now, or `nil`: main's history does not verify (``Home/requireTrusted(_:)``), or the
    /// home cannot be read to tell — a check that could not run holds the tasks as well. Cheap while main does not
    /// move. Blocking (libgit2): call it off the cooperative pool.
    public func mainRefusal() -> MinicError? {
        do throws(MinicError) {
            try snapshots.requireTrusted()
            return nil
        } catch {
            return error
        }
    }

    /// Gives a claimed task back to the queue, its attempt not counted, because main's history stopped verifying
    /// between the claim and its start: it waits for a person to go back to approved commits, and is not failed.
    /// - Returns: the task as recorded, or `nil` when the lease was lost meanwhile.
    func holdForApproval(_ claimed: ClaimedTask, because refusal: MinicError) async throws(MinicError) -> TaskRecord? {
        let queue = self.queue
        let released = try await Blocking.run { () throws(MinicError) in
            try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.release(claimed.lease, now: Date()) }
        }
        guard released else { return nil }
        taskLog.warning("task \(claimed.task.id) released, not run: \(refusal.message)")
        return try await Blocking.run { () throws(MinicError) in
            try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.task(claimed.task.id) }
        }
    }
}
