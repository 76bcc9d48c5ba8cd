import MinicBase

/// The queue's tunables, from `queue.*` in config.
public struct QueueSettings: Sendable {
    public var leaseSeconds: Double
    public var maxAttempts: Int
    public var backoff: Backoff
    public var busyTimeoutSeconds: Double

    public init(leaseSeconds: Double = 60, maxAttempts: Int = 3, backoff: Backoff = Backoff(base: 2, maximum: 300), busyTimeoutSeconds: Double = 10) {
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }

    public init(_ config: QueueConfig) {
        self.init(
            leaseSeconds: config.leaseSeconds, maxAttempts: config.maxAttempts,
            backoff: Backoff(base: config.backoffBaseSeconds, maximum: config.backoffMaxSeconds), busyTimeoutSeconds: config.busyTimeoutSeconds)
    }

    /// How often a worker renews its leases: a third of the lease.
    public var heartbeatSeconds: Double { leaseSeconds / 3 }
}
