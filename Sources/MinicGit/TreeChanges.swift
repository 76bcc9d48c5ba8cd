import CGit2

/// One path that differs between two trees, found by ``Repository/treeChanges(from:to:)``.
public struct TreeChange: Sendable, Equatable {
    public let path: String
    /// `nil` where the path does not exist on that side.
    public let oldEntry: TreeEntry?
    public let newEntry: TreeEntry?

    public var status: DeltaStatus {
        switch (oldEntry, newEntry) {
        case (nil, _): .added
        case (_, nil): .deleted
        case let (old?, new?) where isFile(old.mode) != isFile(new.mode) || (old.mode == .symlink) != (new.mode == .symlink): .typechange
        default: .modified
        }
    }

    private func isFile(_ mode: FileMode) -> Bool { mode != .gitlink }
}

extension Repository {
    /// The non-tree paths that differ between two trees (`nil` for the empty tree).
    ///
    /// Unlike `git_diff_tree_to_tree`, which expands every subtree, this skips
    /// subtrees whose ids are equal on both sides, as `git diff-tree` does, so
    /// its cost follows the size of the change, not the size of the repository.
    /// No rename pairing: a rename is a deletion and an addition.
    public func treeChanges(from old: OID?, to new: OID?) throws(GitError) -> [TreeChange] {
        var changes: [TreeChange] = []
        try collectChanges(old: old, new: new, prefix: "", into: &changes)
        return changes
    }

    private func collectChanges(old: OID?, new: OID?, prefix: String, into changes: inout [TreeChange]) throws(GitError) {
        if old == new { return }
        let oldEntries = try old.map { (id) throws(GitError) in try tree(id).entries } ?? []
        let newEntries = try new.map { (id) throws(GitError) in try tree(id).entries } ?? []
        var oldByName: [[UInt8]: TreeEntry] = [:]
        for entry in oldEntries where oldByName[entry.nameBytes] == nil { oldByName[entry.nameBytes] = entry }
        var seen = Set<[UInt8]>()
        for entry in newEntries where seen.insert(entry.nameBytes).inserted {
            try compare(oldByName[entry.nameBytes], entry, prefix: prefix, into: &changes)
        }
        for entry in oldEntries where !seen.contains(entry.nameBytes) {
            seen.insert(entry.nameBytes)
            try compare(entry, nil, prefix: prefix, into: &changes)
        }
    }

    private func compare(_ old: TreeEntry?, _ new: TreeEntry?, prefix: String, into changes: inout [TreeChange]) throws(GitError) {
        if let old, let new, old.id == new.id, old.mode == new.mode { return }
        let path = prefix + (new ?? old)!.name
        let oldTree = old?.mode == .tree ? old : nil
        let newTree = new?.mode == .tree ? new : nil
        if oldTree != nil || newTree != nil {
            try collectChanges(old: oldTree?.id, new: newTree?.id, prefix: path + "/", into: &changes)
        }
        let oldFile = old?.mode == .tree ? nil : old
        let newFile = new?.mode == .tree ? nil : new
        if oldFile != nil || newFile != nil {
            changes.append(TreeChange(path: path, oldEntry: oldFile, newEntry: newFile))
        }
    }
}

extension TreeChange {
    /// The change as a ``DiffDelta`` (absent sides get a zero id and mode ``FileMode/unreadable``).
    public var delta: DiffDelta {
        DiffDelta(
            status: status, oldPath: path, newPath: path, oldMode: oldEntry?.mode ?? .unreadable, newMode: newEntry?.mode ?? .unreadable,
            oldID: oldEntry?.id ?? OID(git_oid()), newID: newEntry?.id ?? OID(git_oid()))
    }
}
