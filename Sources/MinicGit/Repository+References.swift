import Foundation
import CGit2

/// Reference reading and compare-and-swap updates.
extension Repository {
    /// The name of the branch HEAD points at (e.g. `refs/heads/main`), or `nil` when HEAD is detached.
    public func headBranchName() throws(GitError) -> String? {
        var ref: OpaquePointer?
        try check(git_reference_lookup(&ref, pointer, "HEAD"), "git_reference_lookup(HEAD)")
        defer { git_reference_free(ref) }
        guard git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(ref) else {
            return nil
        }
        return String(cString: target)
    }

    /// The commit HEAD resolves to, or `nil` while the branch is unborn.
    public func headCommitID() throws(GitError) -> OID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, "HEAD")
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EUNBORNBRANCH.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_reference_name_to_id(HEAD)")
        return OID(oid)
    }

    /// The object a reference resolves to (following symbolic references), or `nil` if there is no such reference.
    public func referenceTarget(_ name: String) throws(GitError) -> OID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, name)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_reference_name_to_id(\(name))")
        return OID(oid)
    }

    /// Creates a new direct reference; fails with ``GitError/Code/exists`` if the name is taken.
    public func createReference(_ name: String, target: OID, message: String) throws(GitError) {
        var ref: OpaquePointer?
        var oid = target.raw
        try check(git_reference_create(&ref, pointer, name, &oid, 0, message), "git_reference_create(\(name))")
        git_reference_free(ref)
    }

    /// Points `name` at `target` only if it still points at `expected` (compare-and-swap).
    ///
    /// libgit2 takes the reference's lock file, compares, and renames the new
    /// value into place, so a concurrent writer is refused rather than overwritten.
    /// - Parameter expected: the value the caller read; `nil` means the reference must not exist.
    /// - Throws: ``GitError`` with code ``GitError/Code/modified`` (or ``GitError/Code/exists``)
    ///   when the reference moved in the meantime.
    public func updateReference(_ name: String, to target: OID, expected: OID?, message: String) throws(GitError) {
        var ref: OpaquePointer?
        var oid = target.raw
        if var old = expected?.raw {
            try check(
                git_reference_create_matching(&ref, pointer, name, &oid, 1, &old, message),
                "git_reference_create_matching(\(name))")
        } else {
            try check(git_reference_create(&ref, pointer, name, &oid, 0, message), "git_reference_create(\(name))")
        }
        git_reference_free(ref)
    }

    /// The moves the reflog of `name` records, newest first, at most `limit` of them, each
    /// with the time it was logged and its message (empty when the reference has no reflog).
    public func reflogMoves(_ name: String, limit: Int) throws(GitError) -> [(old: OID, new: OID, time: Date, message: String)] {
        var log: OpaquePointer?
        try check(git_reflog_read(&log, pointer, name), "git_reflog_read(\(name))")
        defer { git_reflog_free(log) }
        var moves: [(old: OID, new: OID, time: Date, message: String)] = []
        // Index 0 is the newest entry.
        for index in 0..<min(git_reflog_entrycount(log), max(0, limit)) {
            guard let entry = git_reflog_entry_byindex(log, index), let old = git_reflog_entry_id_old(entry), let new = git_reflog_entry_id_new(entry) else {
                break
            }
            let seconds = git_reflog_entry_committer(entry).map { $0.pointee.when.time } ?? 0
            let message = git_reflog_entry_message(entry).map { String(cString: $0) } ?? ""
            moves.append((OID(old.pointee), OID(new.pointee), Date(timeIntervalSince1970: TimeInterval(seconds)), message))
        }
        return moves
    }

    /// Deletes a reference (and its reflog).
    public func deleteReference(_ name: String) throws(GitError) {
        try check(git_reference_remove(pointer, name), "git_reference_remove(\(name))")
    }

    /// Deletes a reference only while it still points at `expected`; a reference that
    /// moved (or is gone) is left alone. libgit2 compares the value it read under the
    /// reference's lock (`git_reference_delete`: "fails with GIT_EMODIFIED if the
    /// reference has changed since it was read").
    public func deleteReference(_ name: String, expected: OID) throws(GitError) {
        var ref: OpaquePointer?
        let found = git_reference_lookup(&ref, pointer, name)
        if found == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return
        }
        try check(found, "git_reference_lookup(\(name))")
        defer { git_reference_free(ref) }
        guard let target = git_reference_target(ref), OID(target.pointee) == expected else { return }
        let result = git_reference_delete(ref)
        if result == GIT_EMODIFIED.rawValue {
            git_error_clear()
            return
        }
        try check(result, "git_reference_delete(\(name))")
    }

    /// All references whose names match a glob (e.g. `refs/heads/proposals/*`), with the object each resolves to.
    public func references(matching glob: String) throws(GitError) -> [(name: String, target: OID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, pointer, glob), "git_reference_iterator_glob_new(\(glob))")
        defer { git_reference_iterator_free(iterator) }
        var found: [(name: String, target: OID)] = []
        var ref: OpaquePointer?
        while true {
            let result = git_reference_next(&ref, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "git_reference_next")
            defer { git_reference_free(ref) }
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, ref) == 0 else {
                git_error_clear()
                continue
            }
            defer { git_reference_free(resolved) }
            if let target = git_reference_target(resolved) {
                found.append((String(cString: git_reference_name(ref)), OID(target.pointee)))
            }
        }
        return found
    }

    /// Whether `name` is a valid reference name.
    public static func isValidReferenceName(_ name: String) -> Bool {
        var valid: Int32 = 0
        guard git_reference_name_is_valid(&valid, name) == 0 else {
            git_error_clear()
            return false
        }
        return valid == 1
    }

    /// Resolves a revision (full or short sha, ref name, `HEAD~2`, ...) to the commit it names.
    public func resolveCommit(_ spec: String) throws(GitError) -> OID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, spec), "git_revparse_single(\(spec))")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "git_object_peel(\(spec))")
        defer { git_object_free(peeled) }
        return OID(git_object_id(peeled).pointee)
    }

    /// Resolves a revision to a tree (a commit's tree, or a tree itself).
    public func resolveTree(_ spec: String) throws(GitError) -> OID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, spec), "git_revparse_single(\(spec))")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_TREE), "git_object_peel(\(spec))")
        defer { git_object_free(peeled) }
        return OID(git_object_id(peeled).pointee)
    }
}
