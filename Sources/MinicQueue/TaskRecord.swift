import Foundation

/// Token counts and cost of the model calls a task made.
public struct TaskUsage: Codable, Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Estimated cost in US dollars, when the provider's prices are known.
    public var costUSD: Double?

    public init(inputTokens: Int = 0, outputTokens: Int = 0, costUSD: Double? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
    }
}

/// A task as the queue stores it. The JSON form (snake_case keys) is what
/// `minic tasks ... --json` prints.
public struct TaskRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var prompt: String
    public var files: [String]
    public var parameters: [String: String]
    public var priority: Int
    public var runAt: Date
    public var state: TaskState
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var result: String?
    public var error: String?
    public var usage: TaskUsage?
    /// The commit of the agent home the task ran with, so a run can be reproduced.
    public var agentCommit: String?
    public var idempotencyKey: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// How the task asked to be run; nil when the stored options cannot be read (such a task is not run:
    /// it would run without its checks).
    public var options: TaskOptions?
    /// What running it found (provider, model, checks, blocked); nil before it ran.
    public var report: TaskReport?
    /// A person's verdict on its answer (`minic tasks rate`); nil until rated, and again once retried.
    public var rating: TaskRating?

    public init(
        id: Int64, type: String, prompt: String, files: [String], parameters: [String: String], priority: Int, runAt: Date, state: TaskState,
        attempts: Int, maxAttempts: Int, leaseOwner: String? = nil, leaseExpiresAt: Date? = nil, result: String? = nil, error: String? = nil,
        usage: TaskUsage? = nil, agentCommit: String? = nil, idempotencyKey: String? = nil, createdAt: Date, updatedAt: Date, startedAt: Date? = nil,
        finishedAt: Date? = nil, options: TaskOptions? = TaskOptions(), report: TaskReport? = nil, rating: TaskRating? = nil
    ) {
        self.options = options
        self.report = report
        self.rating = rating
        self.id = id
        self.type = type
        self.prompt = prompt
        self.files = files
        self.parameters = parameters
        self.priority = priority
        self.runAt = runAt
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.result = result
        self.error = error
        self.usage = usage
        self.agentCommit = agentCommit
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, type, prompt, files, parameters, priority, state, attempts, result, error, usage, options, rating
        case provider, model, checks, blocked
        case notExecuted = "not_executed"
        case runAt = "run_at"
        case maxAttempts = "max_attempts"
        case leaseOwner = "lease_owner"
        case leaseExpiresAt = "lease_expires_at"
        case agentCommit = "agent_commit"
        case idempotencyKey = "idempotency_key"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Every key is written, `null` included, so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(files, forKey: .files)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(priority, forKey: .priority)
        try container.encode(runAt, forKey: .runAt)
        try container.encode(state, forKey: .state)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(maxAttempts, forKey: .maxAttempts)
        try container.encode(leaseOwner, forKey: .leaseOwner)
        try container.encode(leaseExpiresAt, forKey: .leaseExpiresAt)
        try container.encode(result, forKey: .result)
        try container.encode(error, forKey: .error)
        try container.encode(usage, forKey: .usage)
        try container.encode(agentCommit, forKey: .agentCommit)
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(options, forKey: .options)
        // What running it found, flat: `provider`, `model`, `checks` (every check run), `blocked`.
        try container.encode(report?.provider, forKey: .provider)
        try container.encode(report?.model, forKey: .model)
        try container.encode(report?.checks ?? [], forKey: .checks)
        try container.encode(report?.blocked ?? false, forKey: .blocked)
        try container.encode(report?.notExecuted, forKey: .notExecuted)
        try container.encode(rating, forKey: .rating)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        prompt = try container.decode(String.self, forKey: .prompt)
        files = try container.decode([String].self, forKey: .files)
        parameters = try container.decode([String: String].self, forKey: .parameters)
        priority = try container.decode(Int.self, forKey: .priority)
        runAt = try container.decode(Date.self, forKey: .runAt)
        state = try container.decode(TaskState.self, forKey: .state)
        attempts = try container.decode(Int.self, forKey: .attempts)
        maxAttempts = try container.decode(Int.self, forKey: .maxAttempts)
        leaseOwner = try container.decodeIfPresent(String.self, forKey: .leaseOwner)
        leaseExpiresAt = try container.decodeIfPresent(Date.self, forKey: .leaseExpiresAt)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        usage = try container.decodeIfPresent(TaskUsage.self, forKey: .usage)
        agentCommit = try container.decodeIfPresent(String.self, forKey: .agentCommit)
        idempotencyKey = try container.decodeIfPresent(String.self, forKey: .idempotencyKey)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(Date.self, forKey: .finishedAt)
        options = try container.decodeIfPresent(TaskOptions.self, forKey: .options) ?? TaskOptions()
        let checks = try container.decodeIfPresent([CheckResult].self, forKey: .checks) ?? []
        let provider = try container.decodeIfPresent(String.self, forKey: .provider)
        let model = try container.decodeIfPresent(String.self, forKey: .model)
        let blocked = try container.decodeIfPresent(Bool.self, forKey: .blocked) ?? false
        let notExecuted = try container.decodeIfPresent(String.self, forKey: .notExecuted)
        if provider != nil || model != nil || !checks.isEmpty || blocked || notExecuted != nil {
            report = TaskReport(provider: provider, model: model, checks: checks, blocked: blocked, notExecuted: notExecuted)
        }
        rating = try container.decodeIfPresent(TaskRating.self, forKey: .rating)
    }
}

/// A task to enqueue.
public struct NewTask: Sendable, Equatable {
    public var type: String
    public var prompt: String
    public var files: [String]
    public var parameters: [String: String]
    /// Higher runs sooner.
    public var priority: Int
    /// Not before this time (default: now).
    public var runAt: Date?
    /// Default: `queue.max_attempts`.
    public var maxAttempts: Int?
    /// Enqueuing the same key again for the same request returns the first task instead of a
    /// new one; for a different request it is refused (see `TaskCoding.requestDigest`).
    public var idempotencyKey: String?
    /// The agent commit the task was checked against when submitted: the one it runs with, stored
    /// as the record's `agentCommit` from the start (not compared for idempotency, like `runAt`).
    public var agentCommit: String?
    /// Checks, model, fix rounds (see ``TaskOptions``).
    public var options: TaskOptions

    public init(
        type: String, prompt: String, files: [String] = [], parameters: [String: String] = [:], priority: Int = 0, runAt: Date? = nil,
        maxAttempts: Int? = nil, idempotencyKey: String? = nil, options: TaskOptions = TaskOptions()
    ) {
        self.options = options
        self.type = type
        self.prompt = prompt
        self.files = files
        self.parameters = parameters
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.idempotencyKey = idempotencyKey
    }
}

/// Proof that a worker holds a task: its completion, failure or heartbeat counts
/// only while the queue still has this token for the task.
public struct Lease: Sendable, Equatable {
    public let taskID: Int64
    public let owner: String
    public let token: String
    public var expiresAt: Date

    public init(taskID: Int64, owner: String, token: String, expiresAt: Date) {
        self.taskID = taskID
        self.owner = owner
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// A task a worker has claimed, with its lease.
public struct ClaimedTask: Sendable {
    public let task: TaskRecord
    public var lease: Lease

    public init(task: TaskRecord, lease: Lease) {
        self.task = task
        self.lease = lease
    }
}

/// What a finished attempt produced.
public struct TaskOutcome: Sendable, Equatable {
    public var result: String
    public var usage: TaskUsage?
    public var agentCommit: String?
    public var report: TaskReport?

    public init(result: String, usage: TaskUsage? = nil, agentCommit: String? = nil, report: TaskReport? = nil) {
        self.result = result
        self.usage = usage
        self.agentCommit = agentCommit
        self.report = report
    }
}

/// Which tasks to list.
public struct TaskFilter: Sendable {
    public var state: TaskState?
    public var type: String?
    /// Newest first when set; all matching tasks when `nil`.
    public var limit: Int?
    /// Only tasks whose id is below this one: the cursor of a listing that pages newest first.
    public var beforeID: Int64?

    public init(state: TaskState? = nil, type: String? = nil, limit: Int? = nil, beforeID: Int64? = nil) {
        self.state = state
        self.type = type
        self.limit = limit
        self.beforeID = beforeID
    }
}
