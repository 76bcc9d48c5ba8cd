import Foundation
import MinicCore
import MinicGit
import MinicTrust

/// What ``MergeScope`` runs for main's verification: `update merge`'s checks replayed on a merge that a key other than
/// an admin's signed, under the rules and config in force before it (its first parent's):
/// - the path rules pass their tests and no path the merge brings in breaks them (a protected path needs an admin);
/// - `updates.approvals_required` is met by the merger's key and the `Approval-Signature:` trailers, each an approval of
///   the proposal's id (`Proposal-Id:`) and its exact head (the merge's second parent) by a key with role review or admin;
/// - an `auto` key signs only what minic merges by itself: `Rule: auto`, auto paths only; `Rule: auto-revert`, no
///   protected path and review paths only where the merge it reverts changed them.
public enum MergeScopeCheck {
    /// Installs the check for this process (every ``UpdateEngine`` does it too).
    public static func install() { MergeScope.install(problems) }

    @Sendable static func problems(_ context: MergeScope.Context) throws(MinicError) -> [String] {
        let repository = context.repository
        let id = context.merge
        let merge = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id) }
        guard merge.parentIDs.count >= 2 else { return ["not a merge"] }
        let (before, theirs) = try git("reading \(id.short)'s parents") { () throws(GitError) in
            (try repository.commit(merge.parentIDs[0]).treeID, try repository.commit(merge.parentIDs[1]).message)
        }
        let (rules, config) = try UpdateEngine.committedRules(inTree: before, repository: repository)
        if let failing = rules.failingTests().first { return ["the rules before it fail their tests (\(failing))"] }
        let inspector = ProposalInspector(repository: repository, rules: rules)
        if let violation = try inspector.violations(from: before, to: merge.treeID).first { return [violation.description] }
        let paths = try inspector.changedPaths(from: before, to: merge.treeID, pairRenames: false)

        let (required, reason) = UpdateEngine.requiredApprovals(paths: paths, policy: config.updates.approvalsRequired)
        if required > 1 {
            // The approvals sign the proposal's head: the merge must record exactly what merging that head gives.
            let head = merge.parentIDs[0]
            let theirs = merge.parentIDs[1]
            let result = try git("merging \(theirs.short) into \(head.short)") { () throws(GitError) in
                try UpdateEngine.mergeResult(repository: repository, head: head, theirs: theirs, base: repository.mergeBase(head, theirs))
            }
            guard case .tree(let expected) = result, expected == merge.treeID else {
                return ["its tree is not what merging the approved head \(theirs.short) gives"]
            }
            let approvers = approvingKeys(merge: merge, proposalHead: theirs, signers: context.signers, at: context.time).union([context.signerKey])
            if approvers.count < required {
                return ["it needs \(required) approvals (\(reason)) and carries \(approvers.count)"]
            }
        }

        guard context.role == .auto else { return [] }
        let rule = Trailers.value("Rule", in: merge.message)
        // What an auto-revert may bring back on a review path: exactly what was there before the merge it reverts.
        var revertedFrom: OID?
        if rule == "auto-revert" {
            guard config.updates.autoRevert else { return ["an auto-revert, and updates.auto_revert was off"] }
            guard let hex = Trailers.value("Reverts", in: theirs), let target = OID(hex: hex.lowercased()) else { return ["an auto-revert that names no merge (Reverts:)"] }
            let reverted = try git("reading \(target.short)") { () throws(GitError) in try repository.commit(target) }
            let onMain = try git("reading main's history") { () throws(GitError) in
                try repository.commits(from: merge.parentIDs[0], firstParentOnly: true).contains(target)
            }
            guard reverted.parentIDs.count >= 2, onMain else { return ["the merge it reverts, \(target.short), is not a merge on main's history"] }
            revertedFrom = try git("reading \(target.short)") { () throws(GitError) in try repository.commit(reverted.parentIDs[0]).treeID }
        }
        var problems: [String] = []
        for path in paths {
            switch path.class {
            case .auto: continue
            case .protected: problems.append("\(path.path) is a protected path")
            case .review:
                guard let revertedFrom else {
                    problems.append("\(path.path) is a review path")
                    continue
                }
                let (old, new) = try git("reading \(path.path)") { () throws(GitError) in
                    (try repository.tree(revertedFrom).entry(atPath: path.path), try repository.tree(merge.treeID).entry(atPath: path.path))
                }
                if old?.id != new?.id || old?.mode != new?.mode || path.oldPath != nil {
                    problems.append("\(path.path) is a review path, not put back as it was before the merge it reverts")
                }
            }
        }
        return problems
    }

    /// The keys whose `Approval-Signature:` trailers in the merge approve its proposal's exact head, listed with role
    /// review or admin in `signers` at the merge's time.
    /// - Parameter time: when the merge counts them: a key must be allowed then, whatever date an approval gives itself.
    static func approvingKeys(merge: Commit, proposalHead: OID, signers: AllowedSigners, at time: Date) -> Set<SSHPublicKey> {
        guard let proposal = Trailers.value("Proposal-Id", in: merge.message) else { return [] }
        var keys = Set<SSHPublicKey>()
        for (key, value) in Trailers.parse(merge.message) where key == Approval.trailer {
            guard let approval = Approval(trailer: value, proposal: proposal, head: proposalHead),
                let signer = approval.verifiedKey(proposal: proposal, head: proposalHead),
                let entry = signers.signer(for: signer, at: max(time, approval.date)), AllowedSigners.rank(entry.role) >= AllowedSigners.rank(.review)
            else { continue }
            keys.insert(signer)
        }
        return keys
    }
}
