import MinicQueue

/// What `minic update watch` compared and decided. Its JSON form is what `--json` prints.
public struct WatchReport: Encodable, Sendable {
    /// Finished tasks on one side of the merge, and how many of them were bad.
    public struct Side: Encodable, Sendable, Equatable {
        public var tasks = 0
        public var bad = 0
        /// Bad by failing (failed or dead) with the head's own model, whatever their ratings: what an automatic revert
        /// may rest on.
        public var failed = 0
        /// `bad / tasks`; `nil` without tasks.
        public var rate: Double? { tasks == 0 ? nil : Double(bad) / Double(tasks) }

        /// - Parameter failed: how many of the bad ones failed (default: all of them).
        public init(tasks: Int = 0, bad: Int = 0, failed: Int? = nil) {
            self.tasks = tasks
            self.bad = bad
            self.failed = failed ?? bad
        }

        mutating func add(_ task: TaskRecord) {
            tasks += 1
            if UpdateWatch.isBad(task) { bad += 1 }
            // A task that asked for another model failed for its own reasons, not the head's templates.
            if task.state == .failed || task.state == .dead, task.options?.model == nil { failed += 1 }
        }

        enum CodingKeys: String, CodingKey { case tasks, bad, failed, rate }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tasks, forKey: .tasks)
            try container.encode(bad, forKey: .bad)
            try container.encode(failed, forKey: .failed)
            try container.encode(rate, forKey: .rate)
        }
    }

    /// The merge commit watched; `nil` when main has no merge of a proposal.
    public var merge: String?
    /// The proposal it merged.
    public var mergeProposal: String?
    public var window: Int
    public var minTasks: Int
    public var before = Side()
    public var after = Side()
    /// One-sided Fisher's exact test that tasks after are bad more often; `nil` without a merge.
    public var pValue: Double?
    public var evalDelta: EvalDelta?
    public var regression = false
    /// One line: why there is or is not a regression.
    public var verdict = ""
    /// The revert proposal (made now or found from before), its id.
    public var proposal: String?
    /// Whether it was made by this watch.
    public var proposalCreated = false
    /// Whether the revert is merged (by `updates.auto_revert` now, or before).
    public var merged = false
    /// The merge commit of the revert, when this watch merged it.
    public var revertCommit: String?
    /// Why the revert waits for a person although `updates.auto_revert` is true.
    public var waiting: String?
    /// Why no revert could be proposed for a regression (a conflict, a protected path, a revert of a revert).
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case merge, window, before, after, regression, verdict, proposal, merged, waiting, error
        case mergeProposal = "merge_proposal"
        case minTasks = "min_tasks"
        case pValue = "p_value"
        case evalDelta = "eval_delta"
        case proposalCreated = "proposal_created"
        case revertCommit = "revert_commit"
    }

    /// Every key is written, `null` included, so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(merge, forKey: .merge)
        try container.encode(mergeProposal, forKey: .mergeProposal)
        try container.encode(window, forKey: .window)
        try container.encode(minTasks, forKey: .minTasks)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(evalDelta, forKey: .evalDelta)
        try container.encode(regression, forKey: .regression)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(proposal, forKey: .proposal)
        try container.encode(proposalCreated, forKey: .proposalCreated)
        try container.encode(merged, forKey: .merged)
        try container.encode(revertCommit, forKey: .revertCommit)
        try container.encode(waiting, forKey: .waiting)
        try container.encode(error, forKey: .error)
    }
}
