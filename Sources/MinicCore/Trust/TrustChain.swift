import Foundation
import MinicBase
import MinicGit
import MinicTrust

/// Checks the commits of main's first-parent history, one by one, against the `allowed_signers` in force
/// before each (its first parent's; the trust root's own for the root).
///
/// A commit is approved when keys were in force and it is a merge signed by one of them in namespace `git`
/// at its commit time, with a role that may approve it: `auto` only merges minic made by itself
/// (`Rule: auto` or `auto-revert`), `admin` the trust root, one-parent commits and any commit that changes
/// `allowed_signers`. With no key in force a commit is `unsigned`, and the home behaves as one without
/// signing. Blocking (libgit2).
struct TrustChain {
    static let signersFile = "allowed_signers"
    static let namespace = "git"

    /// The largest signature read: a bigger one is refused unread (no key minic checks needs more than a few KiB).
    static let maxSignatureBytes = 64 * 1024

    let repository: Repository
    /// Parsed files, so 2,000 commits that share one file parse it once. A list of a plain struct, not a dictionary:
    /// a history holds a handful of distinct files, and a dictionary keyed by `OID?` (or a list of `Result`s) costs
    /// its first insertion about 0.4 ms of Swift runtime work (generic metadata, conformance lookups), a fifth of an
    /// incremental verification.
    private var parsed: [ParsedFile] = []
    /// Keys this machine saw removed from `allowed_signers`, by fingerprint (``KeyRevocations``).
    var revocations: KeyRevocations
    /// Removals and re-additions seen in the commits verified by this chain, to remember once all of it is good.
    private(set) var seenChanges: [(fingerprint: String, removed: Bool, at: OID)] = []

    init(repository: Repository, revocations: KeyRevocations = KeyRevocations()) {
        self.repository = repository
        self.revocations = revocations
    }

    /// The first-parent history from `head` back, newest first, ending at `stop` (included) or at a commit
    /// without parents (included) — or, with `until`, just before that commit (excluded).
    func firstParents(from head: OID, stop: OID?, until known: OID? = nil) throws(GitError) -> (commits: [OID], reached: OID?) {
        var commits: [OID] = []
        var next: OID? = head
        while let id = next {
            if id == known { return (commits, id) }
            commits.append(id)
            if id == stop { return (commits, id) }
            next = try repository.commit(id).parentIDs.first
        }
        return (commits, nil)
    }

    /// The keys `tree` holds: an empty list with no file; a failure when the file cannot be read
    /// (not a regular file, a line that does not parse).
    mutating func signers(inTree tree: OID) throws(GitError) -> Result<AllowedSigners, AllowedSignersError> {
        let entry = try repository.tree(tree).entry(atPath: Self.signersFile)
        if let entry, entry.mode != .blob && entry.mode != .executable {
            return .failure(AllowedSignersError(line: 0, message: "not a regular file"))
        }
        let key = entry?.id
        if let known = parsed.first(where: { $0.blob == key }) { return known.result }
        let result: Result<AllowedSigners, AllowedSignersError>
        if let id = entry?.id {
            let bytes = try repository.blobData(id)
            if let text = String(bytes: bytes, encoding: .utf8) {
                do throws(AllowedSignersError) { result = .success(try AllowedSigners(text: text)) } catch { result = .failure(error) }
            } else {
                result = .failure(AllowedSignersError(line: 0, message: "not UTF-8 text"))
            }
        } else {
            result = .success(AllowedSigners(entries: []))
        }
        parsed.append(ParsedFile(blob: key, result: result))
        return result
    }

    /// The verdict on commit `id`; `asRoot` for the trust root, which its own `allowed_signers` must approve.
    /// - Parameter notBefore: the latest commit time before it on main: a key's validity is judged at the later of the
    ///   two, so that a commit dated in the past does not bring back a key whose `valid-before` has passed.
    mutating func verdict(_ id: OID, asRoot: Bool, notBefore: Date? = nil) throws(GitError) -> TrustVerdict {
        let commit = try repository.commit(id)
        let parent = try commit.parentIDs.first.map { (parent) throws(GitError) in try repository.commit(parent) }
        let kind: TrustVerdict.Kind = asRoot || parent == nil ? .root : commit.parentIDs.count >= 2 ? .merge : .commit
        let summary = TerminalText.neutralise(String(commit.summary.prefix(120)))
        func bad(_ reason: String, fingerprint: String? = nil) -> TrustVerdict {
            TrustVerdict(commit: id.hex, kind: kind, status: .bad, fingerprint: fingerprint, reason: reason, summary: summary)
        }
        let inForceTree = kind == .root ? commit.treeID : parent!.treeID
        let inForceAt = kind == .root ? id : parent!.id
        let keys: AllowedSigners
        switch try signers(inTree: inForceTree) {
        case .success(let read): keys = read
        case .failure(let error):
            let place = error.line > 0 ? " line \(error.line)" : ""
            return bad("\(Self.signersFile) at \(inForceAt.short) cannot be read (\(Self.signersFile)\(place): \(error.message)), so nothing it lists can approve")
        }
        if keys.isEmpty { return TrustVerdict(commit: id.hex, kind: kind, status: .unsigned, summary: summary) }

        guard let stored = try repository.commitSignature(id) else { return bad("not signed, and \(Self.signersFile) at \(inForceAt.short) lists keys") }
        guard stored.signature.utf8.count <= Self.maxSignatureBytes else { return bad("its signature is larger than \(Self.maxSignatureBytes / 1024) KiB") }
        guard let signature = SSHSignature(armored: stored.signature) else { return bad("its signature is not an SSH signature minic can check") }
        let fingerprint = signature.publicKey.fingerprint
        guard signature.isValid(for: stored.signedData, namespace: Self.namespace) else {
            return bad(
                signature.namespace == Self.namespace ? "its signature does not verify (the commit was changed after signing)" : "signed in namespace '\(TerminalText.neutralise(signature.namespace))', not 'git'",
                fingerprint: fingerprint)
        }
        let time = max(commit.committer.time, notBefore ?? .distantPast)
        guard let signer = keys.signer(for: signature.publicKey, namespace: Self.namespace, at: time) else {
            return bad("signed by \(fingerprint), which \(Self.signersFile) at \(inForceAt.short) does not allow (at that time, in namespace git)", fingerprint: fingerprint)
        }
        // A key removed from allowed_signers on this machine's main signs nothing new, even on a main rewound to
        // before its removal: only commits that were already in the history it was removed from.
        if let removal = revocations.removal(of: fingerprint), try !revocations.allows(commit: id, removal: removal, repository: repository) {
            return bad("signed by \(fingerprint), a key removed from \(Self.signersFile) at \(removal.removed.short) (main was rewound past its removal)", fingerprint: fingerprint)
        }
        // The file's mode counts as a change too: it is the admin's, whatever it holds.
        let changesSigners = try parent.map { (parent) throws(GitError) in
            let before = try repository.tree(parent.treeID).entry(atPath: Self.signersFile)
            let after = try repository.tree(commit.treeID).entry(atPath: Self.signersFile)
            return before?.id != after?.id || before?.mode != after?.mode
        } ?? false
        let needed: SignerRole
        if kind != .merge || changesSigners {
            needed = .admin
        } else if let rule = Trailers.value("Rule", in: commit.message), rule == "auto" || rule == "auto-revert" {
            needed = .auto
        } else {
            needed = .review
        }
        // A merge signed by anyone but an admin is replayed against the checks `update merge` makes, under the rules
        // and config in force before it: no protected path, approvals_required met (the approvals travel in its
        // message), and for an auto key only what minic merges by itself.
        if kind == .merge && signer.role != .admin && AllowedSigners.rank(signer.role) >= AllowedSigners.rank(needed) {
            guard let scope = MergeScope.installed else {
                return bad("this process cannot replay a merge's checks (MergeScope not installed)", fingerprint: fingerprint)
            }
            let problems: [String]
            do throws(MinicError) {
                problems = try scope(
                    MergeScope.Context(repository: repository, merge: id, signers: keys, signerKey: signature.publicKey, role: signer.role, time: time))
            } catch {
                problems = [error.message]
            }
            if let first = problems.first {
                return bad("signed by \(TerminalText.neutralise(signer.principals)) (role \(signer.role.rawValue)), but `update merge` would have refused it: \(first)", fingerprint: fingerprint)
            }
        }
        guard AllowedSigners.rank(signer.role) >= AllowedSigners.rank(needed) else {
            let what = changesSigners ? "a change to \(Self.signersFile)" : kind == .merge ? "a reviewed merge" : kind == .root ? "the trust root" : "a one-parent commit"
            return bad("signed by \(TerminalText.neutralise(signer.principals)) (role \(signer.role.rawValue)), but \(what) needs role \(needed.rawValue)", fingerprint: fingerprint)
        }
        if changesSigners, let parent { try noteSignerChanges(from: parent.treeID, to: commit.treeID, at: id) }
        return TrustVerdict(
            commit: id.hex, kind: kind, status: .good, principals: signer.principals, role: signer.role, fingerprint: fingerprint, summary: summary)
    }

    /// Keys an approved commit removed from or added back to `allowed_signers`.
    private mutating func noteSignerChanges(from before: OID, to after: OID, at id: OID) throws(GitError) {
        let old = Set(((try? signers(inTree: before).get())?.entries ?? []).map(\.key.fingerprint))
        let new = Set(((try? signers(inTree: after).get())?.entries ?? []).map(\.key.fingerprint))
        for fingerprint in old.subtracting(new).sorted() { seenChanges.append((fingerprint, true, id)) }
        for fingerprint in new.subtracting(old).sorted() { seenChanges.append((fingerprint, false, id)) }
    }

    /// One `allowed_signers` blob (`nil`: no file) and what reading it gave.
    private struct ParsedFile {
        let blob: OID?
        let result: Result<AllowedSigners, AllowedSignersError>
    }
}

/// The replay of `update merge`'s checks on a merge found on main (the rules, config and approvals live in
/// MinicUpdates, which installs it with ``install(_:)``; without it such merges are refused): the problems that would
/// have refused it, none when it is one `update merge` could have made.
public enum MergeScope {
    /// What the check is given.
    public struct Context {
        public let repository: Repository
        public let merge: OID
        /// The `allowed_signers` in force before the merge.
        public let signers: AllowedSigners
        public let signerKey: SSHPublicKey
        public let role: SignerRole
        /// The merge's time as verification judges it (the latest commit time on main up to it).
        public let time: Date
    }

    public typealias Check = @Sendable (Context) throws(MinicError) -> [String]
    private static let current = Locked<Check?>(nil)

    static var installed: Check? { current.withLock { $0 } }

    public static func install(_ check: @escaping Check) { current.withLock { $0 = check } }
}
