import CGit2

extension Repository {
    /// Clones `url` (a path, `file://`, `git://`, `ssh://`, `https://`) into `path` with `branch`
    /// checked out (`git_clone`); the remote is called `origin`.
    ///
    /// libgit2 removes what it created when the clone fails; the caller owns `path` otherwise.
    /// - Throws: ``GitError`` when the URL cannot be read or has no such branch; its message never
    ///   holds the URL's password.
    public static func clone(from url: String, to path: String, branch: String) throws(GitError) -> Repository {
        Libgit2.initialize()
        var options = git_clone_options()
        try check(git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "git_clone_options_init")
        options.checkout_opts.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        options.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        let context = TransferContext()
        var repository: OpaquePointer?
        let result = withExtendedLifetime(context) {
            context.install(&options.fetch_opts.callbacks)
            return branch.withCString { name -> Int32 in
                options.checkout_branch = name
                return git_clone(&repository, url, path, &options)
            }
        }
        do { try check(result, "git_clone") } catch { throw error.scrubbed(url: url) }
        return Repository(pointer: try produced(repository, "git_clone"))
    }
}
