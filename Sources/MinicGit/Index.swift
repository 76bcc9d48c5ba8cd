import CGit2
import Foundation

/// An index (`git_index`): the repository's staging area, or an in-memory
/// result of a merge or an apply.
public final class Index {
    public let repository: Repository
    let pointer: OpaquePointer

    init(repository: Repository, pointer: OpaquePointer) {
        self.repository = repository
        self.pointer = pointer
    }

    deinit { git_index_free(pointer) }

    /// Stages every file of the work tree that is not ignored, including new ones
    /// and deletions (`git add -A`), in memory only.
    public func addAll() throws(GitError) {
        try check(git_index_add_all(pointer, nil, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil), "git_index_add_all")
        try check(git_index_update_all(pointer, nil, nil, nil), "git_index_update_all")
    }

    /// Stages one path from the work tree (`git add PATH`), in memory only.
    public func add(path: String) throws(GitError) {
        try check(git_index_add_bypath(pointer, path), "git_index_add_bypath(\(path))")
    }

    /// Unstages one path (`git rm --cached PATH`), in memory only.
    public func remove(path: String) throws(GitError) {
        try check(git_index_remove_bypath(pointer, path), "git_index_remove_bypath(\(path))")
    }

    /// Writes the index's content as trees into the repository and returns the root tree.
    public func writeTree() throws(GitError) -> OID {
        var out = git_oid()
        try check(git_index_write_tree_to(&out, pointer, repository.pointer), "git_index_write_tree_to")
        return OID(out)
    }

    /// The stage-0 entry at `path` (blob id and mode), or `nil` when the index has none.
    public func entry(atPath path: String) -> (id: OID, mode: FileMode)? {
        guard let entry = git_index_get_bypath(pointer, path, 0)?.pointee else { return nil }
        return (OID(entry.id), FileMode(rawValue: entry.mode) ?? .unreadable)
    }

    /// Writes the index to its file (`.git/index`) through libgit2's lock file, so a reader sees the old
    /// index or the new one (`git_index_write`).
    public func write() throws(GitError) {
        try check(git_index_write(pointer), "git_index_write")
    }

    /// Discards in-memory changes by reading the index file again.
    public func reload() throws(GitError) {
        try check(git_index_read(pointer, 1), "git_index_read")
    }

    /// Whether a merge left conflicts.
    public var hasConflicts: Bool { git_index_has_conflicts(pointer) == 1 }

    /// The paths in conflict, sorted.
    public func conflictPaths() throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try check(git_index_conflict_iterator_new(&iterator, pointer), "git_index_conflict_iterator_new")
        defer { git_index_conflict_iterator_free(iterator) }
        var paths = Set<String>()
        var ancestor: UnsafePointer<git_index_entry>?
        var ours: UnsafePointer<git_index_entry>?
        var theirs: UnsafePointer<git_index_entry>?
        while true {
            let result = git_index_conflict_next(&ancestor, &ours, &theirs, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "git_index_conflict_next")
            for entry in [ancestor, ours, theirs] {
                if let entry, let path = entry.pointee.path { paths.insert(String(cString: path)) }
            }
        }
        return paths.sorted()
    }
}

extension Repository {
    /// The repository's own index (`.git/index`).
    public func index() throws(GitError) -> Index {
        var raw: OpaquePointer?
        try check(git_repository_index(&raw, pointer), "git_repository_index")
        return Index(repository: self, pointer: try produced(raw, "index"))
    }

    /// Merges two commits in memory (`git merge-tree`), with rename detection.
    /// The work tree, index and references are untouched.
    public func mergeCommits(ours: OID, theirs: OID) throws(GitError) -> Index {
        let ourCommit = try commit(ours)
        let theirCommit = try commit(theirs)
        var options = git_merge_options()
        try check(git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)), "git_merge_options_init")
        var raw: OpaquePointer?
        try check(git_merge_commits(&raw, pointer, ourCommit.pointer, theirCommit.pointer, &options), "git_merge_commits")
        return Index(repository: self, pointer: try produced(raw, "index"))
    }

    /// Merges two trees against a common ancestor in memory (`git merge-tree --merge-base`), with
    /// rename detection: what undoes a merge (ancestor: the merge's tree, theirs: its first parent's)
    /// on a head that moved on. The work tree, index and references are untouched.
    public func mergeTrees(ancestor: OID, ours: OID, theirs: OID) throws(GitError) -> Index {
        let ancestorTree = try tree(ancestor)
        let ourTree = try tree(ours)
        let theirTree = try tree(theirs)
        var options = git_merge_options()
        try check(git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)), "git_merge_options_init")
        var raw: OpaquePointer?
        try check(git_merge_trees(&raw, pointer, ancestorTree.pointer, ourTree.pointer, theirTree.pointer, &options), "git_merge_trees")
        return Index(repository: self, pointer: try produced(raw, "index"))
    }

    /// Parses a patch in git's format (`diff --git` headers; see ``PatchText/normalized(_:)`` for other shapes)
    /// without applying it, to see which paths and modes it touches.
    public func parsePatch(_ patch: [UInt8]) throws(GitError) -> Diff {
        try Diff(parsing: patch, repository: self)
    }

    /// Applies a unified diff (as `git diff` writes it) to a tree, in memory, with libgit2's apply.
    ///
    /// What `git apply` refuses is refused here too (``checkAsGitApplies(_:base:)``), and a file whose
    /// patch states no mode (no `index` or `old mode`/`new mode` line, as in a plain unified diff) keeps
    /// its mode, as `git apply` does: libgit2 alone would make it 100644.
    /// - Throws: ``GitError`` with code ``GitError/Code/applyFailed`` when a hunk does not apply;
    ///   the message starts with the file's path.
    public func apply(patch: [UInt8], to tree: OID) throws(GitError) -> Index {
        let diff = try Diff(parsing: patch, repository: self)
        let base = try self.tree(tree)
        try checkAsGitApplies(diff, base: base)
        var options = git_apply_options()
        try check(git_apply_options_init(&options, UInt32(GIT_APPLY_OPTIONS_VERSION)), "git_apply_options_init")
        // libgit2 calls delta_cb before each file it applies: the last one seen is the one that failed.
        let progress = ApplyProgress()
        options.payload = Unmanaged.passUnretained(progress).toOpaque()
        options.delta_cb = { delta, payload in
            guard let delta, let payload else { return 0 }
            let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            Unmanaged<ApplyProgress>.fromOpaque(payload).takeUnretainedValue().path = file.map { String(cString: $0) }
            return 0
        }
        var raw: OpaquePointer?
        let result = withExtendedLifetime(progress) { git_apply_to_tree(&raw, pointer, base.pointer, diff.pointer, &options) }
        if result < 0 {
            let error = lastError(code: result, operation: "git_apply_to_tree")
            guard let path = progress.path, !error.message.contains(path) else { throw error }
            throw GitError(code: error.code, errorClass: error.errorClass, message: "\(path): \(error.message)", operation: error.operation)
        }
        let index = Index(repository: self, pointer: try produced(raw, "index"))
        try keepUnstatedModes(diff: diff, base: base, index: index)
        return index
    }

    /// Gives each file modified by a delta without a mode its mode in `base` back.
    private func keepUnstatedModes(diff: Diff, base: Tree, index: Index) throws(GitError) {
        for number in 0..<git_diff_num_deltas(diff.pointer) {
            guard let delta = git_diff_get_delta(diff.pointer, number)?.pointee, delta.new_file.mode == 0,
                delta.status == GIT_DELTA_MODIFIED || delta.status == GIT_DELTA_RENAMED,
                let oldPath = delta.old_file.path, let newPath = delta.new_file.path
            else { continue }
            guard let original = try base.entry(atPath: String(cString: oldPath)), original.mode != .blob else { continue }
            guard let current = git_index_get_bypath(index.pointer, newPath, 0)?.pointee else { continue }
            var entry = current
            entry.mode = original.mode.rawValue
            // The index owns `current`'s path and frees it when the entry is replaced: hand libgit2 a copy.
            guard let copy = strdup(newPath) else { throw GitError(code: .generic, message: "out of memory", operation: "strdup") }
            defer { free(copy) }
            entry.path = UnsafePointer(copy)
            try check(git_index_add(index.pointer, &entry), "git_index_add(\(String(cString: copy)))")
        }
    }
}

/// The file libgit2's apply is working on, for naming it when a hunk fails.
private final class ApplyProgress {
    var path: String?
}
