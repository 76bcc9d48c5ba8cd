import Foundation
import MinicCore
import MinicGuard

/// One check of an eval case: a JSON object with one key naming its kind.
public enum EvalCheck: Sendable, Equatable {
    /// The answer contains the text.
    case contains(String)
    /// The answer does not contain the text.
    case notContains(String)
    /// The pattern (PCRE2 syntax, matched under a match limit: ``BoundedRegex``) matches somewhere in the answer.
    case regex(String)
    /// The answer (or its first ```` ```json ```` block) parses as JSON and matches the schema (``JSONSchema``).
    case jsonSchema(JSONSchema)
    /// The answer has at most this many characters.
    case maxChars(Int)
    /// The guardrails find nothing in the answer: no secret, no finding of the code analysis.
    case noFindings
    /// The answer's code, written over the case's files, passes this command in the sandbox (as a task's `--check`).
    case runs(String)
    /// A template in the home (e.g. `evals/judge.mustache`) rendered with the case and the answer, sent to the model,
    /// whose reply's last number (0-1) is the score.
    case judge(String)

    /// The key that names the kind in the case file.
    public var kind: String {
        switch self {
        case .contains: return "contains"
        case .notContains: return "not_contains"
        case .regex: return "regex"
        case .jsonSchema: return "json_schema"
        case .maxChars: return "max_chars"
        case .noFindings: return "no_findings"
        case .runs: return "runs"
        case .judge: return "judge"
        }
    }

    /// A short label for reports: the kind and its argument, shortened.
    public var label: String {
        switch self {
        case .contains(let text), .notContains(let text), .regex(let text), .runs(let text), .judge(let text):
            let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
            return "\(kind) \(shown.debugDescription)"
        case .jsonSchema: return kind
        case .maxChars(let limit): return "\(kind) \(limit)"
        case .noFindings: return kind
        }
    }

    static let kinds = ["contains", "not_contains", "regex", "json_schema", "max_chars", "no_findings", "runs", "judge"]

    init(_ value: StrictJSONValue, source: String) throws(MinicError) {
        guard case .object(let members) = value, members.count == 1, let (key, argument) = members.first else {
            throw .badInput("\(source): a check is an object with one key: \(EvalCheck.kinds.joined(separator: ", "))")
        }
        func text() throws(MinicError) -> String {
            guard case .string(let text) = argument, !text.isEmpty else { throw .badInput("\(source): \(key): a non-empty string is required") }
            return text
        }
        switch key {
        case "contains": self = .contains(try text())
        case "not_contains": self = .notContains(try text())
        case "regex":
            let pattern = try text()
            if let problem = BoundedRegex.problem(pattern) { throw .badInput("\(source): regex: does not compile: \(problem)") }
            self = .regex(pattern)
        case "json_schema": self = .jsonSchema(try JSONSchema(argument, source: "\(source): json_schema"))
        case "max_chars":
            guard case .number(let digits) = argument, let limit = Int(digits), limit > 0 else { throw .badInput("\(source): max_chars: a positive integer is required") }
            self = .maxChars(limit)
        case "no_findings":
            guard argument == .bool(true) else { throw .badInput("\(source): no_findings: must be true") }
            self = .noFindings
        case "runs":
            let command = try text()
            guard command.utf8.count <= 4096, !command.contains("\0") else { throw .badInput("\(source): runs: at most 4096 bytes, no NUL") }
            self = .runs(command)
        case "judge":
            let path = try text()
            try EvalCase.checkPath(path, source: "\(source): judge")
            self = .judge(path)
        default:
            throw .badInput("\(source): unknown check '\(key)' (known: \(EvalCheck.kinds.joined(separator: ", ")))")
        }
    }
}
