import CGit2
import Foundation

/// A commit's signature (its `gpgsig` header) and the bytes it signs: the commit object without that header.
public struct CommitSignature: Sendable {
    public let signature: String
    public let signedData: [UInt8]
}

extension Repository {
    /// The signature of commit `id` and what it signs, or `nil` when the commit carries none
    /// (`git_commit_extract_signature`, as `git verify-commit` reads it).
    public func commitSignature(_ id: OID) throws(GitError) -> CommitSignature? {
        var signature = git_buf()
        var signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        var oid = id.raw
        let result = git_commit_extract_signature(&signature, &signed, pointer, &oid, nil)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_commit_extract_signature(\(id.short))")
        let text = signature.ptr.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: signature.size), as: UTF8.self) } ?? ""
        let data = signed.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: signed.size)) } ?? []
        return CommitSignature(signature: text, signedData: data)
    }

    /// The text of the commit object ``createCommit(tree:parents:message:author:committer:)`` would write,
    /// without writing it: what a signature signs.
    public func commitContent(tree: OID, parents: [OID], message: String, author: Signature, committer: Signature) throws(GitError) -> String {
        let treeObject = try self.tree(tree)
        let parentCommits = try parents.map { (id) throws(GitError) -> Commit in try commit(id) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try author.withGitSignature { (authorSig) throws(GitError) in
            try committer.withGitSignature { (committerSig) throws(GitError) in
                var parentPointers: [OpaquePointer?] = parentCommits.map { $0.pointer }
                let result = parentPointers.withUnsafeMutableBufferPointer { parents in
                    git_commit_create_buffer(&buffer, pointer, authorSig, committerSig, "UTF-8", message, treeObject.pointer, parents.count, parents.baseAddress)
                }
                try check(result, "git_commit_create_buffer")
            }
        }
        withExtendedLifetime(parentCommits) {}
        guard let text = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: buffer.size), as: UTF8.self)
    }

    /// Writes the commit `content` (from ``commitContent(tree:parents:message:author:committer:)``) with `signature`
    /// in its `gpgsig` header, without moving any reference.
    public func createSignedCommit(content: String, signature: String) throws(GitError) -> OID {
        var out = git_oid()
        try check(git_commit_create_with_signature(&out, pointer, content, signature, "gpgsig"), "git_commit_create_with_signature")
        return OID(out)
    }
}
