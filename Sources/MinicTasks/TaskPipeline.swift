import Foundation
import Logging
import MinicCore
import MinicGit
import MinicGuard
import MinicLLM
import MinicQueue

/// The path every task takes, whether run in the foreground or by a worker:
/// validated on submission, queued, claimed under a lease, its prompt rendered
/// from the template of the committed head, answered by the provider, and
/// recorded with its usage and the agent commit it ran with.
///
/// Config and templates are those of one commit per task (an ``AgentSnapshot``): the head
/// is resolved once when the task starts, and that commit's `llm.*`, `security.*` and
/// templates decide everything about it — validation, prompt, provider and model, the
/// review of the answer — and it is the commit the task records.
public final class TaskPipeline: Sendable {
    public let queue: any TaskQueue
    let homePath: String
    let environment: [String: String]
    let taskLog: Logger
    let snapshots: SnapshotCache
    let secrets = SharedSecretScanner.shared
    let securityLog: Logger
    /// Where a worker's own failures go (rescue, heartbeats, the queue).
    let systemLog: Logger
    let analyzer = CodeAnalyzer()
    /// Pulls from the origin when a task asks for an agent commit this home lacks; `nil` for a home without one.
    public let sync: HomeSync?
    /// Tasks released because their agent commit is not here, and how long they wait.
    let deferrals = Locked(Deferrals())

    /// A pipeline whose provider is built from the config of each task's commit by `makeProvider`
    /// (by ``ProviderFactory/make(_:environment:)`` for ``open(home:)``).
    /// - Parameter sync: what pulls from the origin when a task names an agent commit this home lacks.
    public init(
        home: Home, queue: any TaskQueue, sync: HomeSync? = nil,
        makeProvider: @escaping @Sendable (LLMConfig, [String: String]) throws(MinicError) -> any LLMProvider
    ) {
        self.queue = queue
        self.sync = sync
        homePath = home.path
        environment = home.environment
        taskLog = home.activity.logger(.task)
        securityLog = home.activity.logger(.security)
        systemLog = home.activity.logger(.system)
        snapshots = SnapshotCache(homePath: home.path, environment: home.environment, log: taskLog, makeProvider: makeProvider)
    }

    /// A pipeline that calls `provider` whatever `llm.provider` says (tests, library users);
    /// the model and every other setting still come from each task's commit.
    public convenience init(home: Home, queue: any TaskQueue, provider: any LLMProvider, sync: HomeSync? = nil) {
        self.init(home: home, queue: queue, sync: sync, makeProvider: { _, _ in provider })
    }

    /// A pipeline on `queue` whose provider is the one each task's config names (``ProviderFactory``),
    /// its calls admitted by `rateLimiter` (by default the process's own: on SQLite the limits are per process).
    /// - Parameter sync: what pulls from the origin when a task names an agent commit this home lacks.
    public convenience init(home: Home, queue: any TaskQueue, rateLimiter: any RateLimiter = LocalRateLimiter.shared, sync: HomeSync? = nil) {
        self.init(
            home: home, queue: queue, sync: sync,
            makeProvider: { (llm, environment) throws(MinicError) in try ProviderFactory.make(llm, environment: environment, rateLimiter: rateLimiter) })
    }

    /// Validates and queues tasks in one transaction.
    /// Secrets in prompts and parameter values are redacted first (or refused, by `security.prompt_secrets`).
    /// Files are stored resolved (symlinks followed, inside `security.allowed_roots`); anything refused is logged under `security`.
    /// Checked against the config of the current head, whose commit each task records as its `agent_commit`:
    /// the commit it runs with, on whichever worker claims it (and is checked again against when it runs).
    public func submit(_ tasks: [NewTask]) throws(MinicError) -> [TaskRecord] {
        var checked = tasks
        do throws(MinicError) {
            let snapshot = try snapshots.current()
            let validator = snapshot.validator
            // Before anything else sees them (validation messages quote values): nothing with a secret reaches the queue or the log.
            for index in checked.indices { checked[index] = try withoutSecrets(checked[index], refuse: snapshot.refusePromptSecrets) }
            for index in checked.indices {
                try validator.validateType(checked[index].type)
                if let runAt = checked[index].runAt, !TaskInput.isSchedulable(runAt) { throw .badInput("run_at must be \(TaskInput.runAtRange)") }
                try validator.validatePrompt(checked[index].prompt)
                try validator.validateParameters(checked[index].parameters)
                checked[index].files = try checked[index].files.map { (path) throws(MinicError) in try validator.resolveFile(path) }
                checked[index].agentCommit = snapshot.commit.hex
                // Paths in the answer are relative to the files' work tree (or their directory); with no files, to the
                // directory the submitter gave (the CLI's working directory), or nothing.
                if !checked[index].files.isEmpty { checked[index].options.base = TaskBase.directory(for: checked[index].files, fallback: nil) }
            }
        } catch {
            securityLog.warning("input refused: \(error.message)")
            throw error
        }
        let records = try queueCall { () throws(QueueError) in try queue.enqueue(checked) }
        for record in records { taskLog.info("task \(record.id) submitted: \(record.type)") }
        TaskMetrics.submitted(records)
        return records
    }

    /// Runs one claimed task: renders the prompt, calls the provider (passing text
    /// to `onText` as it arrives) and records the outcome under the lease, all with the
    /// config and templates of the head as it is when the task starts (see ``AgentSnapshot``).
    /// Blocking steps (libgit2, SQLite, the analyser's helper) run off the cooperative pool.
    /// - Returns: the task as recorded (back in `queued` if the call was cancelled), or
    ///   `nil` when the lease was lost (the result is dropped, nothing recorded).
    /// - Parameter onNotice: what a person waiting should know (a retry and its wait, a stall); also logged.
    public func execute(
        _ claimed: ClaimedTask, onText: @escaping @Sendable (String) -> Void = { _ in }, onNotice: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(MinicError) -> TaskRecord? {
        let task = claimed.task
        let queue = self.queue
        taskLog.info("task \(task.id) started: \(task.type) attempt \(task.attempts) by \(claimed.lease.owner)")
        let started = ContinuousClock.now
        let seconds = { @Sendable in (ContinuousClock.now - started) / .seconds(1) }
        let firstText = Locked(false)
        let onText = { @Sendable (text: String) in
            if !firstText.withLock({ seen in defer { seen = true }; return seen }) { TaskMetrics.firstToken(type: task.type, seconds: seconds()) }
            onText(text)
        }
        do {
            // The head is resolved once: everything below uses this snapshot, and the task records its commit.
            let lookup = { @Sendable () throws(MinicError) -> (AgentSnapshot, LLMRequest)? in
                guard let snapshot = try self.snapshot(for: task) else { return nil }
                do throws(MinicError) {
                    return (snapshot, try self.prepare(task, snapshot: snapshot))
                } catch {
                    // Name the commit whose rules refused it: they may not be the ones it was queued under.
                    throw MinicError(error.kind, "\(error.message) (config of agent \(snapshot.commit.short))", details: error.details)
                }
            }
            var prepared = try await Blocking.run(lookup)
            if prepared == nil, let sync {
                // A pull may bring the commit: at most one a second for such tasks, waited for a while, never forever
                // (an origin that never answers must not hold the task, nor the worker's stop).
                if sync.startPull(minimumInterval: 1) { _ = await sync.waitIdle(timeout: TaskPipeline.pullPatience) }
                try Task.checkCancellation()
                prepared = try await Blocking.run(lookup)
            }
            guard let (snapshot, request) = prepared else {
                // Its agent commit is not here even after a pull: back to the queue, the attempt not counted, and not
                // claimable for a while (longer each time), so that it cannot hold a worker nor starve the tasks after it.
                let delay = nextMissingCommitDelay(for: task.id)
                let released = try await Blocking.run { () throws(MinicError) in
                    try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in
                        let now = Date()
                        return try queue.release(claimed.lease, notBefore: now.addingTimeInterval(delay), now: now)
                    }
                }
                guard released else { return nil }
                taskLog.warning(
                    "task \(task.id) released: its agent commit \(task.agentCommit?.prefix(7) ?? "?") is not in force in this home (not fetched yet, or not pulled); claimable again in \(Int(delay)) s"
                )
                return try await Blocking.run { () throws(MinicError) in try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.task(task.id) } }
            }
            let commit = snapshot.commit.hex
            let provider = try snapshot.provider()
            let log = taskLog
            let answered = try await answer(task, snapshot: snapshot, request: request, provider: provider, onText: onText) { notice in
                log.notice("task \(task.id): \(notice)")
                onNotice(notice)
            }
            let usage = TaskUsage(inputTokens: answered.usage.inputTokens, outputTokens: answered.usage.outputTokens, costUSD: answered.usage.costUSD)
            let outcome = TaskOutcome(result: answered.text, usage: usage, agentCommit: commit, report: answered.report)
            if let failure = answered.failure {
                // Blocked, not run, or checks failing: final for this task (asking again costs the same and finds the same),
                // with its answer and report kept for a person to read; `minic tasks retry` asks again.
                let state = try await Blocking.run { () throws(MinicError) in
                    try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in
                        try queue.fail(claimed.lease, error: failure.message, retryable: false, outcome: outcome, now: Date())
                    }
                }
                guard let state else {
                    taskLog.warning("task \(task.id): lease lost while failing: \(failure.message)")
                    return nil
                }
                TaskMetrics.finished(type: task.type, state: state, seconds: seconds())
                taskLog.error("task \(task.id) \(state.rawValue): \(failure.message)")
                return try await Blocking.run { () throws(MinicError) in try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.task(task.id) } }
            }
            let (finished, recorded) = try await Blocking.run { () throws(MinicError) in
                let finished = Date()
                return (finished, try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.complete(claimed.lease, outcome: outcome, now: finished) })
            }
            guard recorded else {
                taskLog.warning("task \(task.id): lease lost before completion; result dropped")
                return nil
            }
            let checks = answered.report.finalChecks
            let checked = checks.isEmpty ? "" : ", checks \(checks.filter(\.passed).count)/\(checks.count) passed"
            taskLog.info(
                "task \(task.id) succeeded: \(provider.name) \(usage.inputTokens) in / \(usage.outputTokens) out tokens, agent \(commit.prefix(7))\(checked)")
            TaskMetrics.finished(type: task.type, state: .succeeded, seconds: seconds())
            // What the queue now holds, without reading it back.
            var record = task
            record.state = .succeeded
            record.report = answered.report
            record.result = answered.text
            record.usage = usage
            record.agentCommit = commit
            record.error = nil
            record.leaseOwner = nil
            record.leaseExpiresAt = nil
            record.finishedAt = Date(timeIntervalSince1970: finished.timeIntervalSince1970)
            record.updatedAt = record.finishedAt ?? finished
            return record
        } catch {
            // Cancelled (a worker stopping, or its lease lost): the task goes back to the queue, its attempt not counted —
            // if the lease is still ours; a lost lease changes nothing.
            if Task.isCancelled {
                guard try await Blocking.run({ () throws(MinicError) in try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.release(claimed.lease, now: Date()) } }) else { return nil }
                taskLog.info("task \(task.id) released: the worker is stopping")
                return try await Blocking.run { () throws(MinicError) in try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.task(task.id) } }
            }
            if let refusal = error as? MinicError, refusal.isUntrusted { return try await holdForApproval(claimed, because: refusal) }
            TaskMetrics.llmError(error)
            let failure = error as? MinicError ?? .internal("\(error)")
            // Bad input and client errors (bad request, bad key) will not get better by retrying.
            // Nor will an answer the guardrails refused, or a proposal a rule refused: `minic tasks retry` asks again.
            let permanent = failure.kind == .badInput || failure.kind == .refused || (error as? LLMError)?.isPermanent == true
            let state = try await Blocking.run { () throws(MinicError) in
                try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.fail(claimed.lease, error: failure.message, retryable: !permanent, now: Date()) }
            }
            if let state { TaskMetrics.finished(type: task.type, state: state, seconds: seconds()) }
            switch state {
            case .failed?: taskLog.warning("task \(task.id) failed, will retry: \(failure.message)")
            case .dead?: taskLog.error("task \(task.id) dead after \(task.attempts) attempt(s): \(failure.message)")
            case nil:
                taskLog.warning("task \(task.id): lease lost while failing: \(failure.message)")
                return nil
            default: break
            }
            return try await Blocking.run { () throws(MinicError) in try queueCall(retryingFor: recordingPatience) { () throws(QueueError) in try queue.task(task.id) } }
        }
    }

    /// Queues a task and runs it at once in this process, through the same path as a worker.
    ///
    /// The run owns its task: one attempt (unless the task asks for more), so a failure is final for this run and
    /// no worker picks it up later with another environment; a cancelled run (Ctrl-C) cancels the task.
    /// `minic tasks retry` queues it again.
    public func runNow(
        _ task: NewTask, owner: String, onText: @escaping @Sendable (String) -> Void, onNotice: @escaping @Sendable (String) -> Void = { _ in },
        onQueued: @Sendable (TaskRecord) -> Void = { _ in }
    ) async throws(MinicError) -> TaskRecord {
        let queue = self.queue
        var task = task
        if task.maxAttempts == nil { task.maxAttempts = 1 }
        let submitted = task
        guard let record = try await Blocking.run({ () throws(MinicError) in try self.submit([submitted]).first }) else {
            throw .internal("the task was not queued")
        }
        let claim = try await Blocking.run { () throws(MinicError) in
            try queueCall { () throws(QueueError) in (try queue.claim(taskID: record.id, owner: owner, now: Date()), try queue.task(record.id)?.state) }
        }
        guard let claimed = claim.0 else {
            throw .refused("task \(record.id) is \(claim.1?.rawValue ?? "gone") (idempotency key reused?); see `minic tasks show \(record.id)`")
        }
        onQueued(record)
        guard let done = try await execute(claimed, onText: onText, onNotice: onNotice) else { throw .internal("task \(record.id): the lease was lost") }
        if Task.isCancelled, done.state == .queued {
            // Given back by the cancellation: this run's task ends here rather than waiting for a worker.
            return try await Blocking.run { () throws(MinicError) in try queueCall { () throws(QueueError) in try queue.cancel(record.id, now: Date()) } }
        }
        return done
    }

    /// The provider request for a task, from the config and template of `snapshot`, whose rules it is checked against again:
    /// a type or file allowed when it was queued may not be at the commit it runs with.
    func prepare(_ task: TaskRecord, snapshot: AgentSnapshot) throws(MinicError) -> LLMRequest {
        let validator = snapshot.validator
        let llm = snapshot.config.llm
        try validator.validateType(task.type)
        let type = TaskType(rawValue: task.type) ?? .analyze
        let template = try snapshot.template(for: type)
        var attachments: [LLMAttachment] = []
        for path in task.files { attachments.append(LLMAttachment(path: path, content: try validator.readResolvedFile(path))) }
        if type == .analyze { attachments = withOfflineFindings(attachments, snapshot: snapshot) }
        if type == .selfUpdate {
            // The model sees the home's updatable files as committed, never protected ones.
            let home = try Home(openAt: homePath, environment: environment)
            attachments += try SelfUpdate.updatableFiles(home: home, head: snapshot.commit)
        }
        // The model sees paths relative to the task's base: the ones its answer writes to, and `git apply` takes.
        let base = task.options?.base
        let context: [String: Any] = [
            "prompt": task.prompt, "params": task.parameters,
            "files": attachments.map { attachment in
                let shown = base.flatMap { TaskBase.relative(attachment.path, to: $0) } ?? attachment.path
                return ["path": shown, "content": attachment.content, "language": TaskInput.language(of: attachment.path)]
            },
        ]
        let request = LLMRequest(
            model: task.options?.model ?? llm.model, system: template.render(part: .system, context: context),
            messages: [LLMMessage(role: .user, text: template.render(part: .user, context: context))], maxTokens: llm.maxTokens,
            temperature: llm.temperature, taskType: task.type, attachments: attachments)
        return request
    }
}
