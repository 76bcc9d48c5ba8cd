import Foundation
import MinicCore

/// Task arguments as the CLI gives them: the type, `key=value` parameters, file languages.
/// The checks on what a task brings are ``InputValidator``'s (MinicGuard).
public enum TaskInput {
    /// The known task types (a home's `security.task_types` may allow fewer; ``InputValidator`` checks that).
    public static func validateType(_ type: String) throws(MinicError) {
        guard TaskType(rawValue: type) != nil else {
            throw .badInput("unknown task type '\(type)' (known: \(TaskType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    /// The times a task may be scheduled for, as refusals put it.
    public static let runAtRange = "a time from 1970-01-01 to 100 years from now"

    /// Whether a task may be scheduled for `date`: a finite time from the Unix epoch to 100
    /// years ahead. Further out is a mistake (`1e12` seconds, a year 9999, `+inf`), not a
    /// schedule: such a task would sit in the queue forever, and a NaN or an infinity does
    /// not survive the queue's REAL column and JSON output intact.
    public static func isSchedulable(_ date: Date, now: Date = Date()) -> Bool {
        let seconds = date.timeIntervalSince1970
        return seconds.isFinite && seconds >= 0 && seconds <= now.timeIntervalSince1970 + 100 * 365.25 * 86_400
    }

    /// Parses `key=value` parameters.
    public static func parameters(_ pairs: [String]) throws(MinicError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { throw .badInput("--param \(pair): expected KEY=VALUE") }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    /// The language name for a file's fence in a prompt, from its extension.
    public static func language(of path: String) -> String {
        let known = [
            "swift": "swift", "py": "python", "js": "javascript", "ts": "typescript", "go": "go", "rs": "rust", "c": "c", "h": "c", "cpp": "cpp",
            "java": "java", "kt": "kotlin", "rb": "ruby", "sh": "bash", "json": "json", "yaml": "yaml", "yml": "yaml", "md": "markdown",
        ]
        return known[(path as NSString).pathExtension.lowercased()] ?? ""
    }
}

extension TaskInput {
    /// Whether an ISO-8601 time's UTC offset (`Z`, `±HH:MM`, `±HHMM`) is one a clock can have:
    /// at most 14 hours and 59 minutes (the formatter itself takes `+99:00`).
    public static func hasRealOffset(_ text: String) -> Bool {
        guard let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }), let t = text.firstIndex(of: "T"), sign > t else { return true }
        let digits = text[text.index(after: sign)...].filter(\.isNumber)
        guard digits.count == 4, let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return false }
        return hours <= 14 && minutes <= 59
    }

    /// A time as `--at` and `run_at` take it: ISO-8601 with a real offset, Unix seconds, or `+SECONDS` from now,
    /// within ``runAtRange``.
    public static func parseTime(_ text: String) throws(MinicError) -> Date {
        let date: Date
        if text.hasPrefix("+"), let seconds = decimal(text.dropFirst()) {
            date = Date().addingTimeInterval(seconds)
        } else if let seconds = decimal(Substring(text)) {
            date = Date(timeIntervalSince1970: seconds)
        } else if let parsed = ISO8601DateFormatter().date(from: text), hasRealOffset(text) {
            date = parsed
        } else {
            throw .badInput("'\(text)' is not a time (ISO-8601, Unix seconds or +SECONDS)")
        }
        guard TaskInput.isSchedulable(date) else { throw .badInput("'\(text)' is not \(TaskInput.runAtRange)") }
        return date
    }

    /// Seconds written as plain decimal digits with an optional fraction (`12`, `1.5`): not `0x10`, `1e3`,
    /// `inf`, a sign, or anything after a NUL, which `Double(_:)` would read.
    static func decimal(_ text: Substring) -> Double? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) else { return nil }
        return Double(text)
    }
}
