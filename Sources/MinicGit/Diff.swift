import CGit2
import Foundation

/// What happened to one path between two trees.
public enum DeltaStatus: String, Sendable {
    case added, deleted, modified, renamed, copied, typechange, unmodified, other

    init(_ raw: git_delta_t) {
        switch raw {
        case GIT_DELTA_ADDED: self = .added
        case GIT_DELTA_DELETED: self = .deleted
        case GIT_DELTA_MODIFIED: self = .modified
        case GIT_DELTA_RENAMED: self = .renamed
        case GIT_DELTA_COPIED: self = .copied
        case GIT_DELTA_TYPECHANGE: self = .typechange
        case GIT_DELTA_UNMODIFIED: self = .unmodified
        default: self = .other
        }
    }
}

/// One changed path, copied out of libgit2.
public struct DiffDelta: Sendable, Equatable {
    public let status: DeltaStatus
    public let oldPath: String
    public let newPath: String
    public let oldMode: FileMode
    public let newMode: FileMode
    public let oldID: OID
    public let newID: OID
}

/// Where a line printed by ``Diff/forEachLine(_:)`` comes from.
public enum DiffLineKind: Sendable {
    case fileHeader, hunkHeader, context, addition, deletion, other
}

/// A diff between two trees (`git_diff`).
public final class Diff {
    public let repository: Repository
    let pointer: OpaquePointer

    init(repository: Repository, pointer: OpaquePointer) {
        self.repository = repository
        self.pointer = pointer
    }

    /// Parses a patch file's text into a diff (`git_diff_from_buffer`).
    convenience init(parsing patch: [UInt8], repository: Repository) throws(GitError) {
        var raw: OpaquePointer?
        let result = patch.withUnsafeBytes { bytes in
            git_diff_from_buffer(&raw, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        try check(result, "git_diff_from_buffer")
        self.init(repository: repository, pointer: try produced(raw, "git_diff_from_buffer"))
    }

    deinit { git_diff_free(pointer) }

    /// The changed paths in order.
    public var deltas: [DiffDelta] {
        (0..<git_diff_num_deltas(pointer)).compactMap { index in
            guard let delta = git_diff_get_delta(pointer, index)?.pointee else { return nil }
            return DiffDelta(
                status: DeltaStatus(delta.status),
                oldPath: String(cString: delta.old_file.path),
                newPath: String(cString: delta.new_file.path),
                oldMode: FileMode(rawValue: UInt32(delta.old_file.mode)) ?? .unreadable,
                newMode: FileMode(rawValue: UInt32(delta.new_file.mode)) ?? .unreadable,
                oldID: OID(delta.old_file.id),
                newID: OID(delta.new_file.id))
        }
    }

    /// Each delta's modes as the diff states them, in order: 0 where it states none, and an odd mode
    /// (100600) as written, where ``deltas`` shows ``FileMode/unreadable`` for both.
    public var statedModes: [(old: UInt32, new: UInt32)] {
        (0..<git_diff_num_deltas(pointer)).compactMap { index in
            git_diff_get_delta(pointer, index).map { (UInt32($0.pointee.old_file.mode), UInt32($0.pointee.new_file.mode)) }
        }
    }

    /// Pairs deletions and additions into renames and copies (`git diff -M`).
    public func detectRenames() throws(GitError) {
        var options = git_diff_find_options()
        try check(git_diff_find_options_init(&options, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "git_diff_find_options_init")
        options.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try check(git_diff_find_similar(pointer, &options), "git_diff_find_similar")
    }

    /// The patch text as `git diff` writes it, binary files included, so that `git apply` takes it.
    public func patch() throws(GitError) -> String {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(git_diff_to_buf(&buffer, pointer, GIT_DIFF_FORMAT_PATCH), "git_diff_to_buf")
        guard let text = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: buffer.size), as: UTF8.self)
    }

    /// `git diff --stat`-like summary.
    public func stat(width: Int = 80) throws(GitError) -> String {
        var stats: OpaquePointer?
        try check(git_diff_get_stats(&stats, pointer), "git_diff_get_stats")
        defer { git_diff_stats_free(stats) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(git_diff_stats_to_buf(&buffer, stats, GIT_DIFF_STATS_FULL, width), "git_diff_stats_to_buf")
        guard let text = buffer.ptr else { return "" }
        return String(cString: text)
    }

    /// Calls `body` with each line of the patch and its kind, in order, so a caller can colour it.
    public func forEachLine(_ body: (DiffLineKind, String) -> Void) throws(GitError) {
        try withoutActuallyEscaping(body) { (escapable) throws(GitError) in
            let box = LineSink(escapable)
            let payload = Unmanaged.passUnretained(box).toOpaque()
            let result = git_diff_print(
                pointer, GIT_DIFF_FORMAT_PATCH,
                { _, _, line, payload in
                    guard let line, let payload else { return 0 }
                    let sink = Unmanaged<LineSink>.fromOpaque(payload).takeUnretainedValue()
                    let text = String(
                        decoding: UnsafeRawBufferPointer(start: line.pointee.content, count: line.pointee.content_len), as: UTF8.self)
                    let origin = UInt8(bitPattern: line.pointee.origin)
                    let kind: DiffLineKind
                    let prefix: String
                    switch origin {
                    case UInt8(ascii: "F"): (kind, prefix) = (.fileHeader, "")
                    case UInt8(ascii: "H"): (kind, prefix) = (.hunkHeader, "")
                    case UInt8(ascii: " "): (kind, prefix) = (.context, " ")
                    case UInt8(ascii: "+"): (kind, prefix) = (.addition, "+")
                    case UInt8(ascii: "-"): (kind, prefix) = (.deletion, "-")
                    default: (kind, prefix) = (.other, "")
                    }
                    sink.body(kind, prefix + text)
                    return 0
                }, payload)
            try check(result, "git_diff_print")
        }
    }
}

private final class LineSink {
    let body: (DiffLineKind, String) -> Void
    init(_ body: @escaping (DiffLineKind, String) -> Void) { self.body = body }
}

extension Repository {
    /// Diffs two trees (`git diff-tree`); `nil` stands for the empty tree.
    /// Type changes (file to symlink) are reported as such, not as delete plus add.
    /// - Parameter paths: limit the diff to these exact paths. libgit2's tree diff
    ///   otherwise reads every entry of both trees; with the paths of
    ///   ``treeChanges(from:to:)`` it reads only what changed.
    public func diff(from old: OID?, to new: OID?, paths: [String]? = nil) throws(GitError) -> Diff {
        let oldTree = try old.map { (id) throws(GitError) in try tree(id) }
        let newTree = try new.map { (id) throws(GitError) in try tree(id) }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue | GIT_DIFF_SHOW_BINARY.rawValue
        if paths != nil { options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue }
        let cPaths: [UnsafeMutablePointer<CChar>?] = (paths ?? []).map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var pathArray = cPaths
        var raw: OpaquePointer?
        let result = pathArray.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if paths != nil { options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
            return git_diff_tree_to_tree(&raw, pointer, oldTree?.pointer, newTree?.pointer, &options)
        }
        try check(result, "git_diff_tree_to_tree")
        return Diff(repository: self, pointer: try produced(raw, "git_diff_tree_to_tree"))
    }

    /// The diff of only the paths that changed, renames paired: the fast walk finds
    /// the paths, libgit2 diffs just those (an empty tree change gives an empty diff).
    public func changedDiff(from old: OID?, to new: OID?, pairRenames: Bool = true) throws(GitError) -> Diff {
        let paths = try treeChanges(from: old, to: new).map(\.path)
        // An empty pathspec would mean "everything"; a path that exists nowhere means nothing.
        let diff = try self.diff(from: old, to: new, paths: paths.isEmpty ? ["\u{1}no-such-path"] : paths)
        if pairRenames { try diff.detectRenames() }
        return diff
    }
}
