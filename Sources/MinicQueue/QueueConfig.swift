import MinicBase

/// `queue.*`: the task queue. Owned by the queue module; the home's config embeds it.
public struct QueueConfig: Codable, Sendable, Equatable {
    /// `sqlite` (one file in `state/`, no server) or `redis` (shared by workers on many machines).
    public var backend: String
    /// `redis://[:password@]host:port/db` for `backend: redis`; `MINIC_REDIS_URL` overrides it.
    /// A password belongs in the environment, not in a committed config.
    public var redisURL: String?
    /// The queue's name in Redis: every key is `{NAME}:…` (one hash tag, one Cluster slot).
    public var redisPrefix: String
    /// How long connecting to Redis, and each reply, may take.
    public var redisTimeoutSeconds: Double
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
        busyTimeoutSeconds: Double = 10, redisURL: String? = nil, redisPrefix: String = "minic", redisTimeoutSeconds: Double = 10
    ) {
        self.backend = backend
        self.redisURL = redisURL
        self.redisPrefix = redisPrefix
        self.redisTimeoutSeconds = redisTimeoutSeconds
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
        case redisURL = "redis_url"
        case redisPrefix = "redis_prefix"
        case redisTimeoutSeconds = "redis_timeout_seconds"
    }

    /// The environment variable that overrides `queue.redis_url`.
    public static let redisURLVariable = "MINIC_REDIS_URL"

    /// 1-64 ASCII letters, digits, `-`, `_`, `.` or `:`: no braces, so the name is the whole hash tag.
    public static func isValidRedisPrefix(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }
    }

    /// The backends there are.
    public static let backends = ["sqlite", "redis"]

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
        redisURL = try container.decodeIfPresent(String.self, forKey: .redisURL)
        redisPrefix = try container.decodeIfPresent(String.self, forKey: .redisPrefix) ?? defaults.redisPrefix
        redisTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .redisTimeoutSeconds) ?? defaults.redisTimeoutSeconds
    }

    /// Checks every value; `source` names the config in the message.
    public func validate(source: String) throws(MinicError) {
        guard QueueConfig.backends.contains(backend) else {
            throw .badInput("\(source): queue.backend: '\(backend)' is not one of \(QueueConfig.backends.joined(separator: ", "))")
        }
        guard leaseSeconds >= 1 else { throw .badInput("\(source): queue.lease_seconds: must be at least 1") }
        guard maxAttempts >= 1, maxAttempts <= NewTask.maxAttemptsLimit else {
            throw .badInput("\(source): queue.max_attempts: must be 1 to \(NewTask.maxAttemptsLimit)")
        }
        guard backoffBaseSeconds >= 0, backoffMaxSeconds >= backoffBaseSeconds else {
            throw .badInput("\(source): queue.backoff_base_seconds and queue.backoff_max_seconds: need 0 <= base <= max")
        }
        guard busyTimeoutSeconds > 0 else { throw .badInput("\(source): queue.busy_timeout_seconds: must be greater than 0") }
        if let redisURL {
            do throws(QueueError) {
                // A password in config.json would be committed to the home's history: it belongs in MINIC_REDIS_URL.
                if try RedisURL(parsing: redisURL).password != nil {
                    throw QueueError.badInput("a password here would be committed to git; put the URL with its password in \(QueueConfig.redisURLVariable)")
                }
            } catch {
                throw .badInput("\(source): queue.redis_url: \(error.message)")
            }
        }
        guard QueueConfig.isValidRedisPrefix(redisPrefix) else {
            throw .badInput("\(source): queue.redis_prefix: 1-64 letters, digits, '-', '_', '.' or ':'")
        }
        guard redisTimeoutSeconds > 0, redisTimeoutSeconds <= 3_600 else {
            throw .badInput("\(source): queue.redis_timeout_seconds: must be above 0 and at most 3600")
        }
    }
}
