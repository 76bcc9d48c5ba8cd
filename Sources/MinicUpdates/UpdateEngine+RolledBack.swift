import MinicCore
import MinicGit

extension UpdateEngine {
    /// The merged proposals among `merged` that a rollback took out of main, each with the commit main's
    /// history no longer has.
    ///
    /// A proposal minic merged is rolled back when the merge commit the journal recorded for it (its newest)
    /// is no longer on the first-parent history of `head` — the heads main has had since — as after
    /// `minic update rollback` to a commit before it; rolling forward again brings it back. One the journal
    /// has no merge for (a branch git merged by hand, a reference moved by hand) is rolled back when `head`
    /// no longer contains its commit.
    /// - Returns: proposal id → the merge commit (or, without a recorded merge, the proposal's head) that is gone.
    func rolledBack(_ merged: [Proposal], head: OID) throws(MinicError) -> [String: OID] {
        guard !merged.isEmpty else { return [:] }
        var recorded: [String: OID] = [:]
        for event in try journal.events() where event.kind == .merge || event.kind == .autoMerge {
            // Newest first: the first merge met is the one in force, if any.
            guard let id = event.proposalID, recorded[id] == nil, let to = event.to.flatMap(OID.init(hex:)) else { continue }
            recorded[id] = to
        }
        var gone: [String: OID] = [:]
        // Merges still reachable from head, by merge commit: on its first parents unless history went round them.
        var reachable: [OID: [String]] = [:]
        for proposal in merged {
            let commit = recorded[proposal.id] ?? proposal.head
            let contained = try git("checking \(commit.short)") { () throws(GitError) -> Bool in
                do throws(GitError) {
                    return try repository.isAncestor(commit, of: head)
                } catch where error.code == .notFound {
                    return false  // pruned: certainly not in main
                }
            }
            if !contained {
                gone[proposal.id] = commit
            } else if recorded[proposal.id] != nil {
                reachable[commit, default: []].append(proposal.id)
            }
        }
        // One walk down main's first parents, only as far as the oldest merge still to be found.
        var missing = Set(reachable.keys)
        try git("walking main's history") { () throws(GitError) in
            var next: OID? = head
            while !missing.isEmpty, let id = next {
                missing.remove(id)
                next = try repository.commit(id).parentIDs.first
            }
        }
        for commit in missing { for id in reachable[commit, default: []] { gone[id] = commit } }
        return gone
    }
}
