import MinicCore
import MinicGuard
import MinicQueue

extension TaskPipeline {
    /// `task` with the secrets in what it carries redacted, before it is stored or logged.
    ///
    /// The prompt and parameter values are redacted, or refused when `security.prompt_secrets`
    /// is `refuse` (`refusePromptSecrets`, from the current head's config). File paths, parameter names and the idempotency key identify things, and a
    /// redacted one would name something else: a secret there is always refused. Text the
    /// scanner could not finish (a PCRE2 error) is refused too: it cannot be redacted.
    /// - Throws: ``MinicError`` (refused) naming the field and the rules, never the secret.
    func withoutSecrets(_ task: NewTask, refuse refusePromptSecrets: Bool) throws(MinicError) -> NewTask {
        var clean = task
        var redactedRules: [String] = []
        func check(_ text: String, _ field: String, redactable: Bool) throws(MinicError) -> String {
            let (redacted, findings) = secrets.redactingSecrets(in: text)
            guard !findings.isEmpty else { return text }
            let rules = Array(Set(findings.map(\.ruleID))).sorted().joined(separator: ", ")
            if findings.contains(where: { $0.ruleID == SecretScanner.unscannedRuleID }) {
                throw .refused("the task's \(field) could not be fully scanned for secrets (\(rules)); nothing was queued")
            }
            guard redactable else { throw .refused("the task's \(field) holds a secret (\(rules)); nothing was queued") }
            if refusePromptSecrets {
                throw .refused("the task's \(field) holds a secret (\(rules)); nothing was queued (security.prompt_secrets is refuse)")
            }
            redactedRules += findings.map(\.ruleID)
            return redacted
        }
        clean.prompt = try check(task.prompt, "prompt", redactable: true)
        clean.files = []
        for path in task.files { clean.files.append(try check(path, "file path", redactable: false)) }
        clean.parameters = [:]
        for (name, value) in task.parameters.sorted(by: { $0.key < $1.key }) {
            _ = try check(name, "parameter name", redactable: false)
            clean.parameters[name] = try check(value, "parameter \(name)", redactable: true)
        }
        if let key = task.idempotencyKey { _ = try check(key, "idempotency key", redactable: false) }
        // A check's command and a model's name are stored and logged as given, and a redacted command would not run.
        for command in task.options.checks { _ = try check(command, "check", redactable: false) }
        if let model = task.options.model { _ = try check(model, "model", redactable: false) }
        if !redactedRules.isEmpty {
            securityLog.warning(
                "task input: redacted \(redactedRules.count) secret(s) before queueing: \(Array(Set(redactedRules)).sorted().joined(separator: ", "))")
        }
        return clean
    }
}
