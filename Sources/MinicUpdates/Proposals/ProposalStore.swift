import Foundation
import MinicCore
import MinicGit

/// Reads and moves proposal references. A proposal's state is its reference's
/// namespace, so `git branch -a` and `git for-each-ref refs/minic` show the same
/// thing minic does, and a branch `proposals/<name>` made by hand is a proposal too.
public struct ProposalStore {
    let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// The references of proposals in the given states (open ones as found, not yet checked for a plain-git merge).
    func references(_ statuses: Set<ProposalStatus>) throws(MinicError) -> [(name: String, target: OID, status: ProposalStatus)] {
        var found: [(name: String, target: OID, status: ProposalStatus)] = []
        for (prefix, status) in [(Proposal.openPrefix, ProposalStatus.open), (Proposal.mergedPrefix, .merged), (Proposal.rejectedPrefix, .rejected)]
        where statuses.contains(status) {
            let refs = try git("listing \(prefix)*") { () throws(GitError) in try repository.references(matching: prefix + "*") }
            found += refs.map { ($0.name, $0.target, status) }
        }
        return found
    }

    /// The id a reference name stands for.
    func id(of reference: String) -> String {
        let prefix = [Proposal.openPrefix, Proposal.mergedPrefix, Proposal.rejectedPrefix].first { reference.hasPrefix($0) } ?? ""
        return String(reference.dropFirst(prefix.count))
    }

    /// The proposal `id` names, in any state: its full id (open first, as the same id may be both open
    /// and merged), else its number or a unique prefix of its id (see ``ProposalID/matches(_:query:)``).
    /// - Throws: ``MinicError`` (bad input, not found) when nothing matches; (bad input) when a number or
    ///   prefix matches more than one id, whatever their states, naming them.
    public func find(_ id: String, head: OID?) throws(MinicError) -> Proposal {
        let cleaned = id.hasPrefix("proposals/") ? String(id.dropFirst("proposals/".count)) : id
        let valid = Repository.isValidReferenceName(Proposal.openPrefix + cleaned)
        if valid, let proposal = try exactly(cleaned, head: head) { return proposal }
        guard let resolved = try resolve(cleaned, shown: id, head: head), let proposal = try exactly(resolved, head: head) else {
            throw .notFound(valid ? "no proposal '\(id)' (see `minic update list --all`)" : "'\(id)' is not a valid proposal id")
        }
        return proposal
    }

    /// The proposal whose full id is `id`, open first; `nil` when there is none.
    private func exactly(_ id: String, head: OID?) throws(MinicError) -> Proposal? {
        for (prefix, status) in [(Proposal.openPrefix, ProposalStatus.open), (Proposal.mergedPrefix, .merged), (Proposal.rejectedPrefix, .rejected)] {
            let name = prefix + id
            guard Repository.isValidReferenceName(name) else { return nil }
            guard let target = try git("reading \(name)", { () throws(GitError) in try repository.referenceTarget(name) }) else { continue }
            let proposal = try load(reference: name, target: target, status: status)
            if status == .open, let head, try git("checking \(id)", { () throws(GitError) in try repository.isAncestor(target, of: head) }) {
                return proposal.with(status: .merged)
            }
            return proposal
        }
        return nil
    }

    func load(reference: String, target: OID, status: ProposalStatus) throws(MinicError) -> Proposal {
        let commit = try git("reading \(reference)") { () throws(GitError) in try repository.commit(target) }
        let message = commit.message
        let trailers = Trailers.parse(message)
        let value = { (key: String) in trailers.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value }
        return Proposal(
            id: id(of: reference), status: status, reference: reference, head: target, title: commit.summary,
            message: ProposalStore.body(of: message), author: value("Proposed-by") ?? commit.author.identity, date: commit.time,
            taskID: value("Task-Id"), reverts: value("Reverts"))
    }

    /// The message without its summary line and trailer block.
    static func body(of message: String) -> String {
        var paragraphs = message.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        if !paragraphs.isEmpty { paragraphs.removeFirst() }
        if let last = paragraphs.last, !Trailers.parse("x\n\n" + last).isEmpty { paragraphs.removeLast() }
        return paragraphs.joined(separator: "\n\n")
    }

    /// The next free sequence number across open, merged and rejected proposals.
    /// Where a fetch from the origin keeps its proposals (see `Home.fetchRefspecs`).
    static let originPrefixes = ["refs/remotes/origin/proposals/", "refs/remotes/origin/minic/merged/", "refs/remotes/origin/minic/rejected/"]

    func nextNumber() throws(MinicError) -> Int {
        var highest = 0
        // On a clone, the origin's proposals as last fetched too: a number taken there is not taken again.
        for prefix in [Proposal.openPrefix, Proposal.mergedPrefix, Proposal.rejectedPrefix] + ProposalStore.originPrefixes {
            let refs = try git("listing \(prefix)*") { () throws(GitError) in try repository.references(matching: prefix + "*") }
            for ref in refs { highest = max(highest, ProposalID.number(of: String(ref.name.dropFirst(prefix.count))) ?? 0) }
        }
        return highest + 1
    }

    /// Moves an open proposal's reference to `prefix` (merged or rejected), keeping its commits.
    func move(_ proposal: Proposal, to prefix: String, message: String) throws(MinicError) {
        let target = prefix + proposal.id
        try git("moving \(proposal.reference) to \(target)") { () throws(GitError) in
            // The new ref names the commit that was merged or rejected, whatever the branch
            // points at now; the branch goes only if it still points there (compare-and-swap),
            // so a branch swapped meanwhile stays open instead of being recorded as merged.
            let existing = try repository.referenceTarget(target)
            if existing != proposal.head {
                try repository.updateReference(target, to: proposal.head, expected: existing, message: message)
            }
            if proposal.reference != target {
                try repository.deleteReference(proposal.reference, expected: proposal.head)
            }
        }
    }

    /// Records proposal `id` as merged at `head`: `refs/minic/merged/<id>` names it, and the open
    /// branch goes if it still points there. Running it again changes nothing.
    func markMerged(_ id: String, at head: OID) throws(MinicError) {
        let open = Proposal.openPrefix + id
        let merged = Proposal.mergedPrefix + id
        try git("moving \(open) to \(merged)") { () throws(GitError) in
            let existing = try repository.referenceTarget(merged)
            if existing != head { try repository.updateReference(merged, to: head, expected: existing, message: "minic: merged \(id)") }
            if try repository.referenceTarget(open) == head { try repository.deleteReference(open, expected: head) }
        }
    }

}

extension Proposal {
    func with(status: ProposalStatus) -> Proposal {
        Proposal(
            id: id, status: status, reference: reference, head: head, title: title, message: message, author: author, date: date, taskID: taskID,
            reverts: reverts)
    }

}
