import MinicCore
import MinicGuard
import MinicQueue

extension TaskPipeline {
    /// The guardrails on a model's answer: secrets are redacted; the code blocks are
    /// analysed and the policy decides — `block` fails the task (its findings in the
    /// error), `ask` keeps the answer with the findings appended for a person to weigh,
    /// `allow` keeps it as it is, by `policy` (the one of the task's commit). Everything found is logged under `security`, never a secret.
    func review(answer: String, task: TaskRecord, policy: SecurityPolicy) throws(MinicError) -> String {
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
        guard !findings.isEmpty else { return text }
        let floor: Decision = unscanned.isEmpty ? .allow : .ask
        func decide(_ finding: CodeFinding) -> Decision {
            max(policy.decide(rule: finding.ruleID, severity: finding.severity), finding.ruleID == SecretScanner.unscannedRuleID ? .ask : .allow)
        }
        for finding in findings { TaskMetrics.finding(rule: finding.ruleID, decision: decide(finding).rawValue) }
        let lines = findings.map { "line \($0.line): \($0.severity.rawValue) \($0.ruleID): \($0.message) [\(decide($0).rawValue)]" }
        switch max(policy.decide(findings), floor) {
        case .block:
            for line in lines { securityLog.warning("task \(task.id): answer blocked: \(line)") }
            throw .refused("the answer was blocked by the guardrails: " + lines.joined(separator: "; "), details: lines)
        case .ask:
            for line in lines { securityLog.notice("task \(task.id): answer needs review: \(line)") }
            return text + "\n\n---\nminic guardrails: review before running this code:\n" + lines.map { "- " + $0 }.joined(separator: "\n") + "\n"
        case .allow:
            for line in lines { securityLog.info("task \(task.id): answer allowed: \(line)") }
            return text
        }
    }
}
