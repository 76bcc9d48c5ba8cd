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
        case (let old?, let new?) where isFile(old.mode) != isFile(new.mode) || (old.mode == .symlink) != (new.mode == .symlink): .typechange
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
        let oldTree = try old.map { (id) throws(GitError) in try tree(id) }
        let newTree = try new.map { (id) throws(GitError) in try tree(id) }
        // Entries are compared in place; only those that differ are copied out.
        if let newTree {
            for index in 0..<git_tree_entrycount(newTree.pointer) {
                guard let entry = git_tree_entry_byindex(newTree.pointer, index) else { continue }
                let match = oldTree.flatMap { git_tree_entry_byname($0.pointer, git_tree_entry_name(entry)) }
                if let match, git_oid_equal(git_tree_entry_id(match), git_tree_entry_id(entry)) == 1,
                    git_tree_entry_filemode_raw(match) == git_tree_entry_filemode_raw(entry)
                {
                    continue
                }
                try compare(match.map(TreeEntry.init), TreeEntry(entry), prefix: prefix, into: &changes)
            }
        }
        if let oldTree {
            for index in 0..<git_tree_entrycount(oldTree.pointer) {
                guard let entry = git_tree_entry_byindex(oldTree.pointer, index) else { continue }
                if let newTree, git_tree_entry_byname(newTree.pointer, git_tree_entry_name(entry)) != nil { continue }
                try compare(TreeEntry(entry), nil, prefix: prefix, into: &changes)
            }
        }
    }

    private func compare(_ old: TreeEntry?, _ new: TreeEntry?, prefix: String, into changes: inout [TreeChange]) throws(GitError) {
        guard let named = new ?? old else { return }
        let path = prefix + named.name
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

extension Repository {
    /// The three-way merge of two trees when their changes since `base` touch
    /// disjoint paths: `ours` with `theirs`' changes applied. `nil` when a path (or a
    /// directory above one) changed on both sides; libgit2's merge then decides.
    ///
    /// This is the result libgit2's merge gives for such changes, found by reading
    /// only what changed, where libgit2 builds an index of every entry.
    public func mergeDisjointTrees(base: OID, ours: OID, theirs: OID) throws(GitError) -> OID? {
        let ourChanges = try treeChanges(from: base, to: ours)
        let theirChanges = try treeChanges(from: base, to: theirs)
        if theirChanges.isEmpty { return ours }
        let ourPaths = Set(ourChanges.map(\.path))
        let theirPaths = Set(theirChanges.map(\.path))
        func clashes(_ path: String, with others: Set<String>) -> Bool {
            if others.contains(path) { return true }
            var prefix = Substring(path)
            while let slash = prefix.lastIndex(of: "/") {
                prefix = prefix[..<slash]
                if others.contains(String(prefix)) { return true }
            }
            return false
        }
        if theirChanges.contains(where: { clashes($0.path, with: ourPaths) }) || ourChanges.contains(where: { clashes($0.path, with: theirPaths) }) {
            return nil
        }
        let updates: [TreeUpdate] = theirChanges.map { change in
            change.newEntry.map { .upsert(path: change.path, blob: $0.id, mode: $0.mode) } ?? .remove(path: change.path)
        }
        return try createTree(updating: ours, with: updates)
    }
}
