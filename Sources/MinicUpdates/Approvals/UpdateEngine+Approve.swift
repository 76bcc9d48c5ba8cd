import Foundation
import MinicCore
import MinicGit
import MinicTrust

/// The approvals a merge found for a proposal's head.
public struct ApprovalCount: Sendable {
    /// How many distinct keys a merge of this proposal needs, and why (the pattern or class that asks the most).
    public let required: Int
    public let reason: String
    /// The allowed signers whose approval of the exact head verifies (principals and fingerprint, one per key).
    public let approvers: [String]
    /// Those approvals, with their keys' fingerprints: the merge carries them as trailers.
    public let approvals: [(approval: Approval, fingerprint: String)]
}

extension UpdateEngine {
    /// Records a signed approval of the proposal's current head as a git note on it.
    /// - Throws: ``MinicError`` (refused) when the home is unsigned, the key is not an allowed signer with role
    ///   review or admin, or the proposal is not open.
    @discardableResult
    public func approve(_ id: String) throws(MinicError) -> (approval: Approval, count: ApprovalCount) {
        let (_, head) = try targetHead()
        let config = try home.config()
        let proposal = try store.find(id, head: head)
        guard proposal.status == .open else { throw .refused("proposal \(proposal.id) is \(proposal.status.rawValue); only open proposals are approved") }
        guard let signer = try home.commitSigner(head: head, role: .review, config: config) else {
            throw .refused("approvals are signed, and this home's allowed_signers lists no key (see README, Verifying approvals); nothing changed")
        }
        let approver = CommitText.title(home.actor.identity) ?? "unknown"
        let date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let signed = try signer.signer.sign(Approval.payload(proposal: proposal.id, head: proposal.head.hex, date: date))
        guard signed.signature.publicKey == signer.publicKey else { throw .refused("ssh-keygen signed with another key than \(signer.publicKey.fingerprint); nothing changed") }
        let approval = Approval(proposal: proposal.id, head: proposal.head.hex, approver: approver, date: date, signature: signed.armored)
        let existing = try git("reading approvals") { () throws(GitError) in try repository.note(for: proposal.head, notesRef: Approval.notesRef) }
        // One approval per key: approving again replaces the earlier one.
        var recorded = Approval.parse(existing?.text ?? "").filter { SSHSignature(armored: $0.signature)?.publicKey != signer.publicKey }
        recorded.append(approval)
        let text = try Approval.text(recorded)
        _ = try git("writing the approval note") { () throws(GitError) in try repository.setNote(text, for: proposal.head, notesRef: Approval.notesRef, author: home.actor) }
        updateLog.notice("approval of \(proposal.id) at \(proposal.head.short) by \(approver) (\(signer.publicKey.fingerprint))")
        let headTree = try treeOf(head)
        let inspector = ProposalInspector(repository: repository, rules: try checkedRules(at: head))
        let mergedTree = try mergedTree(head: head, proposal: proposal, base: try git("finding the merge base") { () throws(GitError) in try repository.mergeBase(head, proposal.head) })
        let paths = try inspector.changedPaths(from: headTree, to: mergedTree, pairRenames: false)
        return (approval, try approvals(of: proposal, head: head, paths: paths, config: config))
    }

    /// The approvals of `proposal`'s exact head that verify against the head's `allowed_signers` (role review or
    /// admin, one per key), and how many its paths need.
    public func approvals(of proposal: Proposal, head: OID, paths: [ChangedPath], config: MinicConfig) throws(MinicError) -> ApprovalCount {
        let (required, reason) = Self.requiredApprovals(paths: paths, policy: config.updates.approvalsRequired)
        let signers = try home.allowedSigners(inTree: try treeOf(head))
        let note = try git("reading approvals") { () throws(GitError) in try repository.note(for: proposal.head, notesRef: Approval.notesRef) }
        var seen = Set<SSHPublicKey>()
        var approvers: [String] = []
        var counted: [(approval: Approval, fingerprint: String)] = []
        for approval in Approval.parse(note?.text ?? "") {
            guard let key = approval.verifiedKey(proposal: proposal.id, head: proposal.head), !seen.contains(key),
                let entry = signers.signer(for: key, at: max(Date(), approval.date)), AllowedSigners.rank(entry.role) >= AllowedSigners.rank(.review)
            else { continue }
            seen.insert(key)
            approvers.append("\(entry.principals) \(key.fingerprint)")
            counted.append((approval, key.fingerprint))
        }
        return ApprovalCount(required: required, reason: reason, approvers: approvers, approvals: counted)
    }

    /// The most any changed path asks for: a matching `paths` pattern's figure, else its class's, else the default.
    static func requiredApprovals(paths: [ChangedPath], policy: ApprovalsRequired) -> (Int, String) {
        if paths.isEmpty { return (policy.defaultCount, "updates.approvals_required") }
        let patterns = policy.paths.sorted { $0.key < $1.key }.map { (PatternList(lines: [$0.key]), $0.key, $0.value) }
        var best: (Int, String) = (0, "")
        for path in paths {
            var count: (Int, String)?
            for (list, pattern, value) in patterns where list.matches(path.path) || path.oldPath.map(list.matches) == true {
                if value > (count?.0 ?? 0) { count = (value, "\(path.path) (pattern '\(pattern)')") }
            }
            if count == nil, let value = policy.classes[path.class.rawValue] { count = (value, "\(path.path) (a \(path.class.rawValue) path)") }
            let chosen = count ?? (policy.defaultCount, "updates.approvals_required")
            if chosen.0 > best.0 { best = chosen }
        }
        return best
    }
}
