import CGit2
import Foundation

/// The kind and mode of a tree entry, as git stores it.
public enum FileMode: UInt32, Sendable {
    case tree = 0o040000
    case blob = 0o100644
    case executable = 0o100755
    case symlink = 0o120000
    case gitlink = 0o160000
    case unreadable = 0

    init(raw: git_filemode_t) { self = FileMode(rawValue: raw.rawValue) ?? .unreadable }
    var raw: git_filemode_t { git_filemode_t(rawValue) }
}

/// One entry of a tree, copied out of libgit2.
public struct TreeEntry: Sendable, Equatable {
    /// The entry's name as raw bytes: git names need not be valid UTF-8.
    public let nameBytes: [UInt8]
    public let id: OID
    public let mode: FileMode

    /// The name decoded as UTF-8 (invalid sequences replaced).
    public var name: String { String(decoding: nameBytes, as: UTF8.self) }

    /// Copies an entry out of libgit2.
    init(_ entry: OpaquePointer) {
        if let name = git_tree_entry_name(entry) {
            nameBytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: strlen(name)))
        } else {
            nameBytes = []
        }
        id = OID(git_tree_entry_id(entry).pointee)
        mode = FileMode(raw: git_tree_entry_filemode_raw(entry))
    }
}

/// A tree (`git_tree`), keeping its repository alive.
public final class Tree {
    public let repository: Repository
    let pointer: OpaquePointer

    init(repository: Repository, pointer: OpaquePointer) {
        self.repository = repository
        self.pointer = pointer
    }

    deinit { git_tree_free(pointer) }

    public var id: OID { OID(git_tree_id(pointer).pointee) }

    /// The entries in stored order (duplicates and odd names included, as written).
    public var entries: [TreeEntry] {
        (0..<git_tree_entrycount(pointer)).compactMap { index in git_tree_entry_byindex(pointer, index).map(TreeEntry.init) }
    }

    /// The entry at a slash-separated path below this tree, or `nil`.
    public func entry(atPath path: String) throws(GitError) -> TreeEntry? {
        var raw: OpaquePointer?
        let result = git_tree_entry_bypath(&raw, pointer, path)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_tree_entry_bypath(\(path))")
        defer { git_tree_entry_free(raw) }
        return TreeEntry(try produced(raw, "git_tree_entry_bypath"))
    }
}

/// One change for ``Repository/createTree(updating:with:)``.
public enum TreeUpdate: Sendable {
    case upsert(path: String, blob: OID, mode: FileMode)
    case remove(path: String)
}

extension Repository {
    /// Looks up a tree by id.
    public func tree(_ id: OID) throws(GitError) -> Tree {
        var raw: OpaquePointer?
        var oid = id.raw
        try check(git_tree_lookup(&raw, pointer, &oid), "git_tree_lookup(\(id.short))")
        return Tree(repository: self, pointer: try produced(raw, "git_tree_lookup"))
    }

    /// Reads a blob's content.
    public func blobData(_ id: OID) throws(GitError) -> [UInt8] {
        var raw: OpaquePointer?
        var oid = id.raw
        try check(git_blob_lookup(&raw, pointer, &oid), "git_blob_lookup(\(id.short))")
        defer { git_blob_free(raw) }
        let size = Int(git_blob_rawsize(raw))
        guard size > 0, let content = git_blob_rawcontent(raw) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// Reads the content of the blob at `path` in `tree`, or `nil` if there is none.
    public func fileData(atPath path: String, inTree tree: OID) throws(GitError) -> [UInt8]? {
        guard let entry = try self.tree(tree).entry(atPath: path), entry.mode != .tree, entry.mode != .gitlink else { return nil }
        return try blobData(entry.id)
    }

    /// Writes bytes as a blob and returns its id.
    public func writeBlob(_ data: [UInt8]) throws(GitError) -> OID {
        var out = git_oid()
        let result = data.withUnsafeBytes { git_blob_create_from_buffer(&out, pointer, $0.baseAddress, $0.count) }
        try check(result, "git_blob_create_from_buffer")
        return OID(out)
    }

    /// Writes a tree equal to `base` (or empty, when `nil`) with the given entries
    /// added, replaced or removed (nested directories are created or pruned as needed).
    ///
    /// Removals are applied before additions, in two passes, because libgit2 will not
    /// replace a directory with a file within one `git_tree_create_updated` call even
    /// when the same call has removed everything in it.
    public func createTree(updating base: OID?, with updates: [TreeUpdate]) throws(GitError) -> OID {
        let removals = updates.filter { if case .remove = $0 { true } else { false } }
        let upserts = updates.filter { if case .upsert = $0 { true } else { false } }
        var tree = base
        for pass in [removals, upserts] where !pass.isEmpty {
            tree = try applyTreeUpdates(pass, to: tree)
        }
        if let tree { return tree }
        return try applyTreeUpdates([], to: nil)
    }

    private func applyTreeUpdates(_ updates: [TreeUpdate], to base: OID?) throws(GitError) -> OID {
        let baseTree = try base.map { (id) throws(GitError) in try tree(id) }
        var out = git_oid()
        // Paths must stay alive while libgit2 reads them.
        let paths: [UnsafeMutablePointer<CChar>] = updates.map {
            switch $0 {
            case .upsert(let path, _, _), .remove(let path):
                let bytes = path.utf8CString
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
                copy.initialize(from: Array(bytes), count: bytes.count)
                return copy
            }
        }
        defer { paths.forEach { $0.deallocate() } }
        var raw: [git_tree_update] = zip(updates, paths).map { update, path in
            switch update {
            case .upsert(_, let blob, let mode):
                return git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: blob.raw, filemode: mode.raw, path: path)
            case .remove:
                return git_tree_update(action: GIT_TREE_UPDATE_REMOVE, id: git_oid(), filemode: GIT_FILEMODE_BLOB, path: path)
            }
        }
        try check(git_tree_create_updated(&out, pointer, baseTree?.pointer, raw.count, &raw), "git_tree_create_updated")
        return OID(out)
    }

    /// The id of the empty tree, written to the object database.
    public func emptyTree() throws(GitError) -> OID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, pointer, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var out = git_oid()
        try check(git_treebuilder_write(&out, builder), "git_treebuilder_write")
        return OID(out)
    }
}
