import MinicGit

/// Who may approve a merge.
public enum MergeRule: String, Codable, Sendable {
    /// A person approved it.
    case review
    /// Every path is auto-approved and config allows merging without a person.
    case auto
    /// A revert proposal `minic update watch` made, merged without a person because
    /// `updates.auto_revert` is true: auto paths, and review paths only where the reverted
    /// merge (which a person approved) changed them; protected paths never.
    case autoRevert = "auto-revert"
}

/// How to merge a proposal.
public struct MergeOptions {
    public var rule: MergeRule
    /// Merge only if the proposal's head is still this commit (full or abbreviated sha).
    public var expect: String?
    /// Who approves (default: the acting person; `auto` for the auto rule).
    public var approver: Signature?
    /// Asked once every check has passed and before anything is written; `false` cancels.
    public var confirm: ((MergePlan) -> Bool)?
    /// Told how far the eval gate's run is (samples done, in all), when the gate evaluates.
    public var evalProgress: (@Sendable (Int, Int) -> Void)?

    public init(rule: MergeRule = .review, expect: String? = nil, approver: Signature? = nil, confirm: ((MergePlan) -> Bool)? = nil) {
        self.rule = rule
        self.expect = expect
        self.approver = approver
        self.confirm = confirm
    }
}

/// What a merge is about to do, for the confirmation question.
public struct MergePlan: Sendable {
    public let proposal: Proposal
    public let paths: [ChangedPath]
    public let head: OID
    public let branch: String
}

/// What a merge did.
public struct MergeOutcome: Sendable {
    public let proposalID: String
    /// The merge commit (or, when it was already merged, the current head).
    public let commit: OID
    public let previousHead: OID
    public let backup: String?
    public let rule: MergeRule
    public let approvedBy: String
    public let preMerge: HookOutcome?
    public let postMerge: HookOutcome?
    /// The proposal was already part of the head; nothing new was committed.
    public let alreadyMerged: Bool
    /// The eval note the merge recorded (`Eval-Delta`, `Eval-Note`), when an evaluation was current or the gate ran one.
    public var evaluation: StoredEvalNote? = nil
}
