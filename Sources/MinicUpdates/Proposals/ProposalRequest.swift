import MinicGit

/// What to propose and where the change comes from.
public struct ProposalRequest: Sendable {
    public enum Source: Sendable {
        /// The home's uncommitted changes (tracked edits, deletions and new files); the work tree is left clean.
        case worktree
        /// A unified diff as `git diff` writes it, applied to the head with libgit2.
        case patch([UInt8])
        /// Whole-file replacements: each path gets the given content.
        case files([(path: String, content: [UInt8])])
        /// A tree already written to the home's repository (a revert: ``UpdateEngine/proposeRevert(merge:reason:)``).
        case tree(OID)
    }

    public var source: Source
    public var title: String?
    public var message: String?
    /// Who proposes (default: the acting person).
    public var proposer: Signature?
    /// The task that produced the proposal, recorded as a `Task-Id:` trailer.
    public var taskID: String?
    /// Whether an all-auto proposal may merge at once (also needs `updates.auto_merge`).
    public var allowAutoMerge: Bool
    /// More trailers for the proposal's commit, after `Task-Id:`, in order: the provenance of a proposal a task made
    /// (`Model`, `Prompt-Sha256`, `Input-Tokens`, ...). Each value is cleaned to one line without controls; a key
    /// that is not a trailer name or is one minic writes itself, an empty value, or a secret refuses the proposal.
    public var extraTrailers: [(key: String, value: String)]
    /// The merge this proposal undoes, recorded as a `Reverts:` trailer (its full sha).
    public var reverts: OID?

    public init(
        source: Source = .worktree, title: String? = nil, message: String? = nil, proposer: Signature? = nil, taskID: String? = nil, allowAutoMerge: Bool = true,
        extraTrailers: [(key: String, value: String)] = [], reverts: OID? = nil
    ) {
        self.reverts = reverts
        self.source = source
        self.title = title
        self.message = message
        self.proposer = proposer
        self.taskID = taskID
        self.allowAutoMerge = allowAutoMerge
        self.extraTrailers = extraTrailers
    }
}

/// What `propose` made.
public struct ProposeOutcome: Sendable {
    public let proposal: Proposal
    public let paths: [ChangedPath]
    /// Set when the proposal was auto-approved and merged at once.
    public let autoMerge: MergeOutcome?
    /// Why an all-auto proposal did not merge at once, if it tried.
    public let autoMergeError: String?
    /// Whether it was pushed to the origin (homes made by `minic init --from` push every proposal).
    public internal(set) var pushed = false
    /// Why the push to the origin failed; the proposal stays here.
    public internal(set) var pushError: String?
}
