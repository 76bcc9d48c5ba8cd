import Foundation
import MinicCore
import MinicGit
import MinicUpdates

/// JSON shapes of the update commands and of the HTTP API's proposal endpoints (field names are a contract
/// for scripts).
public struct CountsView: Encodable, Sendable {
    public let protected: Int
    public let auto: Int
    public let review: Int

    public init(_ counts: [PathClass: Int]) {
        protected = counts[.protected] ?? 0
        auto = counts[.auto] ?? 0
        review = counts[.review] ?? 0
    }

    public init(_ paths: [ChangedPath]) { self.init(Dictionary(grouping: paths, by: \.class).mapValues(\.count)) }
}

public struct ProposalView: Encodable, Sendable {
    public let id: String
    public let title: String
    public let status: String
    public let author: String
    public let branch: String
    public let reference: String
    public let head: String
    public let createdAt: Date
    public let ageSeconds: Int
    public let taskID: String?
    public let counts: CountsView
    /// Merged, and a rollback has taken its merge out of main's history (`status` stays `merged`).
    public let rolledBack: Bool

    public init(_ proposal: Proposal, counts: CountsView, rolledBack: Bool = false) {
        id = proposal.id
        title = proposal.title
        status = proposal.status.rawValue
        author = proposal.author
        branch = proposal.branch
        reference = proposal.reference
        head = proposal.head.hex
        createdAt = proposal.date
        ageSeconds = max(0, Int(Date().timeIntervalSince(proposal.date)))
        taskID = proposal.taskID
        self.counts = counts
        self.rolledBack = rolledBack
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, author, branch, reference, head, counts
        case createdAt = "created_at"
        case ageSeconds = "age_seconds"
        case taskID = "task_id"
        case rolledBack = "rolled_back"
    }
}

public struct HookView: Encodable, Sendable {
    public let name: String
    public let status: Int32
    public let timedOut: Bool
    public let output: String

    public init?(_ outcome: HookOutcome?) {
        guard let outcome else { return nil }
        name = outcome.name
        status = outcome.status
        timedOut = outcome.timedOut
        output = outcome.output
    }

    enum CodingKeys: String, CodingKey {
        case name, status, output
        case timedOut = "timed_out"
    }
}

public struct MergeView: Encodable, Sendable {
    public let id: String
    public let status = "merged"
    public let commit: String
    public let previousHead: String
    public let backup: String?
    public let rule: String
    public let approvedBy: String
    public let alreadyMerged: Bool
    public let hooks: [HookView]
    /// `Eval-Delta` as recorded, when the merge carries an eval note.
    public let evalDelta: String?

    public init(_ outcome: MergeOutcome) {
        evalDelta = outcome.evaluation?.note.deltaText
        id = outcome.proposalID
        commit = outcome.commit.hex
        previousHead = outcome.previousHead.hex
        backup = outcome.backup
        rule = outcome.rule.rawValue
        approvedBy = outcome.approvedBy
        alreadyMerged = outcome.alreadyMerged
        hooks = [HookView(outcome.preMerge), HookView(outcome.postMerge)].compactMap { $0 }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, commit, backup, rule, hooks
        case evalDelta = "eval_delta"
        case previousHead = "previous_head"
        case approvedBy = "approved_by"
        case alreadyMerged = "already_merged"
    }
}

/// `update show --json` and `GET /v1/proposals/{id}`: the list fields, the review, and (``ProposalDetails``) the eval
/// note, the rules dry run and the approvals.
public struct ShowView: Encodable, Sendable {
    public let proposal: ProposalView
    public let base: String?
    public let paths: [ChangedPath]
    public let violations: [Violation]
    public let commitViolations: [Violation]
    public let conflicts: [String]
    public let message: String
    public let diff: String?
    public let stat: String?
    /// The proposal's eval note (`minic update eval`), `null` when it has none.
    public let evaluation: EvalNoteView?
    /// `null` when the proposal leaves the rules as they are.
    public let rulesDryRun: ProposalRulesDryRun?
    /// `null` when the proposal is not open.
    public let approvals: ApprovalsView?

    /// - Parameter stat: a diffstat instead of the diff.
    public init(_ details: ProposalDetails, stat: Bool) throws {
        let review = details.review
        evaluation = details.evaluation.map(EvalNoteView.init)
        rulesDryRun = details.rulesDryRun
        approvals = details.approvals
        proposal = ProposalView(review.proposal, counts: CountsView(review.paths), rolledBack: review.rolledBackCommit != nil)
        base = review.base?.hex
        paths = review.paths
        violations = review.violations
        commitViolations = review.commitViolations
        conflicts = review.conflicts
        message = review.proposal.message
        diff = stat ? nil : try review.diff.patch()
        self.stat = stat ? try review.diff.stat() : nil
    }

    public func encode(to encoder: Encoder) throws {
        try proposal.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(base, forKey: .base)
        try container.encode(paths, forKey: .paths)
        try container.encode(violations, forKey: .violations)
        try container.encode(commitViolations, forKey: .commitViolations)
        try container.encode(conflicts, forKey: .conflicts)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(diff, forKey: .diff)
        try container.encodeIfPresent(stat, forKey: .stat)
        try container.encode(evaluation, forKey: .evaluation)
        try container.encode(rulesDryRun, forKey: .rulesDryRun)
        try container.encode(approvals, forKey: .approvals)
    }

    enum CodingKeys: String, CodingKey {
        case base, paths, violations, conflicts, message, diff, stat, approvals
        case evaluation = "eval"
        case commitViolations = "commit_violations"
        case rulesDryRun = "rules_dry_run"
    }
}

public struct RollbackView: Encodable, Sendable {
    public let from: String
    public let to: String
    public let backup: String?
    public let worktreeBackup: String?
    public let unchanged: Bool
    public let hooks: [HookView]

    public init(_ outcome: RollbackOutcome) {
        from = outcome.from.hex
        to = outcome.to.hex
        backup = outcome.backup
        worktreeBackup = outcome.worktreeBackup
        unchanged = outcome.unchanged
        hooks = [HookView(outcome.postRollback)].compactMap { $0 }
    }

    enum CodingKeys: String, CodingKey {
        case from, to, backup, unchanged, hooks
        case worktreeBackup = "worktree_backup"
    }
}

public struct DiffView: Encodable, Sendable {
    public let id: String
    /// Whether the patch applies to the current head (false: against the proposal's own base).
    public let againstHead: Bool
    public let patch: String

    public init(id: String, againstHead: Bool, patch: String) {
        self.id = id
        self.againstHead = againstHead
        self.patch = patch
    }

    enum CodingKeys: String, CodingKey {
        case id, patch
        case againstHead = "against_head"
    }
}

public struct ProposeView: Encodable, Sendable {
    public let id: String
    public let branch: String
    public let head: String
    public let status: String
    public let paths: [ChangedPath]
    public let merge: MergeView?
    public let mergeError: String?
    public let pushed: Bool
    public let pushError: String?

    public init(_ outcome: ProposeOutcome) {
        id = outcome.proposal.id
        branch = Proposal.branchName(outcome.proposal.id)
        head = outcome.proposal.head.hex
        status = outcome.proposal.status.rawValue
        paths = outcome.paths
        merge = outcome.autoMerge.map(MergeView.init)
        mergeError = outcome.autoMergeError
        pushed = outcome.pushed
        pushError = outcome.pushError
    }

    enum CodingKeys: String, CodingKey {
        case id, branch, head, status, paths, merge, pushed
        case mergeError = "merge_error"
        case pushError = "push_error"
    }
}

/// A stored note with where it is, for `--json`.
public struct EvalNoteView: Encodable, Sendable {
    public let note: EvalNote
    public let blob: String
    public let current: Bool

    public init(_ stored: StoredEvalNote) {
        note = stored.note
        blob = stored.blob.hex
        current = stored.current
    }

    enum CodingKeys: String, CodingKey { case note, blob, current }
}
