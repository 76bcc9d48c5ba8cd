/// `queue.*`: the task queue.
public struct QueueConfig: Codable, Sendable, Equatable {
    /// `sqlite` (one file in `state/`, no server).
    public var backend: String
    /// How long a claimed task stays leased without a heartbeat; workers heartbeat every third of it.
    public var leaseSeconds: Double
    /// Attempts before a task is `dead` (a task may set its own).
    public var maxAttempts: Int
    /// The first retry waits about this long; each further one twice as long, with jitter.
    public var backoffBaseSeconds: Double
    /// The longest wait between retries.
    public var backoffMaxSeconds: Double
    /// How long a writer waits for another process's lock on the queue file.
    public var busyTimeoutSeconds: Double

    public init(
        backend: String = "sqlite", leaseSeconds: Double = 60, maxAttempts: Int = 3, backoffBaseSeconds: Double = 2, backoffMaxSeconds: Double = 300,
        busyTimeoutSeconds: Double = 10
    ) {
        self.backend = backend
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.backoffBaseSeconds = backoffBaseSeconds
        self.backoffMaxSeconds = backoffMaxSeconds
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case backend
        case leaseSeconds = "lease_seconds"
        case maxAttempts = "max_attempts"
        case backoffBaseSeconds = "backoff_base_seconds"
        case backoffMaxSeconds = "backoff_max_seconds"
        case busyTimeoutSeconds = "busy_timeout_seconds"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = QueueConfig()
        backend = try container.decodeIfPresent(String.self, forKey: .backend) ?? defaults.backend
        leaseSeconds = try container.decodeIfPresent(Double.self, forKey: .leaseSeconds) ?? defaults.leaseSeconds
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
        backoffBaseSeconds = try container.decodeIfPresent(Double.self, forKey: .backoffBaseSeconds) ?? defaults.backoffBaseSeconds
        backoffMaxSeconds = try container.decodeIfPresent(Double.self, forKey: .backoffMaxSeconds) ?? defaults.backoffMaxSeconds
        busyTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .busyTimeoutSeconds) ?? defaults.busyTimeoutSeconds
    }

    func validate(source: String) throws(MinicError) {
        guard backend == "sqlite" else { throw .badInput("\(source): queue.backend: '\(backend)' is not one of sqlite") }
        guard leaseSeconds >= 1 else { throw .badInput("\(source): queue.lease_seconds: must be at least 1") }
        guard maxAttempts >= 1 else { throw .badInput("\(source): queue.max_attempts: must be at least 1") }
        guard backoffBaseSeconds >= 0, backoffMaxSeconds >= backoffBaseSeconds else {
            throw .badInput("\(source): queue.backoff_base_seconds and queue.backoff_max_seconds: need 0 <= base <= max")
        }
        guard busyTimeoutSeconds > 0 else { throw .badInput("\(source): queue.busy_timeout_seconds: must be greater than 0") }
    }
}
