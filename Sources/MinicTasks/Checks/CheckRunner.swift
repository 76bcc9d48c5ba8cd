import Foundation
import MinicCore
import MinicGuard
import MinicQueue

/// Runs a task's checks on what an answer writes: the code analysis first, on every file the answer writes,
/// then (only when the policy lets it) each command in the sandbox, in a fresh scratch copy of the task's
/// files with the answer's changes applied. The user's files are never written.
///
/// Public so that benchmarks and tests drive the path a task's checks take (`Benchmarks/run-checks`).
public struct CheckRunner: Sendable {
    let sandbox: Sandbox
    let analyzer: CodeAnalyzer
    let policy: SecurityPolicy
    /// `security.execute_ask`.
    let executeAsk: Bool

    /// The runner a task uses: `config`'s `sandbox.*` (guarding the agent home at `homePath`), its `security.*` policy and
    /// `security.execute_ask`, and `analyzer` for what the answer writes.
    public init(config: MinicConfig, homePath: String?, analyzer: CodeAnalyzer) {
        sandbox = Sandbox(config: config.sandbox, homePath: homePath)
        self.analyzer = analyzer
        policy = SecurityPolicy(config.security)
        executeAsk = config.security.executeAsk
    }

    /// Starts what the next `analyses` code analyses need (an answer's review and a round of checks are one each):
    /// python3 with minic's helper loaded, about 30 ms here. Call it while the model answers, so that the analysis
    /// of what the answer writes does not wait for it. Runs nothing of the answer's; blocks only to spawn.
    public func prepare(analyses: Int = 1) { analyzer.prepare(analyses) }

    /// What one round found.
    public struct Round: Sendable {
        public var results: [CheckResult] = []
        /// Why nothing ran (the analysis blocked or asked about what the answer writes), when nothing did.
        public var notExecuted: String?
        /// The analysis blocked what the answer writes.
        public var blocked = false
        /// The findings, one line each (`path line N: severity rule: message [decision]`).
        public var findings: [String] = []

        /// Whether every check ran and passed.
        public var passed: Bool { notExecuted == nil && results.allSatisfy(\.passed) }
    }

    /// Whether written files minic's own home holds (templates, `config.json`) count as inert: only for a
    /// self-update, whose files are the home's and which no common tool executes. Anywhere else a file the
    /// analysers cannot read is one they cannot vouch for, whatever its name: `package.json` holds npm's scripts,
    /// a `README.md` doctests, a `CMakeLists.txt` commands — `ask` (fail closed).
    public var homeFilesAreInert = false

    /// Runs `checks` on `originals` (path relative to the task's base -> content) changed by `edits`: the analysis
    /// first, then each command in its own fresh scratch copy. Blocking (child processes): call it off Swift's cooperative pool.
    /// - Parameters:
    ///   - round: 0 for the first answer, n for fix round n (recorded in each ``CheckResult``).
    ///   - isCancelled: asked while a command runs (which it kills) and between commands (the rest are skipped).
    public func run(
        checks: [String], originals: [String: String], edits: AnswerEdits, round: Int, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) -> Round {
        var outcome = Round()
        let written = edits.files.compactMap { path, content in content.map { (path: path, text: $0) } }.sorted { $0.path < $1.path }
        var decision = analyse(written, into: &outcome)
        // Deleting a file (a test, say) can make a check pass by taking away what it checks: a person decides.
        for path in edits.files.filter({ $0.value == nil }).map(\.key).sorted() {
            outcome.findings.append("\(path): medium file-deleted: the answer deletes this file [ask]")
            decision = max(decision, .ask)
        }
        switch decision {
        case .block:
            outcome.blocked = true
            outcome.notExecuted = "not executed: the guardrails block what the answer writes (\(outcome.findings.joined(separator: "; ")))"
            return outcome
        case .ask where !executeAsk:
            outcome.notExecuted =
                "not executed: what the answer writes needs a person's review (security.execute_ask is false): \(outcome.findings.joined(separator: "; "))"
            return outcome
        default:
            break
        }
        for command in checks where !isCancelled() {
            outcome.results.append(runOne(command, originals: originals, edits: edits, round: round, isCancelled: isCancelled))
        }
        return outcome
    }

    /// The policy's decision on everything the answer writes; the findings go into `outcome`.
    private func analyse(_ written: [(path: String, text: String)], into outcome: inout Round) -> Decision {
        var decision = Decision.allow
        var analysable: [(path: String, text: String, language: CodeLanguage)] = []
        for file in written {
            if let language = CodeLanguage.detect(path: file.path, text: Substring(file.text)) {
                analysable.append((file.path, file.text, language))
                continue
            }
            if homeFilesAreInert && (file.path == "config.json" || file.path.hasSuffix(".mustache")) { continue }
            outcome.findings.append("\(file.path): medium code-unanalysed: minic cannot analyse this kind of file [ask]")
            decision = max(decision, .ask)
        }
        let results = analyzer.analyze(texts: analysable.map { ($0.text, $0.language) })
        for (file, findings) in zip(analysable, results) {
            for finding in findings {
                // An analyser that could not finish is no all-clear.
                var verdict = policy.decide(rule: finding.ruleID, severity: finding.severity)
                if finding.ruleID.hasSuffix("-unanalysed") { verdict = max(verdict, .ask) }
                decision = max(decision, verdict)
                TaskMetrics.finding(rule: finding.ruleID, decision: verdict.rawValue)
                outcome.findings.append("\(file.path) line \(finding.line): \(finding.severity.rawValue) \(finding.ruleID): \(finding.message) [\(verdict.rawValue)]")
            }
        }
        return decision
    }

    /// One command in a fresh scratch copy. Anything that keeps it from running counts as a failure.
    private func runOne(
        _ command: String, originals: [String: String], edits: AnswerEdits, round: Int, isCancelled: @escaping @Sendable () -> Bool
    ) -> CheckResult {
        let started = ContinuousClock.now
        func failed(_ message: String) -> CheckResult {
            CheckResult(
                command: command, exitStatus: nil, limit: nil, durationMS: Int((ContinuousClock.now - started) / .milliseconds(1)), stdout: "", stderr: message,
                passed: false, round: round)
        }
        do throws(MinicError) {
            let scratch = try ScratchDirectory()
            var files: [(path: String, content: String?)] = originals.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            files += edits.files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            try scratch.place(files)
            var request = SandboxRequest(command: ["/bin/sh", "-c", command], workdir: scratch.path)
            request.isCancelled = isCancelled
            let result = try sandbox.run(request)
            return CheckResult(
                command: command, exitStatus: result.limit == nil ? result.exitCode : nil, limit: result.limit?.rawValue, durationMS: Int(result.durationMS),
                stdout: result.stdout, stderr: result.stderr + (result.outputTruncated ? "\n[output cut at sandbox.max_output_kb]\n" : ""),
                passed: result.limit == nil && result.exitCode == 0, round: round)
        } catch {
            return failed("minic: the check did not run: \(error.message)")
        }
    }
}
