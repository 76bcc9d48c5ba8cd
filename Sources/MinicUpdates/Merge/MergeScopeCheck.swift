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
        let rules = try UpdateEngine.committedRules(inTree: before, repository: repository)
        if let failing = rules.failingTests().first { return ["the rules before it fail their tests (\(failing))"] }
        let inspector = ProposalInspector(repository: repository, rules: rules)
        if let violation = try inspector.violations(from: before, to: merge.treeID).first { return [violation.description] }
        let paths = try inspector.changedPaths(from: before, to: merge.treeID, pairRenames: false)

        guard let configBytes = try git("reading config.json", { () throws(GitError) in try repository.fileData(atPath: "config.json", inTree: before) }) else {
            return ["config.json is missing before it"]
        }
        let config = try MinicConfig.decode(Data(configBytes), source: "config.json@\(before.short)")
        let (required, reason) = UpdateEngine.requiredApprovals(paths: paths, policy: config.updates.approvalsRequired)
        if required > 1 {
            let approvers = approvingKeys(merge: merge, proposalHead: merge.parentIDs[1], signers: context.signers).union([context.signerKey])
            if approvers.count < required {
                return ["it needs \(required) approvals (\(reason)) and carries \(approvers.count)"]
            }
        }

        guard context.role == .auto else { return [] }
        let rule = Trailers.value("Rule", in: merge.message)
        var reverted: Set<String>?
        if rule == "auto-revert" {
            guard let hex = Trailers.value("Reverts", in: theirs), let target = OID(hex: hex.lowercased()) else { return ["an auto-revert that names no merge (Reverts:)"] }
            reverted = try git("reading \(target.short)") { () throws(GitError) -> Set<String> in
                let commit = try repository.commit(target)
                guard let parent = commit.parentIDs.first else { return [] }
                return Set(try repository.treeChanges(from: repository.commit(parent).treeID, to: commit.treeID).map(\.path))
            }
        }
        return paths.compactMap { path in
            switch path.class {
            case .auto: return nil
            case .protected: return "\(path.path) is a protected path"
            case .review:
                if let reverted, reverted.contains(path.path), path.oldPath.map(reverted.contains) ?? true { return nil }
                return "\(path.path) is a review path"
            }
        }
    }

    /// The keys whose `Approval-Signature:` trailers in the merge approve its proposal's exact head, listed with role
    /// review or admin in `signers` at the approval's date.
    static func approvingKeys(merge: Commit, proposalHead: OID, signers: AllowedSigners) -> Set<SSHPublicKey> {
        guard let proposal = Trailers.value("Proposal-Id", in: merge.message) else { return [] }
        var keys = Set<SSHPublicKey>()
        for (key, value) in Trailers.parse(merge.message) where key == Approval.trailer {
            guard let approval = Approval(trailer: value, proposal: proposal, head: proposalHead),
                let signer = approval.verifiedKey(proposal: proposal, head: proposalHead),
                let entry = signers.signer(for: signer, at: approval.date), AllowedSigners.rank(entry.role) >= AllowedSigners.rank(.review)
            else { continue }
            keys.insert(signer)
        }
        return keys
    }
}
