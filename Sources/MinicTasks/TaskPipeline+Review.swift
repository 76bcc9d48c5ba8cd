import MinicCore
import MinicGuard
import MinicQueue

extension TaskPipeline {
    /// The guardrails on a model's answer: secrets are redacted; the code blocks are
    /// analysed and the policy decides — `block` fails the task (its findings in the
    /// error), `ask` keeps the answer with the findings appended for a person to weigh,
    /// `allow` keeps it as it is. Everything found is logged under `security`, never a secret.
    func review(answer: String, task: TaskRecord) throws(MinicError) -> String {
        var text = answer
        let (clean, found) = secrets.redactingSecrets(in: text)
        if !found.isEmpty {
            text = clean
            securityLog.warning("task \(task.id): redacted \(found.count) secret(s) in the answer: \(found.map(\.ruleID).joined(separator: ", "))")
        }
        let findings = analyzer.analyze(answer: text)
        guard !findings.isEmpty else { return text }
        let lines = findings.map { "line \($0.line): \($0.severity.rawValue) \($0.ruleID): \($0.message) [\(policy.decide(rule: $0.ruleID, severity: $0.severity).rawValue)]" }
        switch policy.decide(findings) {
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
