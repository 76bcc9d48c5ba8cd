import Foundation
import MinicBase
import MinicGuard
import MinicQueue

/// A person's verdict on a task's answer, recorded the one way the CLI (`minic tasks rate`) and the HTTP API
/// (`POST /v1/tasks/{id}/rating`) share: the note checked and its secrets redacted before it is stored, the
/// rating counted in metrics and logged under `task`.
public enum TaskRatings {
    /// Rates task `id`, replacing an earlier rating.
    /// - Parameters:
    ///   - note: one line, at most ``TaskRating/maxNoteCharacters`` characters; a secret in it is redacted.
    ///   - activity: the home's activity log: the rating goes under `task` (never the note: it is the person's
    ///     text), a redacted secret under `security`.
    /// - Returns: the task with its rating.
    /// - Throws: ``MinicError``: bad input for an unknown id or a note that is empty, too long or holds a control
    ///   character; refused for a task that has not finished, or a note that could not be scanned for secrets.
    public static func rate(
        _ id: Int64, verdict: TaskRating.Verdict, note: String?, queue: any TaskQueue, activity: ActivityLog?, now: Date = Date()
    ) throws(MinicError) -> TaskRecord {
        var rating = TaskRating(verdict: verdict, note: note, ratedAt: now)
        // Checked before the scan, so a message never quotes a note, and again by the queue after redaction.
        try queueCall { () throws(QueueError) in try rating.check() }
        if let note {
            let (redacted, findings) = SharedSecretScanner.shared.redactingSecrets(in: note)
            let rules = Array(Set(findings.map(\.ruleID))).sorted()
            if rules.contains(SecretScanner.unscannedRuleID) {
                throw .refused("the note could not be fully scanned for secrets (\(rules.joined(separator: ", "))); task \(id) was not rated")
            }
            if !rules.isEmpty {
                rating.note = redacted
                activity?.logger(.security).warning("task \(id): redacted \(findings.count) secret(s) from a rating's note: \(rules.joined(separator: ", "))")
            }
        }
        let record = try queueCall { () throws(QueueError) in try queue.rate(id, rating: rating, now: now) }
        TaskMetrics.rated(verdict)
        activity?.logger(.task).info("task \(id) rated \(verdict.rawValue)")
        return record
    }
}
