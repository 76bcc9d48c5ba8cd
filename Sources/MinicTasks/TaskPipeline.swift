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
public final class TaskPipeline: Sendable {
    public let queue: any TaskQueue
    public let provider: any LLMProvider
    let homePath: String
    let environment: [String: String]
    let llm: LLMConfig
    let taskLog: Logger
    let templates: TemplateCache
    let secrets = SharedSecretScanner.shared
    let securityLog: Logger
    let validator: InputValidator
    let policy: SecurityPolicy
    /// `security.prompt_secrets`: whether a secret in a prompt or parameter value is redacted or refused.
    let refusePromptSecrets: Bool
    let analyzer = CodeAnalyzer()

    public init(home: Home, queue: any TaskQueue, provider: any LLMProvider) throws(MinicError) {
        self.queue = queue
        self.provider = provider
        homePath = home.path
        environment = home.environment
        let config = try home.config()
        llm = config.llm
        validator = InputValidator(config: config.security, homePath: home.path)
        policy = SecurityPolicy(config.security)
        refusePromptSecrets = config.security.promptSecrets == "refuse"
        taskLog = home.activity.logger(.task)
        templates = TemplateCache(homePath: home.path, environment: home.environment)
        securityLog = home.activity.logger(.security)
    }

    /// The pipeline of a home: its SQLite queue in `state/` and the configured provider.
    public static func open(home: Home) throws(MinicError) -> TaskPipeline {
        let config = try home.config()
        let queue = try QueueFactory.open(home: home)
        return try TaskPipeline(home: home, queue: queue, provider: ProviderFactory.make(config.llm, environment: home.environment))
    }

    /// Validates and queues tasks in one transaction.
    /// Secrets in prompts and parameter values are redacted first (or refused, by `security.prompt_secrets`).
    /// Files are stored resolved (symlinks followed, inside `security.allowed_roots`); anything refused is logged under `security`.
    public func submit(_ tasks: [NewTask]) throws(MinicError) -> [TaskRecord] {
        var checked = tasks
        do throws(MinicError) {
            // Before anything else sees them (validation messages quote values): nothing with a secret reaches the queue or the log.
            for index in checked.indices { checked[index] = try withoutSecrets(checked[index]) }
            for index in checked.indices {
                try validator.validateType(checked[index].type)
                try validator.validatePrompt(checked[index].prompt)
                try validator.validateParameters(checked[index].parameters)
                checked[index].files = try checked[index].files.map { (path) throws(MinicError) in try validator.resolveFile(path) }
            }
        } catch {
            securityLog.warning("input refused: \(error.message)")
            throw error
        }
        let records = try queue.enqueue(checked)
        for record in records { taskLog.info("task \(record.id) submitted: \(record.type)") }
        return records
    }

    /// Runs one claimed task: renders the prompt, calls the provider (passing text
    /// to `onText` as it arrives) and records the outcome under the lease.
    /// - Returns: the task as recorded (back in `queued` if the call was cancelled), or
    ///   `nil` when the lease was lost (the result is dropped).
    public func execute(_ claimed: ClaimedTask, onText: @Sendable (String) -> Void = { _ in }) async throws(MinicError) -> TaskRecord? {
        let task = claimed.task
        taskLog.info("task \(task.id) started: \(task.type) attempt \(task.attempts) by \(claimed.lease.owner)")
        do {
            let (request, commit) = try prepare(task)
            var response = try await provider.complete(request, onText: onText)
            // A self-update's diff is checked by the update engine instead, like any proposal.
            if task.type != TaskType.selfUpdate.rawValue { response.text = try review(answer: response.text, task: task) }
            if task.type == TaskType.selfUpdate.rawValue {
                // The answer becomes a proposal; the result names it.
                response.text = try SelfUpdate.propose(answer: response.text, task: task, response: response, homePath: homePath, environment: environment)
            }
            let usage = TaskUsage(
                inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens,
                costUSD: response.fromModel ? Pricing.cost(model: response.model, usage: response.usage) : nil)
            let finished = Date()
            guard try queue.complete(claimed.lease, outcome: TaskOutcome(result: response.text, usage: usage, agentCommit: commit), now: finished) else {
                taskLog.warning("task \(task.id): lease lost before completion; result dropped")
                return nil
            }
            taskLog.info("task \(task.id) succeeded: \(provider.name) \(usage.inputTokens) in / \(usage.outputTokens) out tokens, agent \(commit.prefix(7))")
            // What the queue now holds, without reading it back.
            var record = task
            record.state = .succeeded
            record.result = response.text
            record.usage = usage
            record.agentCommit = commit
            record.error = nil
            record.leaseOwner = nil
            record.leaseExpiresAt = nil
            record.finishedAt = Date(timeIntervalSince1970: finished.timeIntervalSince1970)
            record.updatedAt = record.finishedAt ?? finished
            return record
        } catch {
            // Cancelled (a worker stopping): the task goes back to the queue, its attempt not counted.
            if Task.isCancelled {
                if try queue.release(claimed.lease, now: Date()) { taskLog.info("task \(task.id) released: the worker is stopping") }
                return try queue.task(task.id)
            }
            let failure = error as? MinicError ?? .internal("\(error)")
            // Bad input and client errors (bad request, bad key) will not get better by retrying.
            // Nor will an answer the guardrails refused, or a proposal a rule refused: `minic tasks retry` asks again.
            let permanent = failure.kind == .badInput || failure.kind == .refused || (error as? LLMError)?.isPermanent == true
            let state = try queue.fail(claimed.lease, error: failure.message, retryable: !permanent, now: Date())
            switch state {
            case .failed?: taskLog.warning("task \(task.id) failed, will retry: \(failure.message)")
            case .dead?: taskLog.error("task \(task.id) dead after \(task.attempts) attempt(s): \(failure.message)")
            default: taskLog.warning("task \(task.id): lease lost while failing: \(failure.message)")
            }
            return try queue.task(task.id)
        }
    }

    /// Queues a task and runs it at once in this process, through the same path as a worker.
    public func runNow(_ task: NewTask, owner: String, onText: @Sendable (String) -> Void) async throws(MinicError) -> TaskRecord {
        guard let record = try submit([task]).first else { throw .internal("the task was not queued") }
        guard let claimed = try queue.claim(taskID: record.id, owner: owner, now: Date()) else {
            throw .refused(
                "task \(record.id) is \(try queue.task(record.id)?.state.rawValue ?? "gone") (idempotency key reused?); see `minic tasks show \(record.id)`")
        }
        guard let done = try await execute(claimed, onText: onText) else { throw .internal("task \(record.id): the lease was lost") }
        return done
    }

    /// The provider request for a task, from the template of the home's committed head, and that head's commit.
    func prepare(_ task: TaskRecord) throws(MinicError) -> (LLMRequest, String) {
        try validator.validateType(task.type)
        let type = TaskType(rawValue: task.type) ?? .analyze
        let (template, head) = try templates.template(for: type)
        var attachments: [LLMAttachment] = []
        for path in task.files { attachments.append(LLMAttachment(path: path, content: try validator.readResolvedFile(path))) }
        if type == .selfUpdate {
            // The model sees the home's updatable files as committed, never protected ones.
            let home = try Home(openAt: homePath, environment: environment)
            guard let commit = OID(hex: head) else { throw .internal("bad head \(head)") }
            attachments += try SelfUpdate.updatableFiles(home: home, head: commit)
        }
        let context: [String: Any] = [
            "prompt": task.prompt, "params": task.parameters,
            "files": attachments.map { ["path": $0.path, "content": $0.content, "language": TaskInput.language(of: $0.path)] },
        ]
        let request = LLMRequest(
            model: llm.model, system: template.render(part: .system, context: context),
            messages: [LLMMessage(role: .user, text: template.render(part: .user, context: context))], maxTokens: llm.maxTokens,
            temperature: llm.temperature, taskType: task.type, attachments: attachments)
        return (request, head)
    }
}
