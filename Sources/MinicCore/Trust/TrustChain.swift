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

    let repository: Repository
    /// Parsed files by blob id (`nil` key: no file), so 2,000 commits that share one file parse it once.
    private var parsed: [OID?: Result<AllowedSigners, AllowedSignersError>] = [:]

    init(repository: Repository) { self.repository = repository }

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
        if let known = parsed[key] { return known }
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
        parsed[key] = result
        return result
    }

    /// The verdict on commit `id`; `asRoot` for the trust root, which its own `allowed_signers` must approve.
    mutating func verdict(_ id: OID, asRoot: Bool) throws(GitError) -> TrustVerdict {
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
        guard let signature = SSHSignature(armored: stored.signature) else { return bad("its signature is not an SSH signature minic can check") }
        let fingerprint = signature.publicKey.fingerprint
        guard signature.isValid(for: stored.signedData, namespace: Self.namespace) else {
            return bad(
                signature.namespace == Self.namespace ? "its signature does not verify (the commit was changed after signing)" : "signed in namespace '\(TerminalText.neutralise(signature.namespace))', not 'git'",
                fingerprint: fingerprint)
        }
        guard let signer = keys.signer(for: signature.publicKey, namespace: Self.namespace, at: commit.committer.time) else {
            return bad("signed by \(fingerprint), which \(Self.signersFile) at \(inForceAt.short) does not allow (at that time, in namespace git)", fingerprint: fingerprint)
        }
        let changesSigners = try parent.map { (parent) throws(GitError) in
            try repository.tree(parent.treeID).entry(atPath: Self.signersFile)?.id != repository.tree(commit.treeID).entry(atPath: Self.signersFile)?.id
        } ?? false
        let needed: SignerRole
        if kind != .merge || changesSigners {
            needed = .admin
        } else if let rule = Trailers.value("Rule", in: commit.message), rule == "auto" || rule == "auto-revert" {
            needed = .auto
        } else {
            needed = .review
        }
        // A key that may sign only merges minic made by itself (a server's, a worker's) signs a change minic would
        // have merged by itself, or nothing: its paths are checked against the rules in force before it.
        if needed == .auto && signer.role == .auto {
            guard let scope = AutoMergeScope.installed else {
                return bad("signed by an auto key, and this process cannot check an auto merge's paths", fingerprint: fingerprint)
            }
            let problems: [String]
            do throws(MinicError) { problems = try scope(repository, id) } catch { problems = [error.message] }
            if let first = problems.first {
                return bad("signed by \(TerminalText.neutralise(signer.principals)) (role auto), but it is no change minic merges by itself: \(first)", fingerprint: fingerprint)
            }
        }
        guard AllowedSigners.rank(signer.role) >= AllowedSigners.rank(needed) else {
            let what = changesSigners ? "a change to \(Self.signersFile)" : kind == .merge ? "a reviewed merge" : kind == .root ? "the trust root" : "a one-parent commit"
            return bad("signed by \(TerminalText.neutralise(signer.principals)) (role \(signer.role.rawValue)), but \(what) needs role \(needed.rawValue)", fingerprint: fingerprint)
        }
        return TrustVerdict(
            commit: id.hex, kind: kind, status: .good, principals: signer.principals, role: signer.role, fingerprint: fingerprint, summary: summary)
    }
}

/// The check of a merge an `auto` key signed: the problems that make it no change minic merges by itself (paths that
/// are not auto under the rules in force before it), none when it is one. The rules live in MinicUpdates, which installs
/// it (``install(_:)``); without it such merges are refused.
public enum AutoMergeScope {
    public typealias Check = @Sendable (Repository, OID) throws(MinicError) -> [String]
    private static let current = Locked<Check?>(nil)

    static var installed: Check? { current.withLock { $0 } }

    public static func install(_ check: @escaping Check) { current.withLock { $0 = check } }
}
