import CGit2

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

    /// Applies a unified diff (as `git diff` writes it) to a tree, in memory, with libgit2's apply.
    /// - Throws: ``GitError`` with code ``GitError/Code/applyFailed`` when a hunk does not apply.
    public func apply(patch: [UInt8], to tree: OID) throws(GitError) -> Index {
        let diff = try Diff(parsing: patch, repository: self)
        let base = try self.tree(tree)
        var options = git_apply_options()
        try check(git_apply_options_init(&options, UInt32(GIT_APPLY_OPTIONS_VERSION)), "git_apply_options_init")
        var raw: OpaquePointer?
        try check(git_apply_to_tree(&raw, pointer, base.pointer, diff.pointer, &options), "git_apply_to_tree")
        return Index(repository: self, pointer: try produced(raw, "index"))
    }
}
