import Foundation
import MinicCore
import MinicGuard
import MinicQueue
import MinicUpdates

/// What `minic update propose --goal TEXT --from-failures N` gives the model besides the goal: the last N tasks that
/// failed (or a person rated bad), and the latest eval results, every text redacted and shortened, within a size the
/// prompt's limit (`security.max_prompt_bytes`) leaves room for.
public enum FailureContext {
    /// The tasks to show: failed or dead, or rated bad, newest first, at most `count`; self-update tasks excluded.
    public static func pick(_ tasks: [TaskRecord], count: Int) -> [TaskRecord] {
        Array(tasks.filter { ($0.state == .failed || $0.state == .dead || isRatedBad($0)) && $0.type != TaskType.selfUpdate.rawValue }.prefix(count))
    }

    static func isRatedBad(_ task: TaskRecord) -> Bool { task.rating?.verdict == .bad }

    /// The self-update prompt: the goal, then the failures and the eval results, at most `maxBytes` bytes.
    public static func prompt(goal: String, failures: [TaskRecord], latest: EvalRunReport?, maxBytes: Int) -> String {
        let scanner = SharedSecretScanner.shared
        func clean(_ text: String, _ limit: Int) -> String {
            let redacted = scanner.redactingSecrets(in: text).text.replacingOccurrences(of: "\n", with: " ")
            return redacted.count > limit ? String(redacted.prefix(limit)) + "..." : redacted
        }
        var text = goal + "\n\nChange the prompt templates or config so that tasks like these succeed (and the eval cases keep passing)."
        var sections: [String] = []
        if !failures.isEmpty {
            var lines = ["Recent tasks that failed or were rated bad (redacted):"]
            for task in failures {
                var line = "- task \(task.id) (\(task.type), \(task.state.rawValue)): prompt: \(clean(task.prompt, 300))"
                if let error = task.error { line += "; error: \(clean(error, 300))" }
                if let rating = task.rating { line += "; rated \(rating.verdict.rawValue)" + (rating.note.map { ": " + clean($0, 200) } ?? "") }
                if let result = task.result { line += "; answer began: \(clean(result, 200))" }
                lines.append(line)
            }
            sections.append(lines.joined(separator: "\n"))
        }
        if let latest {
            var lines = ["Latest eval results (minic eval at \(latest.commit.prefix(7)), \(latest.provider) \(latest.model)):"]
            for item in latest.cases {
                var line = "- \(item.name) (\(item.type)): score \(EvalNote.score(item.score))"
                if !item.failures.isEmpty { line += "; failed: " + clean(item.failures.joined(separator: "; "), 300) }
                lines.append(line)
            }
            sections.append(lines.joined(separator: "\n"))
        }
        for section in sections where text.utf8.count + section.utf8.count + 2 <= maxBytes { text += "\n\n" + section }
        return text
    }

    /// Where `minic eval` keeps its latest run (in the home's `state/`, never committed).
    public static func latestPath(home: Home) -> String { home.stateDirectory + "/eval-latest.json" }

    /// Keeps `report` as the latest run.
    public static func saveLatest(_ report: EvalRunReport, home: Home) throws(MinicError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(report) else { throw .internal("encoding the eval run") }
        try StateFiles.write(latestPath(home: home), Array(data))
    }

    /// The latest run kept, if one can be read (it is context for the model, not a decision: unreadable is none).
    public static func latest(home: Home) -> EvalRunReport? {
        guard let bytes = try? StateFiles.read(latestPath(home: home)) else { return nil }
        return try? JSONDecoder().decode(EvalRunReport.self, from: Data(bytes))
    }
}
