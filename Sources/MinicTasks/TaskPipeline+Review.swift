import MinicCore
import MinicGuard
import MinicQueue

/// A model's answer after the guardrails.
struct ReviewedAnswer {
    /// The answer with its secrets redacted: what checks and patches are made from.
    var text: String
    /// What the task's result shows: ``text``, with the findings appended when a person should weigh them.
    var shown: String
    var decision: Decision
    /// The findings, one line each.
    var findings: [String]
}

extension TaskPipeline {
    /// The guardrails on a model's answer: secrets are redacted; the code blocks are
    /// analysed and the policy decides — `block` fails the task (its findings in the
    /// error; the answer is kept, marked blocked), `ask` keeps the answer with the findings appended for a person to weigh,
    /// `allow` keeps it as it is, by `policy` (the one of the task's commit). Everything found is logged under `security`, never a secret.
    func review(answer: String, task: TaskRecord, policy: SecurityPolicy) -> ReviewedAnswer {
        var text = answer
        let (clean, found) = secrets.redactingSecrets(in: text)
        let redacted = found.filter { $0.ruleID != SecretScanner.unscannedRuleID }
        if !found.isEmpty { text = clean }
        for finding in redacted { TaskMetrics.finding(rule: finding.ruleID, decision: "redact") }
        if !redacted.isEmpty {
            securityLog.warning("task \(task.id): redacted \(redacted.count) secret(s) in the answer: \(redacted.map(\.ruleID).joined(separator: ", "))")
        }
        // Text the secret scanner could not finish (a PCRE2 error) is for a person to look at, whatever the policy says.
        let unscanned = found.filter { $0.ruleID == SecretScanner.unscannedRuleID }
        let findings =
            analyzer.analyze(answer: text) + unscanned.map { CodeFinding(ruleID: $0.ruleID, severity: $0.severity, line: $0.line, message: $0.description) }
        guard !findings.isEmpty else { return ReviewedAnswer(text: text, shown: text, decision: .allow, findings: []) }
        let floor: Decision = unscanned.isEmpty ? .allow : .ask
        func decide(_ finding: CodeFinding) -> Decision {
            max(policy.decide(rule: finding.ruleID, severity: finding.severity), finding.ruleID == SecretScanner.unscannedRuleID ? .ask : .allow)
        }
        for finding in findings { TaskMetrics.finding(rule: finding.ruleID, decision: decide(finding).rawValue) }
        let lines = findings.map { "line \($0.line): \($0.severity.rawValue) \($0.ruleID): \($0.message) [\(decide($0).rawValue)]" }
        switch max(policy.decide(findings), floor) {
        case .block:
            for line in lines { securityLog.warning("task \(task.id): answer blocked: \(line)") }
            let shown = text + "\n" + AnswerNotes.marker + "BLOCKED, never run or apply this code:\n" + lines.map { "- " + $0 }.joined(separator: "\n") + "\n"
            return ReviewedAnswer(text: text, shown: shown, decision: .block, findings: lines)
        case .ask:
            for line in lines { securityLog.notice("task \(task.id): answer needs review: \(line)") }
            let shown = text + "\n" + AnswerNotes.marker + "review before running this code:\n" + lines.map { "- " + $0 }.joined(separator: "\n") + "\n"
            return ReviewedAnswer(text: text, shown: shown, decision: .ask, findings: lines)
        case .allow:
            for line in lines { securityLog.info("task \(task.id): answer allowed: \(line)") }
            return ReviewedAnswer(text: text, shown: text, decision: .allow, findings: lines)
        }
    }
}
