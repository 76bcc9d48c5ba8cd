import CGit2
import Foundation

/// The state of one path in the work tree or index relative to HEAD.
public struct StatusEntry: Sendable, Equatable {
    public let path: String
    /// Whether the path is untracked (new and not ignored).
    public let isUntracked: Bool

    public init(path: String, isUntracked: Bool) {
        self.path = path
        self.isUntracked = isUntracked
    }
}

/// Work tree and index operations: status, checkout.
extension Repository {
    /// Paths whose index or work-tree state differs from HEAD, untracked files
    /// included, ignored files not (`git status --porcelain`).
    /// - Parameter paths: limit the check to these exact paths (all when `nil`), so
    ///   that checking a few files does not stat the whole work tree.
    public func status(paths: [String]? = nil) throws(GitError) -> [StatusEntry] {
        if let paths, paths.isEmpty { return [] }
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        if paths != nil { options.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue }
        let cPaths: [UnsafeMutablePointer<CChar>?] = (paths ?? []).map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var pathArray = cPaths
        var list: OpaquePointer?
        let result = pathArray.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if paths != nil { options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
            return git_status_list_new(&list, pointer, &options)
        }
        try check(result, "git_status_list_new")
        defer { git_status_list_free(list) }
        var entries: [StatusEntry] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta else { continue }
            let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            guard let file else { continue }
            entries.append(StatusEntry(path: String(cString: file), isUntracked: entry.status.rawValue & GIT_STATUS_WT_NEW.rawValue != 0))
        }
        return entries
    }

    /// How ``checkout(tree:mode:)`` treats local changes.
    public enum CheckoutMode: Sendable {
        /// Update only files that are unchanged from the index; fail before writing
        /// anything if a local change would be overwritten.
        case safe
        /// Make index and work tree match the tree (`git reset --hard`), untracked files kept.
        case force
        /// Like ``force``, and also delete untracked files that are not ignored.
        case forceRemovingUntracked
    }

    /// Makes the index and work tree match `tree` (HEAD is not moved).
    /// - Parameters:
    ///   - baseline: the tree the work tree is expected to hold (default: HEAD's).
    ///     Pass the old head's tree after moving the branch, so that ``CheckoutMode/safe``
    ///     tells files to update from local changes to keep.
    ///   - paths: limit the checkout to these paths (all when `nil`).
    public func checkout(tree id: OID, mode: CheckoutMode, baseline: OID? = nil, paths: [String]? = nil) throws(GitError) {
        let target = try tree(id)
        let baselineTree = try baseline.map { (base) throws(GitError) in try tree(base) }
        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        switch mode {
        case .safe: options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        case .force: options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        case .forceRemovingUntracked: options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
        }
        if paths != nil { options.checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue }
        options.baseline = baselineTree?.pointer
        var object: OpaquePointer?
        var oid = target.id.raw
        try check(git_object_lookup(&object, pointer, &oid, GIT_OBJECT_TREE), "git_object_lookup")
        defer { git_object_free(object) }
        let cPaths: [UnsafeMutablePointer<CChar>?] = (paths ?? []).map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var pathArray = cPaths
        let result = pathArray.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if paths != nil { options.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
            return git_checkout_tree(pointer, object, &options)
        }
        try check(result, "git_checkout_tree")
        withExtendedLifetime(baselineTree) {}
    }
}
