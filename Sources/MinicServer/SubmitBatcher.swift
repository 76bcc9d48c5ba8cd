import Foundation
import MinicBase
import MinicQueue
import MinicTasks

/// Group commit for HTTP submits: tasks that arrive while a write is under way go in together, in one
/// transaction (one Redis round trip), instead of one write each.
///
/// Each request still gets its own answer: when a batch is refused as a whole (one task's input, one
/// idempotency conflict), its tasks are submitted again one by one, so only the one at fault fails, with
/// its own error. At most one batch is being written at a time; the next one gathers meanwhile.
final class SubmitBatcher: Sendable {
    let pipeline: TaskPipeline
    /// The most tasks one transaction takes.
    let maxBatch: Int
    private let state = Locked<State>(State())

    struct Waiting {
        let task: NewTask
        let continuation: CheckedContinuation<Result<Submitted, MinicError>, Never>
    }

    struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    /// A request's task, and whether an earlier request of the same batch made it (the same idempotency key).
    struct Submitted: Sendable {
        let record: TaskRecord
        let repeated: Bool
    }

    init(pipeline: TaskPipeline, maxBatch: Int = 256) {
        self.pipeline = pipeline
        self.maxBatch = maxBatch
    }

    /// Queues `task` with whatever else is waiting, and returns its record.
    func submit(_ task: NewTask) async throws(MinicError) -> Submitted {
        let result = await withCheckedContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.waiting.append(Waiting(task: task, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if start { Blocking.detach { self.drain() } }
        }
        return try result.get()
    }

    /// Writes batches until nothing waits (on a blocking-work thread).
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let taken = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.writing = false }
                return taken
            }
            if batch.isEmpty { return }
            do throws(MinicError) {
                let records = try pipeline.submit(batch.map(\.task))
                guard records.count == batch.count else { throw .internal("the queue answered \(records.count) tasks for \(batch.count)") }
                var seen = Set<Int64>()
                for (waiting, record) in zip(batch, records) {
                    waiting.continuation.resume(returning: .success(Submitted(record: record, repeated: !seen.insert(record.id).inserted)))
                }
            } catch {
                if batch.count == 1 {
                    batch[0].continuation.resume(returning: .failure(error))
                    continue
                }
                for waiting in batch {
                    do throws(MinicError) {
                        let records = try pipeline.submit([waiting.task])
                        guard let record = records.first else { throw .internal("the queue answered no task") }
                        waiting.continuation.resume(returning: .success(Submitted(record: record, repeated: false)))
                    } catch {
                        waiting.continuation.resume(returning: .failure(error))
                    }
                }
            }
        }
    }
}
