import Foundation
import MinicQueue

/// The settings in a home's `config.json`. See README.md, "Configuration", for every key.
///
/// Decoding is strict: an unknown key or a value of the wrong type is an error
/// naming the key, and omitted keys take the defaults below.
public struct MinicConfig: Codable, Sendable, Equatable {
    /// Schema version; only 1 exists.
    public var version: Int
    public var updates: UpdatesConfig
    public var queue: QueueConfig
    public var llm: LLMConfig
    public var security: SecurityConfig
    public var sandbox: SandboxConfig
    public var log: LogConfig
    public var tasks: TasksConfig
    public var evals: EvalsConfig

    public init(
        version: Int = 1, updates: UpdatesConfig = UpdatesConfig(), queue: QueueConfig = QueueConfig(), llm: LLMConfig = LLMConfig(),
        security: SecurityConfig = SecurityConfig(), sandbox: SandboxConfig = SandboxConfig(), log: LogConfig = LogConfig(), tasks: TasksConfig = TasksConfig(),
        evals: EvalsConfig = EvalsConfig()
    ) {
        self.tasks = tasks
        self.evals = evals
        self.security = security
        self.sandbox = sandbox
        self.version = version
        self.updates = updates
        self.queue = queue
        self.llm = llm
        self.log = log
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case version, updates, queue, llm, security, sandbox, log, tasks, evals }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version) ?? 1
        updates = try container.decodeIfPresent(UpdatesConfig.self, forKey: .updates) ?? UpdatesConfig()
        queue = try container.decodeIfPresent(QueueConfig.self, forKey: .queue) ?? QueueConfig()
        llm = try container.decodeIfPresent(LLMConfig.self, forKey: .llm) ?? LLMConfig()
        security = try container.decodeIfPresent(SecurityConfig.self, forKey: .security) ?? SecurityConfig()
        sandbox = try container.decodeIfPresent(SandboxConfig.self, forKey: .sandbox) ?? SandboxConfig()
        log = try container.decodeIfPresent(LogConfig.self, forKey: .log) ?? LogConfig()
        tasks = try container.decodeIfPresent(TasksConfig.self, forKey: .tasks) ?? TasksConfig()
        evals = try container.decodeIfPresent(EvalsConfig.self, forKey: .evals) ?? EvalsConfig()
    }
}

/// `tasks.*`: how tasks with checks are run.
public struct TasksConfig: Codable, Sendable, Equatable {
    /// How many times a failing check goes back to the model when a task does not say (`--fix-rounds`).
    public var fixRounds: Int

    public init(fixRounds: Int = 0) { self.fixRounds = fixRounds }

    enum CodingKeys: String, CodingKey, CaseIterable { case fixRounds = "fix_rounds" }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fixRounds = try container.decodeIfPresent(Int.self, forKey: .fixRounds) ?? 0
    }
}

/// `updates.*`: how proposals are approved and merged.
public struct UpdatesConfig: Codable, Sendable, Equatable {
    /// The largest `watch_window` and `watch_min_tasks`: the watch reads that many tasks at most per side.
    public static let maxWatchTasks = 10_000
    /// Gitignore-style patterns of paths that may merge without a person.
    public var autoApprove: [String]
    /// Whether `config.json` counts as an auto-approved path.
    public var autoApproveConfig: Bool
    /// Whether a proposal whose every path is auto-approved merges at `propose` time.
    public var autoMerge: Bool
    /// Whether a proposal a model made (a self-update task's, `Proposed-by: minic task N`)
    /// may auto-merge too. Off by default: a model's change waits for a person whatever its paths.
    public var autoMergeModelProposals: Bool
    /// How long a hook may run before it is killed and counted as failed.
    public var hookTimeoutSeconds: Double
    /// What a proposal's eval score decides at merge time: `off`, `report`, `no_regression` or `improvement`.
    public var evalGate: String
    /// Whether a revert proposal `minic update watch` makes merges by itself (through the usual
    /// merge: auto paths, and review paths the reverted merge changed; protected ones never).
    public var autoRevert: Bool
    /// Seconds between the watches a worker runs (also after the head changes); 0 turns them off.
    public var watchIntervalSeconds: Double
    /// How many finished tasks before the latest merge the watch compares with (`--window`).
    public var watchWindow: Int
    /// The fewest finished tasks on the new head before the watch judges their failure rate.
    public var watchMinTasks: Int
    /// The SSH key merges are signed with (a private key, or a `.pub` whose key an agent holds; `~/` allowed).
    /// `MINIC_SIGNING_KEY` overrides it; without either, git's `user.signingkey`.
    public var signingKey: String?
    /// The commit main's verification starts from (a full commit id); default: the first commit.
    public var trustRoot: String?
    /// How many distinct allowed signers approve a proposal's head before it merges (``ApprovalsRequired``).
    public var approvalsRequired = ApprovalsRequired()

    /// The values `updates.eval_gate` takes.
    public static let evalGates = ["off", "report", "no_regression", "improvement"]

    public init(
        autoApprove: [String] = ["prompt_templates/**"], autoApproveConfig: Bool = false, autoMerge: Bool = true, autoMergeModelProposals: Bool = false,
        hookTimeoutSeconds: Double = 60, evalGate: String = "off", autoRevert: Bool = false, watchIntervalSeconds: Double = 600, watchWindow: Int = 50,
        watchMinTasks: Int = 5
    ) {
        self.evalGate = evalGate
        self.autoRevert = autoRevert
        self.watchIntervalSeconds = watchIntervalSeconds
        self.watchWindow = watchWindow
        self.watchMinTasks = watchMinTasks
        self.autoApprove = autoApprove
        self.autoApproveConfig = autoApproveConfig
        self.autoMerge = autoMerge
        self.autoMergeModelProposals = autoMergeModelProposals
        self.hookTimeoutSeconds = hookTimeoutSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case autoApprove = "auto_approve"
        case autoApproveConfig = "auto_approve_config"
        case autoMerge = "auto_merge"
        case autoMergeModelProposals = "auto_merge_model_proposals"
        case hookTimeoutSeconds = "hook_timeout_seconds"
        case evalGate = "eval_gate"
        case autoRevert = "auto_revert"
        case watchIntervalSeconds = "watch_interval_seconds"
        case watchWindow = "watch_window"
        case watchMinTasks = "watch_min_tasks"
        case signingKey = "signing_key"
        case trustRoot = "trust_root"
        case approvalsRequired = "approvals_required"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = UpdatesConfig()
        autoApprove = try container.decodeIfPresent([String].self, forKey: .autoApprove) ?? defaults.autoApprove
        autoApproveConfig = try container.decodeIfPresent(Bool.self, forKey: .autoApproveConfig) ?? defaults.autoApproveConfig
        autoMerge = try container.decodeIfPresent(Bool.self, forKey: .autoMerge) ?? defaults.autoMerge
        autoMergeModelProposals = try container.decodeIfPresent(Bool.self, forKey: .autoMergeModelProposals) ?? defaults.autoMergeModelProposals
        hookTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .hookTimeoutSeconds) ?? defaults.hookTimeoutSeconds
        evalGate = try container.decodeIfPresent(String.self, forKey: .evalGate) ?? defaults.evalGate
        autoRevert = try container.decodeIfPresent(Bool.self, forKey: .autoRevert) ?? defaults.autoRevert
        watchIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .watchIntervalSeconds) ?? defaults.watchIntervalSeconds
        watchWindow = try container.decodeIfPresent(Int.self, forKey: .watchWindow) ?? defaults.watchWindow
        watchMinTasks = try container.decodeIfPresent(Int.self, forKey: .watchMinTasks) ?? defaults.watchMinTasks
        signingKey = try container.decodeIfPresent(String.self, forKey: .signingKey)
        trustRoot = try container.decodeIfPresent(String.self, forKey: .trustRoot)
        approvalsRequired = try container.decodeIfPresent(ApprovalsRequired.self, forKey: .approvalsRequired) ?? ApprovalsRequired()
    }
}

/// `log.*`: the activity log.
public struct LogConfig: Codable, Sendable, Equatable {
    /// The lowest level written: trace, debug, info, notice, warning, error, critical.
    public var level: String

    public init(level: String = "info") { self.level = level }

    enum CodingKeys: String, CodingKey, CaseIterable { case level }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        level = try container.decodeIfPresent(String.self, forKey: .level) ?? "info"
    }
}

extension MinicConfig {
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Decodes and validates `config.json` content.
    /// - Parameter source: where the bytes came from, for the error message (e.g. `config.json@1a2b3c4`).
    /// - Throws: ``MinicError`` (bad input) naming the key at fault, a key given twice in one object included.
    public static func decode(_ data: Data, source: String) throws(MinicError) -> MinicConfig {
        // Foundation keeps one of two equal keys in silence; readers of the file take the last.
        if let duplicate = JSONDuplicateKeys.firstDuplicate(in: Array(data)) {
            throw .badInput("\(source): \(duplicate): duplicate key")
        }
        let config: MinicConfig
        do {
            config = try JSONDecoder().decode(MinicConfig.self, from: data)
        } catch let error as DecodingError {
            throw .badInput("\(source): \(describe(error))")
        } catch {
            throw .badInput("\(source): \(error)")
        }
        try config.validate(source: source)
        return config
    }

    /// Checks the values that the types alone do not.
    public func validate(source: String) throws(MinicError) {
        guard version == 1 else { throw .badInput("\(source): version: unsupported schema version \(version) (expected 1)") }
        guard Self.logLevels.contains(log.level) else {
            throw .badInput("\(source): log.level: '\(log.level)' is not one of \(Self.logLevels.joined(separator: ", "))")
        }
        guard updates.hookTimeoutSeconds > 0 else { throw .badInput("\(source): updates.hook_timeout_seconds: must be greater than 0") }
        guard UpdatesConfig.evalGates.contains(updates.evalGate) else {
            throw .badInput("\(source): updates.eval_gate: must be one of \(UpdatesConfig.evalGates.joined(separator: ", ")), not '\(updates.evalGate)'")
        }
        // Bounded so the interval fits a timer; a day is longer than any use.
        guard (0...86_400).contains(updates.watchIntervalSeconds) else {
            throw .badInput("\(source): updates.watch_interval_seconds: must be 0 to 86400")
        }
        guard (1...UpdatesConfig.maxWatchTasks).contains(updates.watchWindow) else {
            throw .badInput("\(source): updates.watch_window: must be 1 to \(UpdatesConfig.maxWatchTasks)")
        }
        guard (1...UpdatesConfig.maxWatchTasks).contains(updates.watchMinTasks) else {
            throw .badInput("\(source): updates.watch_min_tasks: must be 1 to \(UpdatesConfig.maxWatchTasks)")
        }
        try queue.validate(source: source)
        try llm.validate(source: source)
        try security.validate(source: source)
        try sandbox.validate(source: source)
        try evals.validate(source: source)
        guard (0...TaskOptions.maxFixRounds).contains(tasks.fixRounds) else {
            throw .badInput("\(source): tasks.fix_rounds: must be 0 to \(TaskOptions.maxFixRounds)")
        }
        for (index, pattern) in updates.autoApprove.enumerated() where pattern.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .badInput("\(source): updates.auto_approve[\(index)]: empty pattern")
        }
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if let index = Int(key.stringValue.replacingOccurrences(of: "Index ", with: "")), key.stringValue.hasPrefix("Index ") {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "(top level)" : text
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            if context.debugDescription == "unknown key" { return "\(path(context.codingPath)): unknown key" }
            if context.codingPath.isEmpty { return "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "an array of strings"
        case is [String: Any].Type: return "an object"
        default: return "\(type)"
        }
    }
}
