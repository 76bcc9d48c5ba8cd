import CGit2

extension Repository {
    /// Opens the repository whose work tree (or `.git`) holds `path`, searching its parent directories as
    /// `git` does from a working directory (`git_repository_open_ext` without `GIT_REPOSITORY_OPEN_NO_SEARCH`;
    /// the search stops at a file system boundary, as git's does without `GIT_DISCOVERY_ACROSS_FILESYSTEM`).
    /// - Returns: `nil` when no repository holds `path`.
    /// - Throws: ``GitError`` when one is found but cannot be opened (an unsafe owner, a broken `.git`).
    public static func discover(containing path: String) throws(GitError) -> Repository? {
        Libgit2.initialize()
        var repo: OpaquePointer?
        let result = git_repository_open_ext(&repo, path, 0, nil)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_repository_open_ext(\(path))")
        return Repository(pointer: try produced(repo, "git_repository_open_ext"))
    }
}
