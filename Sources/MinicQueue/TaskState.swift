/// Where a task is in its life.
///
/// `queued` → `running` → `succeeded`; a failure goes to `failed` (it will be
/// retried after a backoff) or, with its attempts used up, to `dead` (retryable
/// by hand). `cancelled` is final unless retried by hand.
public enum TaskState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, dead, cancelled

    /// States a worker may claim from (a `failed` task once its `run_at` has come).
    public static let claimable: [TaskState] = [.queued, .failed]
    /// States no worker will change.
    public var isFinal: Bool { self == .succeeded || self == .dead || self == .cancelled }
}
