import Foundation
import MinicBase
import MinicGit
import MinicTrust

/// The key a commit is about to be signed with, and what the `allowed_signers` in force say of it.
public struct CommitSigner: Sendable {
    public let signer: SSHSigner
    public let publicKey: SSHPublicKey
    /// Its line in the `allowed_signers` in force (nil only for the first commit of a home, which lists the key itself).
    public let entry: AllowedSigners.Entry?

    /// The `Signed-by:` trailer line of a commit it signs: principals and fingerprint.
    public var trailer: String { "Signed-by: \(CommitText.title(entry?.principals ?? "") ?? "") \(publicKey.fingerprint)\n" }
}

extension Home {
    /// Where the signing key comes from: `MINIC_SIGNING_KEY`, then `updates.signing_key`, then git's
    /// `user.signingkey` when `gpg.format` is `ssh` (a path, or `key::` and a public key an agent holds).
    public func signingKeyPath(config: MinicConfig?) throws(MinicError) -> String? {
        if let value = environment["MINIC_SIGNING_KEY"], !value.isEmpty { return value }
        if let value = config?.updates.signingKey, !value.isEmpty { return value }
        guard repository.configString("gpg.format") == "ssh", let value = repository.configString("user.signingkey"), !value.isEmpty else { return nil }
        return value
    }

    /// The `allowed_signers` a tree holds.
    /// - Throws: ``MinicError`` (refused) when the file cannot be read: nothing it lists may approve.
    public func allowedSigners(inTree tree: OID) throws(MinicError) -> AllowedSigners {
        var chain = TrustChain(repository: repository)
        switch try git("reading \(TrustChain.signersFile)", { () throws(GitError) in try chain.signers(inTree: tree) }) {
        case .success(let signers): return signers
        case .failure(let error):
            throw .refused("\(TrustChain.signersFile) at \(tree.short) cannot be read (line \(error.line): \(error.message)); fix it with an admin's `minic update signers`")
        }
    }

    /// The signer for a commit on top of `head` that needs `role`, or `nil` when the head's `allowed_signers`
    /// lists no key (the home is unsigned).
    /// - Throws: ``MinicError`` (refused) when the home signs but no key is set, or the key is not allowed
    ///   with that role: refused before anything is written.
    public func commitSigner(head: OID, role needed: SignerRole, config: MinicConfig?) throws(MinicError) -> CommitSigner? {
        let tree = try git("reading \(head.short)") { () throws(GitError) in try repository.commit(head).treeID }
        let signers = try allowedSigners(inTree: tree)
        if signers.isEmpty { return nil }
        guard let path = try signingKeyPath(config: config) else {
            throw .refused(
                "this home signs its approvals (\(TrustChain.signersFile) lists \(signers.entries.count) key(s)): set updates.signing_key, MINIC_SIGNING_KEY or git config user.signingkey; nothing changed"
            )
        }
        let signer = SSHSigner(keyPath: path, environment: environment)
        let key = try signer.publicKey()
        guard let entry = signers.signer(for: key, at: Date()) else {
            throw .refused("signing key \(key.fingerprint) (\(signer.keyPath)) is not in \(TrustChain.signersFile); an admin adds it with `minic update signers add`; nothing changed")
        }
        guard AllowedSigners.rank(entry.role) >= AllowedSigners.rank(needed) else {
            throw .refused(
                "signing key \(key.fingerprint) (\(TerminalText.neutralise(entry.principals))) has role \(entry.role.rawValue); this needs \(needed.rawValue); nothing changed")
        }
        return CommitSigner(signer: signer, publicKey: key, entry: entry)
    }

    /// Writes a commit signed by `signer` (unsigned when `signer` is nil), without moving any reference, and
    /// checks it the way loading will: a commit main would refuse is never written as approved.
    /// - Throws: ``MinicError`` (refused) when the signed commit would not verify.
    public func writeCommit(tree: OID, parents: [OID], message: String, author: Signature, signer: CommitSigner?) throws(MinicError) -> OID {
        guard let signer else {
            return try git("writing the commit") { () throws(GitError) in
                try repository.createCommit(tree: tree, parents: parents, message: message, author: author, committer: author)
            }
        }
        let content = try git("writing the commit") { () throws(GitError) in
            try repository.commitContent(tree: tree, parents: parents, message: message, author: author, committer: author)
        }
        let signed = try signer.signer.sign(Array(content.utf8), namespace: TrustChain.namespace)
        guard signed.signature.publicKey == signer.publicKey else {
            throw .refused("ssh-keygen signed with \(signed.signature.publicKey.fingerprint), not \(signer.publicKey.fingerprint) as its .pub says; nothing changed")
        }
        let commit = try git("writing the signed commit") { () throws(GitError) in try repository.createSignedCommit(content: content, signature: signed.armored) }
        var chain = TrustChain(repository: repository)
        let verdict = try git("checking the signed commit") { () throws(GitError) in try chain.verdict(commit, asRoot: parents.isEmpty) }
        guard verdict.status == .good else { throw .refused("the signed commit would not verify: \(verdict.reason ?? verdict.status.rawValue); nothing changed") }
        return commit
    }
}
