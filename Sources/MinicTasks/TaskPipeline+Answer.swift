import Foundation
import MinicCore
import MinicGuard
import MinicLLM
import MinicQueue

/// How a task's answer ended: the text to record, what it cost, what running it found, and the failure
/// that ends the task for good (the answer is kept with it) when there is one.
struct AnswerOutcome {
    var text: String
    var usage: TaskUsage
    var report: TaskReport
    var failure: MinicError?
}

extension TaskPipeline {
    /// Asks the model, reviews the answer and, when the task has checks, runs them on what the answer writes;
    /// a failing check goes back to the model through `prompt_templates/fix.mustache` while fix rounds are left.
    /// A blocked answer, one whose code may not run, or checks still failing after the last round end the task
    /// (``AnswerOutcome/failure``) with the answer and the report kept, unless `allow_failing_checks` keeps it as a success.
    func answer(
        _ task: TaskRecord, snapshot: AgentSnapshot, request first: LLMRequest, provider: any LLMProvider, onText: @escaping @Sendable (String) -> Void,
        onNotice: @escaping @Sendable (String) -> Void
    ) async throws -> AnswerOutcome {
        guard let options = task.options else {
            throw MinicError.refused("task \(task.id): its stored options (checks, model) cannot be read; not run, so that its checks are not skipped")
        }
        let fixRounds = options.fixRounds ?? snapshot.config.tasks.fixRounds
        let runner = {
            var runner = CheckRunner(config: snapshot.config, homePath: homePath, analyzer: analyzer)
            runner.homeFilesAreInert = task.type == TaskType.selfUpdate.rawValue
            return runner
        }()
        let originals = TaskPipeline.originals(of: first, base: options.base)
        var request = first
        var usage = TaskUsage(inputTokens: 0, outputTokens: 0, costUSD: 0)
        var report = TaskReport(provider: provider.name)
        var round = 0
        while true {
            // The answer's review and its checks each analyse what it writes: their helpers start while the model answers.
            if !options.checks.isEmpty { Blocking.detach { runner.prepare(analyses: 2) } }
            let response = try await provider.complete(request, onText: onText, onNotice: onNotice)
            try Task.checkCancellation()
            let cost = response.fromModel ? Pricing.cost(model: response.model, usage: response.usage) : nil
            usage.inputTokens += response.usage.inputTokens
            usage.outputTokens += response.usage.outputTokens
            usage.costUSD = usage.costUSD.flatMap { sum in cost.map { sum + $0 } }
            if response.fromModel {
                TaskMetrics.usage(provider: provider.name, model: response.model, TaskUsage(inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, costUSD: cost))
            }
            report.model = response.model
            report.rounds = round + 1
            if task.type == TaskType.selfUpdate.rawValue {
                // A self-update's diff is checked by the update engine, like any proposal's; checks, when asked for, run first.
                if !options.checks.isEmpty {
                    let edits = try AnswerEdits.extract(answer: response.text, originals: originals)
                    let checked = try await runChecks(runner, options.checks, originals, edits, round)
                    report.checks += checked.results
                    log(task, round: round, checked)
                    if !checked.passed {
                        if round < fixRounds, checked.notExecuted == nil {
                            round += 1
                            request = try fixRequest(first, snapshot: snapshot, task: task, answer: response.text, failed: checked.results.filter { !$0.passed })
                            continue
                        }
                        if !options.allowFailingChecks { return failing(response.text, usage, report, checked) }
                    }
                }
                let summary = options.checks.isEmpty ? nil : TaskPipeline.summary(of: report.finalChecks, notExecuted: report.notExecuted)
                let homePath = self.homePath
                let environment = self.environment
                let spent = usage
                let text = try await Blocking.run { () throws(MinicError) in
                    try SelfUpdate.propose(
                        answer: response.text, task: task, response: response, prompt: first, usage: spent, homePath: homePath, environment: environment,
                        checks: summary)
                }
                return AnswerOutcome(text: text, usage: usage, report: report, failure: nil)
            }
            // The analysers start processes: off the cooperative pool.
            let policy = snapshot.policy
            let reviewed = await Blocking.run { () -> ReviewedAnswer in
                var reviewed = self.review(answer: response.text, task: task, policy: policy)
                if reviewed.decision != .block, let written = self.blockedWrites(reviewed.text, originals: originals, runner: runner) {
                    // A fence's language label is the model's word; what a file is, is its name: judged as checks judge it.
                    for line in written { self.securityLog.warning("task \(task.id): answer blocked: \(line)") }
                    reviewed.decision = .block
                    reviewed.findings += written
                    reviewed.shown +=
                        "\n" + AnswerNotes.marker + "BLOCKED, never run or apply this code:\n" + written.map { "- " + $0 }.joined(separator: "\n") + "\n"
                }
                return reviewed
            }
            if reviewed.decision == .block {
                report.blocked = true
                return AnswerOutcome(
                    text: reviewed.shown, usage: usage, report: report,
                    failure: .refused("the answer was blocked by the guardrails: " + reviewed.findings.joined(separator: "; "), details: reviewed.findings))
            }
            guard !options.checks.isEmpty else { return AnswerOutcome(text: reviewed.shown, usage: usage, report: report, failure: nil) }
            let edits: AnswerEdits
            do throws(MinicError) {
                edits = try AnswerEdits.extract(answer: reviewed.text, originals: originals)
            } catch {
                // An answer that writes outside its files (`../`, absolute paths, symlinks) is refused, never run.
                securityLog.warning("task \(task.id): checks not run: \(error.message)")
                report.notExecuted = "not executed: \(error.message)"
                report.blocked = true
                return AnswerOutcome(text: reviewed.shown, usage: usage, report: report, failure: .refused("checks not run: \(error.message)"))
            }
            let checked = try await runChecks(runner, options.checks, originals, edits, round)
            report.checks += checked.results
            log(task, round: round, checked)
            if checked.passed { return AnswerOutcome(text: reviewed.shown, usage: usage, report: report, failure: nil) }
            if checked.notExecuted == nil, round < fixRounds {
                round += 1
                taskLog.info("task \(task.id): fix round \(round) of \(fixRounds)")
                onNotice("a check failed: fix round \(round) of \(fixRounds)")
                request = try fixRequest(first, snapshot: snapshot, task: task, answer: reviewed.text, failed: checked.results.filter { !$0.passed })
                continue
            }
            if checked.blocked { report.blocked = true }
            report.notExecuted = checked.notExecuted
            if options.allowFailingChecks && !checked.blocked {
                return AnswerOutcome(text: reviewed.shown, usage: usage, report: report, failure: nil)
            }
            return failing(reviewed.shown, usage, report, checked)
        }
    }

    /// The findings the policy blocks in the files the answer writes (each judged by its name, whatever its fence
    /// says), or nil when there are none — or when the answer writes nothing readable, which `apply` refuses anyway.
    private func blockedWrites(_ answer: String, originals: [String: String], runner: CheckRunner) -> [String]? {
        let edits: AnswerEdits
        do throws(MinicError) {
            edits = try AnswerEdits.extract(answer: answer, originals: originals)
        } catch {
            return nil
        }
        guard edits.files.values.contains(where: { $0 != nil }) else { return nil }
        let analysed = runner.run(checks: [], originals: originals, edits: edits, round: 0)
        return analysed.blocked ? analysed.findings.filter { $0.hasSuffix("[block]") } : nil
    }

    /// The checks, off the cooperative pool; cancelling the task kills the command running and skips the rest.
    private func runChecks(
        _ runner: CheckRunner, _ checks: [String], _ originals: [String: String], _ edits: AnswerEdits, _ round: Int
    ) async throws -> CheckRunner.Round {
        let cancelled = Locked(false)
        let checked = await withTaskCancellationHandler {
            await Blocking.run { runner.run(checks: checks, originals: originals, edits: edits, round: round) { cancelled.withLock { $0 } } }
        } onCancel: {
            cancelled.withLock { $0 = true }
        }
        try Task.checkCancellation()
        return checked
    }

    private func failing(_ text: String, _ usage: TaskUsage, _ report: TaskReport, _ checked: CheckRunner.Round) -> AnswerOutcome {
        var report = report
        if checked.blocked { report.blocked = true }
        report.notExecuted = checked.notExecuted
        let message = checked.notExecuted ?? "checks failed: " + checked.results.filter { !$0.passed }.map { "`\($0.command)` \($0.ending)" }.joined(separator: ", ")
        return AnswerOutcome(text: text, usage: usage, report: report, failure: .refused(message))
    }

    private func log(_ task: TaskRecord, round: Int, _ checked: CheckRunner.Round) {
        if let why = checked.notExecuted { securityLog.warning("task \(task.id): round \(round): \(why)") }
        for result in checked.results {
            taskLog.info("task \(task.id): round \(round): check `\(result.command)` \(result.passed ? "passed" : "failed: " + result.ending) in \(result.durationMS) ms")
        }
    }

    /// One line per check for a proposal's message.
    static func summary(of checks: [CheckResult], notExecuted: String?) -> String {
        if let notExecuted { return "Checks: \(notExecuted)" }
        return "Checks:\n" + checks.map { "- `\($0.command)`: \($0.passed ? "passed" : "FAILED, " + $0.ending) (\($0.durationMS) ms)" }.joined(separator: "\n")
    }

    /// The task's files as the model saw them, relative to its base: what checks start from.
    static func originals(of request: LLMRequest, base: String?) -> [String: String] {
        var files: [String: String] = [:]
        for attachment in request.attachments {
            if !attachment.path.hasPrefix("/") {
                files[attachment.path] = attachment.content  // a self-update's home files: already relative to the home
            } else if let base, let relative = TaskBase.relative(attachment.path, to: base) {
                files[relative] = attachment.content
            }
        }
        return files
    }

    /// The request of a fix round: the first request's settings, its prompt from the fix template.
    func fixRequest(_ first: LLMRequest, snapshot: AgentSnapshot, task: TaskRecord, answer: String, failed: [CheckResult]) throws(MinicError) -> LLMRequest {
        let template = try snapshot.fixTemplate.get()
        let limit = 16 << 10
        let context: [String: Any] = [
            "prompt": task.prompt, "params": task.parameters, "answer": answer,
            "files": TaskPipeline.originals(of: first, base: task.options?.base).sorted { $0.key < $1.key }.map {
                ["path": $0.key, "content": $0.value, "language": TaskInput.language(of: $0.key)]
            },
            "checks": failed.map { result -> [String: Any] in
                let output = result.stdout + (result.stdout.isEmpty || result.stderr.isEmpty ? "" : "\n") + result.stderr
                return ["command": result.command, "outcome": result.ending, "output": String(output.suffix(limit))]
            },
        ]
        var request = first
        request.system = template.render(part: .system, context: context)
        request.messages = [LLMMessage(role: .user, text: template.render(part: .user, context: context))]
        return request
    }
}
