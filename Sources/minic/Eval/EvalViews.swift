import Foundation
import MinicCore
import MinicEvals
import MinicGit
import MinicUpdates

/// How eval runs and notes print.
enum EvalViews {
    /// The commit `rev` names (head when `nil`).
    static func commit(_ rev: String?, in home: Home) throws(MinicError) -> OID {
        guard let rev else { return try home.head().commit }
        do {
            return try home.repository.resolveCommit(rev)
        } catch {
            throw .badInput("--rev \(Output.safe(rev)): not a commit of the home (\(error.message))")
        }
    }

    /// `[12/40] eval` on standard error while it runs, on a terminal only.
    static func progress(label: String) -> (@Sendable (Int, Int) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { done, total in FileHandle.standardError.write(Data("\r\u{1B}[K[\(done)/\(total)] \(label)".utf8)) }
    }

    static func endProgress() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func text(_ report: EvalRunReport) -> String {
        let who = report.offline ? "the offline provider (no model)" : "\(report.provider) \(Output.safe(report.model))"
        var text = "eval of \(report.commit.prefix(7)) with \(who): \(report.cases.count) case(s)\n"
        var rows = [["case", "type", "score", "runs"]]
        for item in report.cases { rows.append([Output.safe(item.name), item.type, EvalNote.score(item.score), String(item.repeats)]) }
        text += Output.table(rows)
        if let overall = report.overall {
            text += "overall: \(EvalNote.score(overall.score)) [\(EvalNote.score(overall.low)), \(EvalNote.score(overall.high))] (95% interval over \(overall.samples) unit(s))\n"
        } else {
            text += "overall: none (no cases in evals/)\n"
        }
        let cost = report.offline ? "none" : report.costUSD.map { String(format: "$%.4f", $0) } ?? "unknown (no price for this model)"
        text += "tokens: \(report.inputTokens) in / \(report.outputTokens) out, cost \(cost), \(String(format: "%.1f", report.seconds)) s\n"
        if report.offline {
            text += "offline provider: no model was called; only the template checks ran, \(report.skippedChecks) check(s) skipped\n"
        }
        let skipped = Set(report.cases.flatMap(\.skipped))
        if !skipped.isEmpty && report.offline {
            text += "skipped: " + skipped.sorted().map(Output.safe).joined(separator: ", ") + "\n"
        }
        let failing = report.cases.filter { !$0.failures.isEmpty }
        if !failing.isEmpty {
            text += "failed checks:\n"
            for item in failing {
                for failure in item.failures { text += "  \(Output.safe(item.name)): \(Output.safe(String(failure.prefix(300))))\n" }
            }
        }
        return text
    }

    /// A proposal's note, for `update eval` and `update show`.
    static func text(_ stored: StoredEvalNote) -> String {
        let note = stored.note
        var text = "eval: delta \(note.deltaText)\(stored.current ? "" : " (not current: made against \(note.base.prefix(7)); run minic update eval again)")\n"
        text += "  \(note.provider) \(Output.safe(note.model)), \(note.cases.count) case(s) x \(note.repeats), base \(note.base.prefix(7)), note \(stored.blob.short)\n"
        var rows = [["  case", "base", "proposal", "delta"]]
        for item in note.cases {
            rows.append(["  " + Output.safe(item.name), EvalNote.score(item.base), EvalNote.score(item.proposal), item.delta.map(EvalNote.signed) ?? "-"])
        }
        text += Output.table(rows)
        if let overall = note.overall {
            text += "  overall: \(EvalNote.score(overall.base)) -> \(EvalNote.score(overall.proposal)), delta \(note.deltaText)\n"
        }
        text += "  tokens: \(note.inputTokens) in / \(note.outputTokens) out, cost \(note.costUSD.map { String(format: "$%.4f", $0) } ?? "unknown")\n"
        let skipped = Set(note.cases.flatMap(\.skipped))
        if !skipped.isEmpty { text += "  skipped (no model): \(skipped.count) check(s)\n" }
        return text
    }
}
