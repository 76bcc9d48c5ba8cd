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
