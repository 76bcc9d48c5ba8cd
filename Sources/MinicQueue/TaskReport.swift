import Foundation

/// What running a task found beyond its answer: the provider and model that answered, the checks run
/// on what the answer writes, and whether the guardrails blocked it. Stored with the task (JSON text).
public struct TaskReport: Codable, Sendable, Equatable {
    /// The provider that answered (`anthropic`, `openai`, `offline`).
    public var provider: String?
    /// The model that answered, as the provider named it.
    public var model: String?
    /// Every check run, every round (the last round's decide the task).
    public var checks: [CheckResult]
    /// The answer was blocked by the guardrails: kept so a person can read why, never executed or applied.
    public var blocked: Bool
    /// Why the answer's code was not executed (a finding the policy blocks or asks about), when it was not.
    public var notExecuted: String?
    /// Model calls made: 1, plus one per fix round.
    public var rounds: Int

    public init(provider: String? = nil, model: String? = nil, checks: [CheckResult] = [], blocked: Bool = false, notExecuted: String? = nil, rounds: Int = 1) {
        self.provider = provider
        self.model = model
        self.checks = checks
        self.blocked = blocked
        self.notExecuted = notExecuted
        self.rounds = rounds
    }

    enum CodingKeys: String, CodingKey {
        case provider, model, checks, blocked, rounds
        case notExecuted = "not_executed"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        checks = try container.decodeIfPresent([CheckResult].self, forKey: .checks) ?? []
        blocked = try container.decodeIfPresent(Bool.self, forKey: .blocked) ?? false
        notExecuted = try container.decodeIfPresent(String.self, forKey: .notExecuted)
        rounds = try container.decodeIfPresent(Int.self, forKey: .rounds) ?? 1
    }

    /// The checks of the last round: the ones that decide whether the task passed.
    public var finalChecks: [CheckResult] {
        guard let last = checks.map(\.round).max() else { return [] }
        return checks.filter { $0.round == last }
    }

    /// The stored text (sorted keys).
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A stored report; one that does not read counts as blocked (its answer is never applied on a guess).
    public static func decode(_ text: String?) -> TaskReport? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try JSONDecoder().decode(TaskReport.self, from: Data(text.utf8))
        } catch {
            return TaskReport(blocked: true, notExecuted: "the task's stored report cannot be read; treated as blocked")
        }
    }
}

/// One check's run: a command in the sandbox on the task's files plus what the answer wrote.
public struct CheckResult: Codable, Sendable, Equatable {
    public var command: String
    /// The exit status; nil when the command did not exit by itself (a limit, a signal, not started).
    public var exitStatus: Int32?
    /// The limit that stopped it: `time`, `memory`, `output`, `processes`, or nil.
    public var limit: String?
    public var durationMS: Int
    /// Redacted, cut to `sandbox.max_output_kb`.
    public var stdout: String
    public var stderr: String
    public var passed: Bool
    /// 0 for the first answer, n for the answer of fix round n.
    public var round: Int

    public init(command: String, exitStatus: Int32?, limit: String?, durationMS: Int, stdout: String, stderr: String, passed: Bool, round: Int) {
        self.command = command
        self.exitStatus = exitStatus
        self.limit = limit
        self.durationMS = durationMS
        self.stdout = stdout
        self.stderr = stderr
        self.passed = passed
        self.round = round
    }

    /// How it ended, for people: `exit 1`, `timeout limit`, `did not run` (and `passed` when it did).
    public var ending: String {
        if passed { return "passed" }
        if let limit { return "\(limit) limit" }
        if let exitStatus { return "exit \(exitStatus)" }
        return "did not run"
    }

    enum CodingKeys: String, CodingKey {
        case command, limit, stdout, stderr, passed, round
        case exitStatus = "exit_status"
        case durationMS = "duration_ms"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(limit, forKey: .limit)
        try container.encode(durationMS, forKey: .durationMS)
        try container.encode(stdout, forKey: .stdout)
        try container.encode(stderr, forKey: .stderr)
        try container.encode(passed, forKey: .passed)
        try container.encode(round, forKey: .round)
    }
}
