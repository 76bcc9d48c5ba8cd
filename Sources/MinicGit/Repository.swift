import CGit2

/// An open git repository (`git_repository`), freed when the last reference goes.
///
/// Objects looked up from it (``Commit``, ``Tree``, ``Index``, ``Diff``) keep it
/// alive, as git2-rs ties every object to its repository. Not thread-safe:
/// libgit2 repositories must not be used from two threads at once.
public final class Repository {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { git_repository_free(pointer) }

    /// Opens the repository whose work tree (or `.git`) is at `path`, without
    /// searching parent directories.
    /// - Throws: ``GitError`` with code ``GitError/Code/notFound`` when `path` is not a repository.
    public convenience init(openAt path: String) throws(GitError) {
        Libgit2.initialize()
        var repo: OpaquePointer?
        try check(
            git_repository_open_ext(&repo, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil),
            "git_repository_open_ext(\(path))")
        self.init(pointer: try produced(repo, "git_repository_open_ext"))
    }

    /// Creates a new non-bare repository at `path` whose unborn HEAD points at `initialBranch`.
    public static func initialize(at path: String, initialBranch: String = "main") throws(GitError) -> Repository {
        Libgit2.initialize()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "git_repository_init_options_init")
        options.flags = UInt32(GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue)
        var repo: OpaquePointer?
        let result = initialBranch.withCString { branch -> Int32 in
            options.initial_head = branch
            return git_repository_init_ext(&repo, path, &options)
        }
        try check(result, "git_repository_init_ext(\(path))")
        return Repository(pointer: try produced(repo, "git_repository_init_ext"))
    }

    /// Whether `path` is the top of a git work tree (or a git directory).
    public static func exists(at path: String) -> Bool {
        Libgit2.initialize()
        let found = git_repository_open_ext(nil, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil) == 0
        git_error_clear()
        return found
    }

    /// The work tree directory, with a trailing slash; `nil` for a bare repository.
    public var workdir: String? { git_repository_workdir(pointer).map { String(cString: $0) } }

    /// The `.git` directory, with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

    /// Reads a string from the repository's configuration (repo, then global, then system).
    public func configString(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else {
            git_error_clear()
            return nil
        }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, key) == 0, let value else {
            git_error_clear()
            return nil
        }
        return String(cString: value)
    }

    /// Reads a boolean from the repository's own configuration (`.git/config`) only,
    /// never the global or system files nor files it includes: a mark set there
    /// cannot make every repository on the machine count. `nil` when unset or not a boolean.
    public func localConfigBool(_ key: String) -> Bool? {
        guard let text = localConfigString(key) else { return nil }
        var value: Int32 = 0
        guard git_config_parse_bool(&value, text) == 0 else {
            git_error_clear()
            return nil
        }
        return value != 0
    }

    /// Reads a string from the repository's own configuration (`.git/config`) only,
    /// never the global or system files nor files it includes. `nil` when unset.
    public func localConfigString(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else {
            git_error_clear()
            return nil
        }
        defer { git_config_free(config) }
        var local: OpaquePointer?
        guard git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL) == 0, let local else {
            git_error_clear()
            return nil
        }
        defer { git_config_free(local) }
        var entry: UnsafeMutablePointer<git_config_entry>?
        guard git_config_get_entry(&entry, local, key) == 0, let entry else {
            git_error_clear()
            return nil
        }
        defer { git_config_entry_free(entry) }
        // A value that came through `include.path`/`includeIf` is another file's, not this repository's.
        guard entry.pointee.include_depth == 0, let text = entry.pointee.value else { return nil }
        return String(cString: text)
    }

    /// Sets a string in the repository's own configuration (`.git/config`).
    public func setConfigString(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git_repository_config(&config, pointer), "git_repository_config")
        defer { git_config_free(config) }
        try check(git_config_set_string(config, key, value), "git_config_set_string(\(key))")
    }
}
