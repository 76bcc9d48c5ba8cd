import MinicCore
import MinicGuard
import MinicLLM

/// minic's own checks on a task's files — the secret scanner and the code analysers, as `minic scan`
/// runs them — for the offline provider to report with `analyze`, so that an answer without a model
/// still says something useful. MinicLLM does not see MinicGuard: the findings travel on the
/// request's attachments (``LLMAttachment/findings``).
///
/// A secret is named by rule and line only, never shown, not even redacted: the offline answer is
/// streamed to the terminal before the answer's own review runs.
struct OfflineFindings {
    let analyzer: CodeAnalyzer
    let policy: SecurityPolicy
    let secrets: SharedSecretScanner

    /// `files`, each with its findings attached; Python files are analysed in one helper run.
    /// Blocking (the Python helper): call it off the cooperative pool.
    func attach(to files: [LLMAttachment]) -> [LLMAttachment] {
        var found = files.map { secretFindings(in: $0.content) }
        var code: [(index: Int, text: String, language: CodeLanguage)] = []
        for (index, file) in files.enumerated() {
            guard let language = CodeLanguage.detect(path: file.path, text: file.content.prefix(256)) else { continue }
            if file.content.utf8.contains(0) {
                // As `minic scan`: no analyser reads binary content in a file named as code, so a person must.
                found[index].append(finding("code", 0, "scan-unanalysed", .medium, "holds NUL bytes; not analysed as code", floor: .ask))
                continue
            }
            code.append((index, file.content, language))
        }
        for (item, results) in zip(code, analyzer.analyze(texts: code.map { ($0.text, $0.language) })) {
            found[item.index] += results.map { finding("code", $0.line, $0.ruleID, $0.severity, $0.message, floor: .allow) }
        }
        return files.indices.map { index in
            var file = files[index]
            file.findings = found[index].sorted { ($0.line, $0.ruleID) < ($1.line, $1.ruleID) }
            return file
        }
    }

    private func secretFindings(in text: String) -> [LocalFinding] {
        secrets.scan(text).map { secret in
            // Text the scanner could not finish is for a person to look at, whatever the policy says.
            let unscanned = secret.ruleID == SecretScanner.unscannedRuleID
            return finding("secret", secret.line, secret.ruleID, secret.severity, secret.description, floor: unscanned ? .ask : .allow)
        }
    }

    /// A finding with the policy's decision, never below `floor`; its message cleaned of anything the scanner takes for a secret.
    private func finding(_ kind: String, _ line: Int, _ rule: String, _ severity: Severity, _ message: String, floor: Decision) -> LocalFinding {
        LocalFinding(
            kind: kind, line: line, ruleID: rule, severity: severity.rawValue, message: secrets.redactingSecrets(in: message).text,
            decision: max(policy.decide(rule: rule, severity: severity), floor).rawValue)
    }
}

extension TaskPipeline {
    /// `files` with minic's own findings attached when the offline provider answers `snapshot`'s tasks
    /// (a model gets the files through the prompt and is not given them); `files` unchanged otherwise.
    func withOfflineFindings(_ files: [LLMAttachment], snapshot: AgentSnapshot) -> [LLMAttachment] {
        // A provider that cannot be built fails the task later with its own message; nothing to add here.
        guard case .success(let provider) = Result(catching: { () throws(MinicError) in try snapshot.provider() }), provider is OfflineProvider else {
            return files
        }
        return OfflineFindings(analyzer: analyzer, policy: snapshot.policy, secrets: secrets).attach(to: files)
    }
}
