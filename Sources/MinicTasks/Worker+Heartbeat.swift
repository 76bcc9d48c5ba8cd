import Foundation
import MinicCore
import MinicQueue

extension Worker {
    /// Renews `lease` every third of its length until cancelled. When the queue says the
    /// lease is gone (a rescue or another worker took the task, or the task was just recorded),
    /// or it cannot be renewed before it runs out, calls `onLost` once and stops: the task's work must not go on.
    func keepAlive(_ lease: Lease, onLost: @Sendable () -> Void) async {
        let queue = pipeline.queue
        let interval = leaseSeconds / 3
        var lease = lease
        while !Task.isCancelled {
            do { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) } catch { return }  // cancelled: the task is over
            let current = lease
            do throws(MinicError) {
                guard let renewed = try await Blocking.run({ () throws(MinicError) in try queueCall { () throws(QueueError) in try queue.heartbeat(current, now: Date()) } }) else {
                    // Taken over, or the task has just been recorded (then the loss is moot; the worker tells which).
                    onLost()
                    return
                }
                lease = renewed
            } catch {
                pipeline.systemLog.error("task \(lease.taskID): heartbeat failed: \(error.message)")
                // One more try only if it can land before the lease runs out.
                if Date().addingTimeInterval(interval) >= current.expiresAt {
                    pipeline.taskLog.warning("task \(lease.taskID): the lease could not be renewed before it ran out; cancelling its work")
                    onLost()
                    return
                }
            }
        }
    }
}

/// Set once by a heartbeat that lost its lease, read by the task it belonged to.
final class LeaseLoss: @unchecked Sendable {
    private let lock = NSLock()
    private var marked = false

    func mark() {
        lock.lock()
        marked = true
        lock.unlock()
    }

    var isMarked: Bool {
        lock.lock()
        defer { lock.unlock() }
        return marked
    }
}

/// When a worker next tries something that runs on a schedule or failed: every `interval`
/// while it works, and after a failure with exponential backoff (from `interval`, at least
/// 0.1 s, capped at `maxWait`) until it works again. Used for returning expired leases and
/// for reaching a queue that became unreachable.
struct RetrySchedule {
    let interval: Double
    let maxWait: Double
    private var next = Date.distantPast
    private(set) var failures = 0
    private var wait: Double = 0

    init(interval: Double, maxWait: Double = 60) {
        self.interval = interval
        self.maxWait = maxWait
    }

    var isDue: Bool { Date() >= next }
    var isFailing: Bool { failures > 0 }

    mutating func succeeded() {
        failures = 0
        next = Date().addingTimeInterval(interval)
    }

    mutating func failed() {
        failures += 1
        wait = min(maxWait, max(0.1, interval) * pow(2, Double(min(failures - 1, 10))))
        next = Date().addingTimeInterval(wait)
    }

    var retryDescription: String { String(format: "%.1f s", wait) }
}
