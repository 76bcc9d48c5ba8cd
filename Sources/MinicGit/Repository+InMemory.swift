import CGit2

extension Repository {
    /// A repository with no directory: its objects live in memory only and go with it.
    ///
    /// For work on trees that must leave nothing on disk (applying a model's diff to a
    /// task's files, diffing two sets of files): blobs, trees, ``apply(patch:to:)`` and
    /// ``diff(from:to:paths:)`` work; references, the index file and the work tree do not.
    /// `git_repository_new` makes a repository "with neither backends nor config object";
    /// the object database gets one backend, `git_mempack_new`'s in-memory pack.
    public static func inMemory() throws(GitError) -> Repository {
        Libgit2.initialize()
        var odb: OpaquePointer?
        try check(git_odb_new(&odb), "git_odb_new")
        // The repository takes its own reference to the object database (git_repository_set_odb).
        defer { git_odb_free(odb) }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "git_mempack_new")
        // Once added, the backend belongs to the object database, which frees it.
        let added = git_odb_add_backend(odb, backend, 1)
        if added < 0, let backend { backend.pointee.free?(backend) }
        try check(added, "git_odb_add_backend")
        var raw: OpaquePointer?
        try check(git_repository_new(&raw), "git_repository_new")
        let repository = Repository(pointer: try produced(raw, "git_repository_new"))
        try check(git_repository_set_odb(repository.pointer, odb), "git_repository_set_odb")
        return repository
    }
}
