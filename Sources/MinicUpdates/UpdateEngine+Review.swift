import Foundation
import MinicCore
import MinicGit

/// A proposal as `update list` shows it.
public struct ProposalSummary: Sendable {
    public let proposal: Proposal
    public let counts: [PathClass: Int]
    /// Merged, but a rollback took its merge out of main's history (see ``UpdateEngine/list(all:)``).
    public let rolledBack: Bool
}

/// Everything `update show` needs: the proposal, its classified paths, and the diff.
public struct ProposalReview {
    public let proposal: Proposal
    public let head: OID
    /// The commit the changes are measured from.
    public let base: OID?
    public let paths: [ChangedPath]
    /// Reasons it may not merge (rules of the current head), for open proposals: the
    /// verdict, from the head's tree against the tree the merge would record (against
    /// the proposal's own base when it does not merge cleanly).
    public let violations: [Violation]
    /// Per-commit detail: what single commits of the proposal change that the rules
    /// forbid, even where later commits undo it. Shown, not the verdict.
    public let commitViolations: [Violation]
    /// Paths that conflict with the current head, for open proposals.
    public let conflicts: [String]
    /// The diff: for an open proposal that merges cleanly, what merging does to the head;
    /// otherwise what the proposal changes against its base.
    public let diff: Diff
    /// For a merged proposal a rollback took out of main: its merge commit, no longer in main's
    /// first-parent history (or, merged without minic, its head, no longer in main).
    public let rolledBackCommit: OID?
    let diffFrom: OID?
    let diffTo: OID
}

extension UpdateEngine {
    /// Proposals, open ones only unless `all`, each with its path counts.
    ///
    /// Counts are of each proposal's own changes against where it left the head's
    /// history. A merged proposal whose merge a rollback took out of main's history is
    /// marked ``ProposalSummary/rolledBack``. What is read from git for a proposal is cached in `state/` under its
    /// commit and the rules in force, so listing many proposals reads little.
    public func list(all: Bool = false) throws(MinicError) -> [ProposalSummary] {
        let (_, head) = try targetHead()
        let rulesKey = try self.rulesKey(at: head)
        var cache = Trace.span("list: read cache") { ProposalCache(path: home.stateDirectory + "/proposal-cache.tsv") }
        var refs = try Trace.span("list: references") { () throws(MinicError) in try store.references(all ? [.open, .merged, .rejected] : [.open]) }
        let openDates = try refs.filter { $0.status == .open }.map { (ref) throws(MinicError) -> Date in
            if let cached = cache.lookup(ref.target, rulesKey: rulesKey) { return cached.date }
            return try git("reading \(ref.name)") { () throws(GitError) in try repository.commit(ref.target).time }
        }
        // One walk of recent history finds open branches already merged by plain git.
        if let oldest = openDates.min() {
            let merged = try Trace.span("list: history walk") { () throws(MinicError) in
                try git("walking history") { () throws(GitError) in try repository.ancestors(of: head, notOlderThan: oldest.addingTimeInterval(-86400)) }
            }
            refs = refs.map { $0.status == .open && merged.contains($0.target) ? ($0.name, $0.target, .merged) : $0 }
            if !all { refs = refs.filter { $0.status == .open } }
        }
        var inspector: ProposalInspector?
        func inspectorInForce() throws(MinicError) -> ProposalInspector {
            if let inspector { return inspector }
            let made = try self.inspector(at: head)
            inspector = made
            return made
        }
        var found: [(proposal: Proposal, counts: [PathClass: Int])] = []
        for ref in refs {
            let entry: ProposalCacheEntry
            if let cached = cache.lookup(ref.target, rulesKey: rulesKey) {
                entry = cached
            } else {
                let proposal = try store.load(reference: ref.name, target: ref.target, status: ref.status)
                let base = try base(of: proposal, head: head)
                let paths = try inspectorInForce().changedPaths(
                    from: try base.map { (id) throws(MinicError) in try treeOf(id) }, to: try treeOf(proposal.head), pairRenames: false)
                entry = ProposalCacheEntry(
                    head: ref.target, rulesKey: rulesKey, counts: Dictionary(grouping: paths, by: \.class).mapValues(\.count), date: proposal.date,
                    taskID: proposal.taskID, author: proposal.author, title: proposal.title)
                cache.store(entry)
            }
            let proposal = Proposal(
                id: store.id(of: ref.name), status: ref.status, reference: ref.name, head: ref.target, title: entry.title, message: "",
                author: entry.author, date: entry.date, taskID: entry.taskID)
            found.append((proposal, entry.counts))
        }
        Trace.span("list: save cache") { cache.save(keeping: Set(refs.map(\.target))) }
        let gone = try Trace.span("list: rollbacks") { () throws(MinicError) in
            try rolledBack(found.map(\.proposal).filter { $0.status == .merged }, head: head)
        }
        return found.map { ProposalSummary(proposal: $0.proposal, counts: $0.counts, rolledBack: gone[$0.proposal.id] != nil) }
            .sorted { $0.proposal.id < $1.proposal.id }
    }

    /// Identifies the rules in force at `head`: the blobs of `protected.list` and
    /// `config.json` (or the `MINIC_CONFIG` override), and minic's version.
    func rulesKey(at head: OID) throws(MinicError) -> String {
        let tree = try git("reading head") { () throws(GitError) in try repository.tree(repository.commit(head).treeID) }
        let protected = try git("reading protected.list") { () throws(GitError) in try tree.entry(atPath: "protected.list")?.id.short } ?? "-"
        var config = try git("reading config.json") { () throws(GitError) in try tree.entry(atPath: "config.json")?.id.short } ?? "-"
        if let override = home.environment["MINIC_CONFIG"], !override.isEmpty { config = "env:" + override }
        return "\(MinicVersion.string):\(protected):\(config)"
    }

    /// One proposal, its classified paths, violations, conflicts and diff.
    public func review(_ id: String) throws(MinicError) -> ProposalReview {
        let (_, head) = try targetHead()
        let proposal = try store.find(id, head: head)
        let inspector = try inspector(at: head)
        let base = try base(of: proposal, head: head)
        let baseTree = try base.map { (id) throws(MinicError) in try treeOf(id) }
        var from = baseTree
        var to = try treeOf(proposal.head)
        var violations: [Violation] = []
        var commitViolations: [Violation] = []
        var conflicts: [String] = []
        if proposal.status == .open {
            let commits = try git("listing commits") { () throws(GitError) in try repository.commits(from: proposal.head, excluding: [head]) }
            commitViolations = try Trace.span("show: commit rules") { () throws(MinicError) in try inspector.commitViolations(commits: commits) }
            do {
                let merged = try mergedTree(head: head, proposal: proposal, base: base)
                from = try treeOf(head)
                to = merged
            } catch  where error.kind == .refused {
                conflicts = error.details.map { $0.hasSuffix(": conflict") ? String($0.dropLast(": conflict".count)) : $0 }
            }
            if let from {
                violations = try Trace.span("show: rules") { () throws(MinicError) in try inspector.violations(from: from, to: to) }
            }
        }
        let diff = try git("diffing \(proposal.id)") { () throws(GitError) in try repository.changedDiff(from: from, to: to) }
        let paths = inspector.classify(diff.deltas)
        let gone = proposal.status == .merged ? try rolledBack([proposal], head: head)[proposal.id] : nil
        return ProposalReview(
            proposal: proposal, head: head, base: base, paths: paths, violations: violations, commitViolations: commitViolations, conflicts: conflicts,
            diff: diff, rolledBackCommit: gone, diffFrom: from, diffTo: to)
    }

    /// The plain patch of a proposal against the current head, as `git apply` takes it.
    /// - Returns: the proposal's full id (`id` may be its number or a prefix), the patch, and whether it
    ///   applies to the head (false when the proposal conflicts or is closed, and the patch is against its own base).
    public func patch(_ id: String) throws(MinicError) -> (id: String, text: String, againstHead: Bool) {
        let review = try review(id)
        // Without rename pairing, so that every patch tool takes it.
        let text = try git("writing the patch") { () throws(GitError) in
            try repository.changedDiff(from: review.diffFrom, to: review.diffTo, pairRenames: false).patch()
        }
        return (review.proposal.id, text, review.proposal.status == .open && review.conflicts.isEmpty)
    }

    /// Merges, auto-merges, rejections and rollbacks, newest first.
    public func history() throws(MinicError) -> [UpdateEvent] { try journal.events() }

    /// Every backup ref with its commit and the reason for it, newest first.
    public func backups() throws(MinicError) -> [Backup] { try backupStore.all(events: try journal.events()) }
}
