import Foundation
import MinicCore
import MinicGit

/// A merge of a proposal on main's first-parent history, as `minic update watch` reads it.
public struct WatchedMerge: Sendable {
    /// The merge commit.
    public let commit: OID
    /// Its first parent: the head the merge replaced.
    public let firstParent: OID
    /// Its `Proposal-Id:` trailer.
    public let proposalID: String
    /// Its `Eval-Delta:` trailer as written (`-0.250 [-0.400, -0.100]`), when an eval ran.
    public let evalDelta: String?
    /// The merge the merged proposal itself undid (its `Reverts:` trailer), for the merge of a revert.
    public let reverts: String?
    /// The first-parent commits from the head down to the merge, the merge included: the heads
    /// that have been in force since it.
    public let since: [OID]
}

/// What ``UpdateEngine/proposeRevert(merge:reason:)`` did.
public struct RevertOutcome: Sendable {
    /// The revert proposal: the one made now, or the one found from before.
    public let proposal: Proposal
    /// Whether it was made now (`false`: one already existed for the merge; nothing new proposed).
    public let created: Bool
    /// Set when `updates.auto_revert` merged it.
    public let merge: MergeOutcome?
    /// Why it waits for a person although `updates.auto_revert` is true (the merge's refusal).
    public let waiting: String?
    /// On a clone, whether it went to the origin, and why not.
    public let pushed: Bool
    public let pushError: String?
}

extension UpdateEngine {
    /// How many first-parent commits the watch walks, looking for the latest merge and the heads before it.
    public static let watchHistoryDepth = 10_000

    /// The latest merge of a proposal (a merge commit with a `Proposal-Id:` trailer) on main's
    /// first-parent history, within ``watchHistoryDepth`` commits of the head; `nil` when there is none.
    public func latestMerge() throws(MinicError) -> WatchedMerge? {
        let (_, head) = try targetHead()
        return try git("reading main's history") { () throws(GitError) -> WatchedMerge? in
            var since: [OID] = []
            var next: OID? = head
            while let id = next, since.count < UpdateEngine.watchHistoryDepth {
                let commit = try repository.commit(id)
                since.append(id)
                let parents = commit.parentIDs
                if parents.count >= 2, let proposalID = Trailers.value("Proposal-Id", in: commit.message) {
                    // The merged proposal's own commit says whether it was a revert.
                    let reverts = try Trailers.value("Reverts", in: repository.commit(parents[1]).message)
                    return WatchedMerge(
                        commit: id, firstParent: parents[0], proposalID: proposalID, evalDelta: Trailers.value("Eval-Delta", in: commit.message),
                        reverts: reverts, since: since)
                }
                next = parents.first
            }
            return nil
        }
    }

    /// The first-parent commits from `start`, `start` included, at most `limit` of them.
    public func firstParentHistory(from start: OID, limit: Int) throws(MinicError) -> [OID] {
        try git("reading main's history") { () throws(GitError) -> [OID] in
            var found: [OID] = []
            var next: OID? = start
            while let id = next, found.count < limit {
                found.append(id)
                next = try repository.commit(id).parentIDs.first
            }
            return found
        }
    }

    /// The revert proposal made for `merge` in any state — open, merged or rejected (a person's
    /// no is not asked again), here or, on a clone, at the origin as last fetched; `nil` when there is none.
    public func revertProposal(of merge: OID) throws(MinicError) -> Proposal? {
        for ref in try store.references([.open, .merged, .rejected]) {
            let proposal = try store.load(reference: ref.name, target: ref.target, status: ref.status)
            if proposal.reverts?.lowercased() == merge.hex { return proposal }
        }
        for prefix in ProposalStore.originPrefixes {
            let refs = try git("listing \(prefix)*") { () throws(GitError) in try repository.references(matching: prefix + "*") }
            for ref in refs {
                let message = try git("reading \(ref.name)") { () throws(GitError) in try repository.commit(ref.target).message }
                if Trailers.value("Reverts", in: message)?.lowercased() == merge.hex {
                    return try store.load(reference: ref.name, target: ref.target, status: prefix.contains("/proposals/") ? .open : .merged)
                }
            }
        }
        return nil
    }

    /// The tree of `head` with the changes of `merge` undone: its first parent against it, applied in
    /// reverse onto the head (a three-way merge whose ancestor is the merge).
    /// - Throws: ``MinicError`` (refused) naming the conflicts when later changes overlap the merge's.
    public func revertTree(of merge: OID, head: OID) throws(MinicError) -> OID {
        let parents = try git("reading \(merge.short)") { () throws(GitError) in try repository.commit(merge).parentIDs }
        guard parents.count >= 2 else { throw .badInput("\(merge.short) is not a merge commit") }
        let mergeTree = try treeOf(merge)
        let parentTree = try treeOf(parents[0])
        if head == merge { return parentTree }
        let headTree = try treeOf(head)
        // Later changes on other paths: the merge's paths put back as they were, the rest as at head.
        let disjoint = try git("reverting \(merge.short)") { () throws(GitError) in
            try repository.mergeDisjointTrees(base: mergeTree, ours: headTree, theirs: parentTree)
        }
        if let disjoint { return disjoint }
        let index = try git("reverting \(merge.short)") { () throws(GitError) in
            try repository.mergeTrees(ancestor: mergeTree, ours: headTree, theirs: parentTree)
        }
        if index.hasConflicts {
            let paths = try git("listing conflicts") { () throws(GitError) in try index.conflictPaths() }
            throw .refused(
                "the changes of \(merge.short) do not revert cleanly on head \(head.short): later changes overlap them; revert by hand",
                details: paths.map { "\($0): conflict" })
        }
        return try git("writing the reverted tree") { () throws(GitError) in try index.writeTree() }
    }

    /// Proposes undoing `merge`: a proposal whose tree is the head's with the merge's changes undone,
    /// its message `reason`, with a `Reverts: <merge sha>` trailer, made through ``propose(_:)`` (path
    /// rules, guardrails and review apply; it never auto-merges there). When `updates.auto_revert` is
    /// true it is then merged with the ``MergeRule/autoRevert`` rule; a refusal leaves it waiting for a
    /// person, and says why.
    ///
    /// Never two revert proposals for one merge: an existing one, in any state, is returned instead
    /// (``revertProposal(of:)``), and `state/revert.lock` makes the look and the proposal one step
    /// for every process of the home.
    /// - Throws: ``MinicError`` (refused) when the merge is not on main's first-parent history, its
    ///   changes are already undone, do not revert cleanly, or the revert breaks the rules of the head.
    public func proposeRevert(merge: OID, reason: String, holdForReview: String? = nil) throws(MinicError) -> RevertOutcome {
        let lock = try UpdateLock.acquire(home: home, file: "revert.lock")
        defer { withExtendedLifetime(lock) {} }
        if let existing = try revertProposal(of: merge) {
            return RevertOutcome(proposal: existing, created: false, merge: nil, waiting: nil, pushed: false, pushError: nil)
        }
        let (_, head) = try targetHead()
        guard try firstParentHistory(from: head, limit: UpdateEngine.watchHistoryDepth).contains(merge) else {
            throw .refused("\(merge.short) is not a merge on main's first-parent history; nothing proposed")
        }
        let message = try git("reading \(merge.short)") { () throws(GitError) in try repository.commit(merge).message }
        let name = Trailers.value("Proposal-Id", in: message) ?? merge.short
        let tree = try revertTree(of: merge, head: head)
        guard tree != (try treeOf(head)) else { throw .refused("the changes of \(merge.short) are already undone on head \(head.short); nothing proposed") }
        let outcome = try propose(
            ProposalRequest(
                source: .tree(tree), title: "Revert \(name)", message: reason, proposer: Identity.automatic, allowAutoMerge: false, reverts: merge))
        let id = outcome.proposal.id
        let summary = reason.split(whereSeparator: \.isNewline).first.map { String($0.prefix(300)) } ?? ""
        updateLog.notice("revert proposed \(id) for merge \(merge.short) (\(name)): \(summary)")
        guard try home.config().updates.autoRevert else {
            return RevertOutcome(proposal: outcome.proposal, created: true, merge: nil, waiting: nil, pushed: outcome.pushed, pushError: outcome.pushError)
        }
        if let notAlone = holdForReview {
            updateLog.notice("auto-revert of \(merge.short) not merged, \(id) waits for review: \(notAlone)")
            return RevertOutcome(proposal: outcome.proposal, created: true, merge: nil, waiting: notAlone, pushed: outcome.pushed, pushError: outcome.pushError)
        }
        if try hasOrigin() {
            let waiting = "this home is a clone: the revert waits for a merge at the origin"
            return RevertOutcome(proposal: outcome.proposal, created: true, merge: nil, waiting: waiting, pushed: outcome.pushed, pushError: outcome.pushError)
        }
        do {
            let merged = try self.merge(id, options: MergeOptions(rule: .autoRevert, expect: outcome.proposal.head.hex))
            updateLog.notice("auto-revert merged \(id) as \(merged.commit.short), undoing \(merge.short)")
            return RevertOutcome(proposal: try store.find(id, head: nil), created: true, merge: merged, waiting: nil, pushed: false, pushError: nil)
        } catch {
            let why = ([error.message] + error.details).joined(separator: "; ")
            updateLog.warning("auto-revert of \(merge.short) refused, \(id) waits for review: \(why)")
            return RevertOutcome(proposal: outcome.proposal, created: true, merge: nil, waiting: why, pushed: false, pushError: nil)
        }
    }

    /// The ``MergeRule/autoRevert`` rule: the proposal reverts a merge of main's first-parent history,
    /// and each path is auto, or review where that merge changed it — a person approved the merge, so the
    /// state before it is one they approved. Protected paths never pass (refused before this, as violations).
    func requireAutoRevertable(_ proposal: Proposal, paths: [ChangedPath], head: OID) throws(MinicError) {
        guard let hex = proposal.reverts, let merge = OID(hex: hex.lowercased()) else {
            throw .refused("proposal \(proposal.id) needs review: it is not a revert (no Reverts: trailer)")
        }
        let parents = try git("reading \(merge.short)") { () throws(GitError) in try repository.commit(merge).parentIDs }
        guard parents.count >= 2, try firstParentHistory(from: head, limit: UpdateEngine.watchHistoryDepth).contains(merge) else {
            throw .refused("proposal \(proposal.id) needs review: the merge it reverts, \(merge.short), is not on main's first-parent history")
        }
        let changed = try git("diffing \(merge.short)") { () throws(GitError) in
            try repository.treeChanges(from: repository.commit(parents[0]).treeID, to: repository.commit(merge).treeID).map(\.path)
        }
        let mergePaths = Set(changed)
        for path in paths {
            switch path.class {
            case .auto: continue
            case .protected: throw .refused("proposal \(proposal.id) needs review: \(path.path) is a protected path")
            case .review:
                guard mergePaths.contains(path.path), path.oldPath.map(mergePaths.contains) ?? true else {
                    throw .refused("proposal \(proposal.id) needs review: \(path.path) is a review path the reverted merge \(merge.short) did not change")
                }
            }
        }
    }
}
