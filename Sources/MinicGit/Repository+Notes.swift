import CGit2

/// Git notes: text attached to an object under a notes reference (`refs/notes/...`), as `git notes` reads and
/// writes them. A note is a blob in the notes reference's own commit history, so `git gc` keeps it and
/// `git notes --ref=NAME show OBJECT` prints it.
extension Repository {
    /// The note attached to `object` under `notesRef` (e.g. `refs/notes/minic/evals`) and its blob, or `nil` when there is none.
    public func note(for object: OID, notesRef: String) throws(GitError) -> (text: String, blob: OID)? {
        var note: OpaquePointer?
        var oid = object.raw
        let result = git_note_read(&note, pointer, notesRef, &oid)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_note_read(\(notesRef), \(object.short))")
        defer { git_note_free(note) }
        let blob = OID(try produced(git_note_id(note), "git_note_id").pointee)
        guard let message = git_note_message(note) else { return ("", blob) }
        return (String(cString: message), blob)
    }

    /// Attaches `text` to `object` under `notesRef`, replacing a note already there: one new commit on the notes reference.
    /// - Returns: the note's blob.
    @discardableResult
    public func setNote(_ text: String, for object: OID, notesRef: String, author: Signature) throws(GitError) -> OID {
        var out = git_oid()
        var oid = object.raw
        _ = try author.withGitSignature { (signature) throws(GitError) in
            try check(git_note_create(&out, pointer, notesRef, signature, signature, &oid, text, 1), "git_note_create(\(notesRef), \(object.short))")
        }
        return OID(out)
    }
}
