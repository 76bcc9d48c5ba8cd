import Foundation

/// How a task asks to be run beyond its prompt: the checks its answer must pass, the model, the fix
/// rounds. Stored with the task (JSON text, sorted keys) and part of its idempotency digest.
public struct TaskOptions: Codable, Sendable, Equatable {
    /// Commands run in the sandbox on the task's files plus what the answer writes (`--check`).
    public var checks: [String]
    /// The model to ask instead of `llm.model` (`--model`).
    public var model: String?
    /// How many times a failing check goes back to the model (`--fix-rounds`); nil: `tasks.fix_rounds`.
    public var fixRounds: Int?
    /// Keep the answer as a success even when a check fails (`--allow-failing-checks`).
    public var allowFailingChecks: Bool
    /// The directory the task's files and the paths an answer writes are relative to (see `TaskBase`);
    /// nil for a task without files.
    public var base: String?

    public init(checks: [String] = [], model: String? = nil, fixRounds: Int? = nil, allowFailingChecks: Bool = false, base: String? = nil) {
        self.checks = checks
        self.model = model
        self.fixRounds = fixRounds
        self.allowFailingChecks = allowFailingChecks
        self.base = base
    }

    /// No option set: stored as nothing, so tasks without options keep their digest and rows.
    public var isEmpty: Bool { self == TaskOptions() }

    /// The most checks a task takes, the longest command, the most fix rounds.
    public static let maxChecks = 16
    public static let maxCommandBytes = 4096
    public static let maxFixRounds = 5

    enum CodingKeys: String, CodingKey {
        case checks, model, base
        case fixRounds = "fix_rounds"
        case allowFailingChecks = "allow_failing_checks"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decodeIfPresent([String].self, forKey: .checks) ?? []
        model = try container.decodeIfPresent(String.self, forKey: .model)
        fixRounds = try container.decodeIfPresent(Int.self, forKey: .fixRounds)
        allowFailingChecks = try container.decodeIfPresent(Bool.self, forKey: .allowFailingChecks) ?? false
        base = try container.decodeIfPresent(String.self, forKey: .base)
    }

    /// Every key written (`null` included), so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(model, forKey: .model)
        try container.encode(fixRounds, forKey: .fixRounds)
        try container.encode(allowFailingChecks, forKey: .allowFailingChecks)
        try container.encode(base, forKey: .base)
    }

    /// What every backend refuses before queuing.
    public func check() throws(QueueError) {
        guard checks.count <= TaskOptions.maxChecks else { throw .badInput("at most \(TaskOptions.maxChecks) checks per task") }
        for command in checks {
            guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badInput("a check is an empty command") }
            guard command.utf8.count <= TaskOptions.maxCommandBytes else { throw .badInput("a check's command is over \(TaskOptions.maxCommandBytes) bytes") }
            guard !command.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
                throw .badInput("a check's command holds a control character")
            }
        }
        if let fixRounds, !(0...TaskOptions.maxFixRounds).contains(fixRounds) { throw .badInput("fix rounds must be 0 to \(TaskOptions.maxFixRounds)") }
        if let model {
            guard !model.isEmpty, model.utf8.count <= 200, model.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                throw .badInput("a model name is 1-200 printable ASCII characters without spaces")
            }
        }
        if let base, !base.hasPrefix("/") { throw .badInput("a task's base directory is an absolute path") }
    }

    /// The stored text: nil when no option is set.
    public var stored: String? {
        guard !isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Text that does not decode, should encoding ever fail: the task is then never run without its checks.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "minic: options not encodable"
    }

    /// What the idempotency digest takes: the options without ``base``, which follows from the files (so a task
    /// with files and no other option keeps the digest it had before options existed).
    public var digested: String? {
        var copy = self
        copy.base = nil
        return copy.stored
    }

    /// Options from stored text; none for nil, and none (not a guess) for text that does not decode.
    public static func decode(_ text: String?) -> TaskOptions? {
        guard let text, !text.isEmpty else { return TaskOptions() }
        return try? JSONDecoder().decode(TaskOptions.self, from: Data(text.utf8))
    }
}
