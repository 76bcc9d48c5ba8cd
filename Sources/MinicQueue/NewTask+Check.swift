import Foundation

extension NewTask {
    /// Priorities every backend orders exactly (Redis sorts a fixed-width rank string).
    public static let priorityRange: ClosedRange<Int> = -1_000_000_000...1_000_000_000
    /// The most attempts a task may ask for.
    public static let maxAttemptsLimit = 1_000

    /// What every backend refuses before queuing anything: the same rules for SQLite and Redis.
    public func check() throws(QueueError) {
        guard !type.isEmpty else { throw .badInput("a task needs a type") }
        guard NewTask.priorityRange.contains(priority) else {
            throw .badInput("priority \(priority) is out of range (\(NewTask.priorityRange.lowerBound) to \(NewTask.priorityRange.upperBound))")
        }
        if let maxAttempts, !(1...NewTask.maxAttemptsLimit).contains(maxAttempts) {
            throw .badInput("max_attempts must be 1 to \(NewTask.maxAttemptsLimit)")
        }
        if let runAt, !(runAt.timeIntervalSince1970 >= 0 && runAt.timeIntervalSince1970 < 253_402_300_800) {
            throw .badInput("run_at must be between 1970 and 9999")
        }
        try options.check()
    }
}
