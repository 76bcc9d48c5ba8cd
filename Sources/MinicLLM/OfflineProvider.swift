import Foundation

/// The provider used when no model is configured: it does honest local work and
/// says plainly that no model was called. It never imitates a model's answer.
///
/// For `analyze` it reports each file's statistics (lines of code, blank and
/// comment lines, the longest line, TODO/FIXME markers) and, where the caller ran
/// them (``LLMAttachment/findings``), minic's own code-analysis and secret findings;
/// for other task types it reports what would have been sent to a model.
public struct OfflineProvider: LLMProvider {
    public let name = "offline"

    public init() {}

    public static let notice =
        "[offline: no model was called. Set ANTHROPIC_API_KEY, or set llm.provider to a model provider in config.json, for a model's answer.]"

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, Error> {
        let text = OfflineProvider.answer(request)
        return AsyncThrowingStream { continuation in
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                continuation.yield(.text(String(line) + "\n"))
            }
            let response = LLMResponse(text: text + "\n", stopReason: "end_turn", usage: LLMUsage(), model: "offline", fromModel: false)
            continuation.yield(.done(response))
            continuation.finish()
        }
    }

    static func answer(_ request: LLMRequest) -> String {
        var lines = [notice]
        switch request.taskType {
        case "analyze":
            if request.attachments.isEmpty {
                lines.append("analyze: no files given; nothing to measure locally.")
            } else {
                lines.append("analyze: local statistics of \(request.attachments.count) file(s):")
                for file in request.attachments { lines.append("  " + FileStatistics(path: file.path, content: file.content).summary) }
                lines += findings(request.attachments)
            }
        default:
            let user = request.messages.map(\.text).joined(separator: "\n")
            lines.append(
                "\(request.taskType.isEmpty ? "task" : request.taskType): the prompt was prepared (\(request.system.count) characters of system prompt, "
                    + "\(user.count) of user prompt, \(request.attachments.count) file(s)) but not sent anywhere.")
        }
        return lines.joined(separator: "\n")
    }
}

extension OfflineProvider {
    /// The findings part of an `analyze` answer, in `minic scan`'s shape; nothing when no file's checks were run.
    static func findings(_ files: [LLMAttachment]) -> [String] {
        let checked = files.filter { $0.findings != nil }
        guard !checked.isEmpty else { return [] }
        var lines = ["analyze: minic's own checks (code analysis and secret scan, as `minic scan`; a secret is named by its rule, never shown):"]
        for file in checked {
            let found = file.findings ?? []
            if found.isEmpty { lines.append("  \(file.path): no findings") }
            for finding in found {
                let what = finding.kind == "secret" ? "secret \(finding.ruleID)" : finding.ruleID
                lines.append("  \(file.path):\(finding.line): \(finding.severity) \(what): \(finding.message) [\(finding.decision)]")
            }
        }
        return lines
    }
}

/// Line statistics of one source file, by comment syntax guessed from its extension.
struct FileStatistics {
    let path: String
    var lines = 0
    var blank = 0
    var comment = 0
    var longest = 0
    var markers = 0

    init(path: String, content: String) {
        self.path = path
        let hash = ["py", "sh", "bash", "rb", "pl", "yaml", "yml", "toml", "r", "mk", "cmake"].contains((path as NSString).pathExtension.lowercased())
        var inBlock = false
        for raw in content.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.isEmpty && lines > 0 && raw.endIndex == content.endIndex { break }
            lines += 1
            longest = max(longest, raw.count)
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.range(of: "TODO|FIXME|XXX|HACK", options: .regularExpression) != nil { markers += 1 }
            if line.isEmpty {
                blank += 1
            } else if inBlock {
                comment += 1
                if line.contains("*/") { inBlock = false }
            } else if hash ? line.hasPrefix("#") : (line.hasPrefix("//") || line.hasPrefix("--")) {
                comment += 1
            } else if !hash && line.hasPrefix("/*") {
                comment += 1
                inBlock = !line.contains("*/")
            }
        }
    }

    var summary: String {
        "\(path): \(lines) lines (\(lines - blank - comment) code, \(comment) comment, \(blank) blank), longest \(longest) characters, "
            + "\(markers) TODO/FIXME marker(s)"
    }
}
