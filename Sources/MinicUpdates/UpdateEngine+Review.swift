import Foundation
import MinicCore
import MinicGit

/// A proposal as `update list` shows it.
public struct ProposalSummary: Sendable {
    public let proposal: Proposal
    public let counts: [PathClass: Int]
}

/// Everything `update show` needs: the proposal, its classified paths, and the diff.
public struct ProposalReview {
    public let proposal: Proposal
    public let head: OID
    /// The commit the changes are measured from.
    public let base: OID?
    public let paths: [ChangedPath]
    /// Reasons it may not merge (rules of the current head), for open proposals.
    public let violations: [Violation]
    /// Paths that conflict with the current head, for open proposals.
    public let conflicts: [String]
    /// The diff: for an open proposal that merges cleanly, what merging does to the head;
    /// otherwise what the proposal changes against its base.
    public let diff: Diff
    let diffFrom: OID?
    let diffTo: OID
}

extension UpdateEngine {
    /// Proposals, open ones only unless `all`, each with its path counts.
    public func list(all: Bool = false) throws(MinicError) -> [ProposalSummary] {
        let (_, head) = try home.head()
        let statuses: Set<ProposalStatus> = all ? [.open, .merged, .rejected] : [.open]
        let inspector = try inspector(at: head)
        var summaries: [ProposalSummary] = []
        for proposal in try store.all(including: statuses, head: head) {
            let base = try base(of: proposal, head: head)
            let paths = try inspector.changedPaths(from: try base.map { (id) throws(MinicError) in try treeOf(id) }, to: try treeOf(proposal.head), pairRenames: false)
            summaries.append(ProposalSummary(proposal: proposal, counts: Dictionary(grouping: paths, by: \.class).mapValues(\.count)))
        }
        return summaries
    }

    /// One proposal, its classified paths, violations, conflicts and diff.
    public func review(_ id: String) throws(MinicError) -> ProposalReview {
        let (_, head) = try home.head()
        let proposal = try store.find(id, head: head)
        let inspector = try inspector(at: head)
        let base = try base(of: proposal, head: head)
        let baseTree = try base.map { (id) throws(MinicError) in try treeOf(id) }
        var from = baseTree
        var to = try treeOf(proposal.head)
        var violations: [Violation] = []
        var conflicts: [String] = []
        if proposal.status == .open {
            let commits = try git("listing commits") { () throws(GitError) in try repository.commits(from: proposal.head, excluding: [head]) }
            violations = try inspector.violations(commits: commits)
            do {
                let merged = try mergedTree(head: head, proposal: proposal)
                from = try treeOf(head)
                to = merged
            } catch where error.kind == .refused {
                conflicts = error.details.map { $0.hasSuffix(": conflict") ? String($0.dropLast(": conflict".count)) : $0 }
            }
        }
        let paths = try inspector.changedPaths(from: from, to: to, pairRenames: true)
        let diff = try git("diffing \(proposal.id)") { () throws(GitError) -> Diff in
            let diff = try repository.diff(from: from, to: to)
            try diff.detectRenames()
            return diff
        }
        return ProposalReview(proposal: proposal, head: head, base: base, paths: paths, violations: violations, conflicts: conflicts, diff: diff, diffFrom: from, diffTo: to)
    }

    /// The plain patch of a proposal against the current head, as `git apply` takes it.
    /// - Returns: the patch, and whether it applies to the head (false when the
    ///   proposal conflicts or is closed, and the patch is against its own base).
    public func patch(_ id: String) throws(MinicError) -> (text: String, againstHead: Bool) {
        let review = try review(id)
        // Without rename pairing, so that every patch tool takes it.
        let text = try git("writing the patch") { () throws(GitError) in try repository.diff(from: review.diffFrom, to: review.diffTo).patch() }
        return (text, review.proposal.status == .open && review.conflicts.isEmpty)
    }

    /// Merges, auto-merges, rejections and rollbacks, newest first.
    public func history() throws(MinicError) -> [UpdateEvent] { try journal.events() }

    /// Every backup ref with its commit and the reason for it, newest first.
    public func backups() throws(MinicError) -> [Backup] { try backupStore.all(events: try journal.events()) }
}
