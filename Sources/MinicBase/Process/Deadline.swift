import Foundation

/// Waits for a blocking call that may never return (libgit2 has no timeout for a server that
/// accepts a connection and never answers), for a command that then exits.
///
/// The call runs on a thread of its own; the caller waits at most a deadline. A call that has not
/// returned by then is abandoned: its thread runs on (it cannot be interrupted) until it returns or
/// the process exits, and what it returns late goes to `late` (e.g. to remove what it made).
public enum Deadline {
    private final class Slot<T>: @unchecked Sendable {
        let condition = NSCondition()
        var result: T?
        var abandoned = false
    }

    /// Runs `body` on a thread of its own and waits for it at most `seconds`.
    /// - Parameter late: called on that thread with what `body` returns, if it returns after the deadline.
    /// - Returns: what `body` returned, or `nil` when it had not returned in time.
    public static func run<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () -> T, late: @escaping @Sendable (T) -> Void = { _ in }) -> T? {
        let slot = Slot<T>()
        let thread = Thread {
            let value = body()
            slot.condition.lock()
            if slot.abandoned {
                slot.condition.unlock()
                late(value)
                return
            }
            slot.result = value
            slot.condition.broadcast()
            slot.condition.unlock()
        }
        thread.name = "minic.deadline"
        thread.start()
        let deadline = Date().addingTimeInterval(seconds)
        slot.condition.lock()
        defer { slot.condition.unlock() }
        while slot.result == nil {
            if !slot.condition.wait(until: deadline) && slot.result == nil {
                slot.abandoned = true
                return nil
            }
        }
        return slot.result
    }
}
