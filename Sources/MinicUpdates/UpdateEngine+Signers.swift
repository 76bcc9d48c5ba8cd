import Foundation
import MinicCore
import MinicGit
import MinicTrust

/// What `minic update signers add|remove` did.
public struct SignersChange: Sendable {
    public let commit: OID
    public let previousHead: OID
    /// The lines added or removed.
    public let lines: [String]
    /// Whether the commit is signed (an unsigned home's first key is not: no key was in force to sign it).
    public let signed: Bool
}

extension UpdateEngine {
    /// Adds a key to `allowed_signers` in a commit on main signed by an admin (unsigned only while no key is
    /// in force: the first key, which must then be an admin's).
    /// - Throws: ``MinicError`` (bad input) for a principal that does not fit the file's format, (refused)
    ///   for a key already listed or a signer who is not an admin.
    public func addSigner(principal: String, key: SSHPublicKey, role: SignerRole) throws(MinicError) -> SignersChange {
        // One principal as ssh-keygen and git read it: no list (`,`), no pattern (`*`, `?`, `!`), no comment or quote.
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-")
        guard !principal.isEmpty, principal.count <= 200, !principal.hasPrefix("-"), principal.unicodeScalars.allSatisfy(allowed.contains) else {
            throw .badInput(
                "principal '\(TerminalText.neutralise(String(principal.prefix(60))))': one name such as an e-mail address (letters, digits and . _ @ + -)")
        }
        return try changeSigners(what: "add \(principal)") { (current, text) throws(MinicError) in
            if let listed = current.entries.first(where: { $0.key == key }) {
                throw .refused("key \(key.fingerprint) is already listed (line \(listed.line), \(TerminalText.neutralise(listed.principals))); nothing changed")
            }
            if current.isEmpty && role != .admin {
                throw .refused("the first key of a home must be an admin's (--role admin): only an admin can change the list later; nothing changed")
            }
            let line = AllowedSignersFile.line(principal: principal, key: key, role: role)
            var lines = text.isEmpty ? [AllowedSignersFile.header] : [text.hasSuffix("\n") ? String(text.dropLast()) : text]
            lines.append(line)
            return (lines.joined(separator: "\n") + "\n", [line])
        }
    }

    /// Removes the lines whose principals field or key fingerprint is `who`, in an admin's signed commit.
    /// The last admin cannot go while other keys remain (nobody could change the list again); removing the
    /// last key turns signing off.
    public func removeSigner(_ who: String) throws(MinicError) -> SignersChange {
        try changeSigners(what: "remove \(who)") { (current, text) throws(MinicError) in
            let doomed = Set(current.entries.filter { $0.principals == who || $0.key.fingerprint == who }.map(\.line))
            if doomed.isEmpty { throw .notFound("no line of allowed_signers names \(TerminalText.neutralise(who)) (principals or SHA256 fingerprint)") }
            let left = current.entries.filter { !doomed.contains($0.line) }
            if !left.isEmpty && !left.contains(where: { $0.role == .admin }) {
                throw .refused("that would leave no admin while \(left.count) key(s) remain: nobody could change allowed_signers again; add another admin first; nothing changed")
            }
            var kept: [String] = []
            var removed: [String] = []
            for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).enumerated() {
                if doomed.contains(index + 1) { removed.append(String(line)) } else { kept.append(String(line)) }
            }
            return (kept.joined(separator: "\n"), removed)
        }
    }

    /// Reads the head's file, lets `edit` make the new text, commits it signed by an admin and moves main.
    private func changeSigners(
        what: String, _ edit: (AllowedSigners, String) throws(MinicError) -> (text: String, lines: [String])
    ) throws(MinicError) -> SignersChange {
        if let origin = try home.originDisplayURL() {
            throw .refused("\(home.path) is a clone of \(origin): change signers there, then minic home pull here; nothing changed")
        }
        let lock = try UpdateLock.acquire(home: home)
        defer { withExtendedLifetime(lock) {} }
        let (branch, head) = try targetHead()
        let config = try home.config()  // checks main's approvals first: nobody signs on top of a history that fails
        let headTree = try treeOf(head)
        let current = try home.allowedSigners(inTree: headTree)
        let file = AllowedSignersFile.path
        let bytes = try git("reading \(file)") { () throws(GitError) in try repository.fileData(atPath: file, inTree: headTree) } ?? []
        let (text, lines) = try edit(current, String(decoding: bytes, as: UTF8.self))
        do throws(AllowedSignersError) {
            _ = try AllowedSigners(text: text)
        } catch {
            throw .internal("the new \(file) would not read back (line \(error.line): \(error.message)); nothing changed")
        }
        let clashing = try git("reading the work tree status") { () throws(GitError) in try repository.status(paths: [file]) }
        if !clashing.isEmpty { throw .refused("\(file) has uncommitted changes in \(home.path); discard them first (git checkout -- \(file)); nothing changed") }
        let signer = try home.commitSigner(head: head, role: .admin, config: config)
        let blob = try git("writing \(file)") { () throws(GitError) in try repository.writeBlob(Array(text.utf8)) }
        let tree = try git("writing the tree") { () throws(GitError) in try repository.createTree(updating: headTree, with: [.upsert(path: file, blob: blob, mode: .blob)]) }
        let actor = home.actor
        var message = "Signers: \(CommitText.title(what) ?? "change")\n\n"
        if let signer { message += signer.trailer }
        message += "Approved-by: \(CommitText.title(actor.identity) ?? "unknown")\nRule: admin\n"
        let commit = try home.writeCommit(tree: tree, parents: [head], message: message, author: actor, signer: signer)
        try moveBranch(branch, from: head, to: commit, message: "minic: signers \(what)")
        try git("updating the work tree") { () throws(GitError) in try repository.checkout(tree: tree, mode: .safe, baseline: headTree, paths: [file]) }
        var event = UpdateEvent(kind: .signers, actor: actor.identity)
        event.from = head.hex
        event.to = commit.hex
        event.reason = what
        _ = try journal.append(event)
        updateLog.notice("signers: \(what) (\(head.short) -> \(commit.short))")
        return SignersChange(commit: commit, previousHead: head, lines: lines, signed: signer != nil)
    }
}
