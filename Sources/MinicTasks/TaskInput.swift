import Foundation
import MinicCore

/// Checks a task before it is queued: a known type, and files that are regular,
/// readable UTF-8 text under the size limit. (The full guardrails — path
/// confinement, dangerous-operation analysis, secret scanning — come with the
/// security module; this is the part the pipeline cannot run without.)
public enum TaskInput {
    /// The largest file a task may carry.
    public static let maxFileBytes = 1 << 20
    /// The longest prompt.
    public static let maxPromptBytes = 256 << 10

    public static func validateType(_ type: String) throws(MinicError) {
        guard TaskType(rawValue: type) != nil else {
            throw .badInput("unknown task type '\(type)' (known: \(TaskType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    public static func validatePrompt(_ prompt: String) throws(MinicError) {
        guard prompt.utf8.count <= maxPromptBytes else { throw .badInput("the prompt is \(prompt.utf8.count) bytes; the limit is \(maxPromptBytes)") }
    }

    /// Reads a file for a task, refusing anything but regular UTF-8 text under the limit.
    public static func readFile(_ path: String) throws(MinicError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .badInput("\(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .badInput("\(path): not a regular file") }
        guard Int(info.st_size) <= maxFileBytes else { throw .badInput("\(path): \(info.st_size) bytes; the limit is \(maxFileBytes)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .badInput("\(path): cannot read it") }
        guard let text = String(data: data, encoding: .utf8) else { throw .badInput("\(path): not UTF-8 text") }
        return text
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
