/// `security.*`: the guardrails.
public struct SecurityConfig: Codable, Sendable, Equatable {
    /// Findings at or above this severity (low, medium, high, critical) are blocked, and make `minic scan` exit 1.
    public var blockSeverity: String
    /// Findings at or above this severity, and below ``blockSeverity``, need a person's look ("ask").
    public var askSeverity: String
    /// Per-rule actions (`block`, `ask`, `allow`) that override the severities.
    public var ruleActions: [String: String]
    /// Where task files may come from, after resolving symlinks: `.` is the current directory, `$MINIC_HOME` the home.
    public var allowedRoots: [String]
    /// The task types that may be submitted (each needs its template).
    public var taskTypes: [String]
    /// The longest prompt, in bytes.
    public var maxPromptBytes: Int
    /// The largest file a task may carry, in bytes.
    public var maxFileBytes: Int
    /// Declared task parameters and their types (`string`, `int`, `number`, `bool`); undeclared names are strings.
    public var parameterTypes: [String: String]
    /// What a secret in a task's prompt or parameter values does: `redact` (stored and sent redacted) or `refuse` (nothing queued).
    public var promptSecrets: String
    /// Whether a task's checks run on code the analysis says to `ask` about (never on what it blocks).
    public var executeAsk: Bool

    public static let severities = ["low", "medium", "high", "critical"]
    public static let actions = ["block", "ask", "allow"]
    public static let parameterKinds = ["string", "int", "number", "bool"]
    public static let promptSecretActions = ["redact", "refuse"]
    public static let defaultTaskTypes = ["analyze", "generate", "explain", "complete", "self_update"]

    public init(
        blockSeverity: String = "high", askSeverity: String = "medium", ruleActions: [String: String] = [:], allowedRoots: [String] = [".", "$MINIC_HOME"],
        taskTypes: [String] = SecurityConfig.defaultTaskTypes, maxPromptBytes: Int = 256 << 10, maxFileBytes: Int = 1 << 20,
        parameterTypes: [String: String] = [:], promptSecrets: String = "redact", executeAsk: Bool = false
    ) {
        self.executeAsk = executeAsk
        self.blockSeverity = blockSeverity
        self.askSeverity = askSeverity
        self.ruleActions = ruleActions
        self.allowedRoots = allowedRoots
        self.taskTypes = taskTypes
        self.maxPromptBytes = maxPromptBytes
        self.maxFileBytes = maxFileBytes
        self.parameterTypes = parameterTypes
        self.promptSecrets = promptSecrets
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case blockSeverity = "block_severity"
        case askSeverity = "ask_severity"
        case ruleActions = "rule_actions"
        case allowedRoots = "allowed_roots"
        case taskTypes = "task_types"
        case maxPromptBytes = "max_prompt_bytes"
        case maxFileBytes = "max_file_bytes"
        case parameterTypes = "parameter_types"
        case promptSecrets = "prompt_secrets"
        case executeAsk = "execute_ask"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SecurityConfig()
        blockSeverity = try container.decodeIfPresent(String.self, forKey: .blockSeverity) ?? defaults.blockSeverity
        askSeverity = try container.decodeIfPresent(String.self, forKey: .askSeverity) ?? defaults.askSeverity
        ruleActions = try container.decodeIfPresent([String: String].self, forKey: .ruleActions) ?? defaults.ruleActions
        allowedRoots = try container.decodeIfPresent([String].self, forKey: .allowedRoots) ?? defaults.allowedRoots
        taskTypes = try container.decodeIfPresent([String].self, forKey: .taskTypes) ?? defaults.taskTypes
        maxPromptBytes = try container.decodeIfPresent(Int.self, forKey: .maxPromptBytes) ?? defaults.maxPromptBytes
        maxFileBytes = try container.decodeIfPresent(Int.self, forKey: .maxFileBytes) ?? defaults.maxFileBytes
        parameterTypes = try container.decodeIfPresent([String: String].self, forKey: .parameterTypes) ?? defaults.parameterTypes
        promptSecrets = try container.decodeIfPresent(String.self, forKey: .promptSecrets) ?? defaults.promptSecrets
        executeAsk = try container.decodeIfPresent(Bool.self, forKey: .executeAsk) ?? defaults.executeAsk
    }

    func validate(source: String) throws(MinicError) {
        for (key, value) in [("block_severity", blockSeverity), ("ask_severity", askSeverity)] where !SecurityConfig.severities.contains(value) {
            throw .badInput("\(source): security.\(key): '\(value)' is not one of \(SecurityConfig.severities.joined(separator: ", "))")
        }
        guard let ask = SecurityConfig.severities.firstIndex(of: askSeverity), let block = SecurityConfig.severities.firstIndex(of: blockSeverity), ask <= block
        else {
            throw .badInput("\(source): security.ask_severity: must not be above security.block_severity")
        }
        for (rule, action) in ruleActions.sorted(by: { $0.key < $1.key }) where !SecurityConfig.actions.contains(action) {
            throw .badInput("\(source): security.rule_actions.\(rule): '\(action)' is not one of block, ask, allow")
        }
        for (name, kind) in parameterTypes.sorted(by: { $0.key < $1.key }) where !SecurityConfig.parameterKinds.contains(kind) {
            throw .badInput("\(source): security.parameter_types.\(name): '\(kind)' is not one of \(SecurityConfig.parameterKinds.joined(separator: ", "))")
        }
        for type in taskTypes where !SecurityConfig.defaultTaskTypes.contains(type) {
            throw .badInput(
                "\(source): security.task_types: '\(type)' is not a task type minic knows (\(SecurityConfig.defaultTaskTypes.joined(separator: ", ")))")
        }
        guard SecurityConfig.promptSecretActions.contains(promptSecrets) else {
            throw .badInput(
                "\(source): security.prompt_secrets: '\(promptSecrets)' is not one of \(SecurityConfig.promptSecretActions.joined(separator: ", "))")
        }
        guard !allowedRoots.isEmpty else { throw .badInput("\(source): security.allowed_roots: needs at least one root") }
        guard maxPromptBytes >= 1 else { throw .badInput("\(source): security.max_prompt_bytes: must be at least 1") }
        guard maxFileBytes >= 1 else { throw .badInput("\(source): security.max_file_bytes: must be at least 1") }
    }
}
