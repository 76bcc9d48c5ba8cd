import MinicCore
import MinicGit

/// Judges a proposal's commits against the rules of the current head: what each
/// changed path is (protected, auto, review) and every reason it may not merge.
struct ProposalInspector {
    let repository: Repository
    let rules: PathRules

    /// The changed paths between two trees, each classified. A rename counts as its
    /// most restrictive side; a symlink or submodule is never auto.
    /// - Parameter pairRenames: pair deletions and additions into renames (one more
    ///   libgit2 diff over the changed paths); without it, only the walk that skips
    ///   equal subtrees, whose cost follows the size of the change.
    func changedPaths(from base: OID?, to head: OID, pairRenames: Bool) throws(MinicError) -> [ChangedPath] {
        let deltas = try git("diffing trees") { () throws(GitError) -> [DiffDelta] in
            guard pairRenames else { return try repository.treeChanges(from: base, to: head).map(\.delta) }
            return try repository.changedDiff(from: base, to: head).deltas
        }
        return classify(deltas)
    }

    /// Classifies diff deltas: a rename counts as its most restrictive side; a
    /// symlink or submodule is never auto.
    func classify(_ deltas: [DiffDelta]) -> [ChangedPath] {
        deltas.map { delta in
            var paths: [String] = []
            if delta.status != .added { paths.append(delta.oldPath) }
            if delta.status != .deleted { paths.append(delta.newPath) }
            var pathClass = paths.map(rules.classify).max() ?? .review
            if pathClass == .auto && (delta.newMode == .symlink || delta.newMode == .gitlink || delta.oldMode == .gitlink) { pathClass = .review }
            let moved = delta.status == .renamed || delta.status == .copied
            return ChangedPath(
                path: delta.status == .deleted ? delta.oldPath : delta.newPath, change: delta.status.rawValue, class: pathClass,
                oldPath: moved ? delta.oldPath : nil)
        }
    }

    /// The verdict: every reason the change from `headTree` (in force now) to
    /// `resultTree` (what a merge would record) may not come into force,
    /// deduplicated, in path order.
    ///
    /// This judges the effect, whatever commits led to it: a branch whose history
    /// holds merges, rewrites or old commits of main is judged by the tree it would
    /// bring, as `git diff HEAD <result>` shows it. Entries git refuses count only
    /// where the result's trees differ from the head's.
    func violations(from headTree: OID, to resultTree: OID) throws(MinicError) -> [Violation] {
        var found: [Violation] = []
        do {
            let deltas = try git("diffing \(headTree.short) with \(resultTree.short)") { () throws(GitError) in
                try repository.treeChanges(from: headTree, to: resultTree).map(\.delta)
            }
            for delta in deltas { found += check(delta) }
            found += try entryProblems(tree: resultTree, base: headTree, prefix: "")
        } catch {
            // Fail closed: a tree that cannot be read is refused, not waved through.
            found.append(Violation(path: "tree \(resultTree.short)", reason: "malformed tree that git refuses (\(error.message))"))
        }
        return Self.sorted(found)
    }

    /// Per-commit detail for `update show`: what each of `commits` changes that the
    /// rules forbid, even where a later commit undoes it. Not the verdict (see
    /// ``violations(from:to:)``).
    func commitViolations(commits: [OID]) throws(MinicError) -> [Violation] {
        var found: [Violation] = []
        for id in commits {
            let commit = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id) }
            let parents = commit.parentIDs
            let parentTrees = try git("reading parents of \(id.short)") { () throws(GitError) -> [OID] in
                try parents.map { (parent) throws(GitError) -> OID in try repository.commit(parent).treeID }
            }
            do {
                for delta in try changes(of: commit.treeID, against: parentTrees) { found += check(delta) }
                found += try entryProblems(tree: commit.treeID, base: parentTrees.first, prefix: "")
            } catch {
                // A tree libgit2 cannot even parse (e.g. an empty entry name) is refused, not an internal error.
                found.append(Violation(path: "commit \(id.short)", reason: "malformed tree that git refuses (\(error.message))"))
            }
        }
        return Self.sorted(found)
    }

    private static func sorted(_ found: [Violation]) -> [Violation] {
        var seen = Set<String>()
        return found.filter { seen.insert($0.description).inserted }.sorted { ($0.path, $0.reason) < ($1.path, $1.reason) }
    }

    /// The deltas a commit makes against every one of its parents (a path a merge
    /// commit only takes from one side is not its change), without rename pairing,
    /// so that both sides of a rename are seen.
    private func changes(of tree: OID, against parents: [OID]) throws(MinicError) -> [DiffDelta] {
        try git("diffing \(tree.short)") { () throws(GitError) -> [DiffDelta] in
            guard let first = parents.first else { return try repository.treeChanges(from: nil, to: tree).map(\.delta) }
            var changes = try repository.treeChanges(from: first, to: tree)
            for parent in parents.dropFirst() {
                let changedThere = Set(try repository.treeChanges(from: parent, to: tree).map(\.path))
                changes = changes.filter { changedThere.contains($0.path) }
            }
            return changes.map(\.delta)
        }
    }

    private func check(_ delta: DiffDelta) -> [Violation] {
        var found: [Violation] = []
        let change = delta.status.rawValue
        if delta.status != .added, let reason = rules.protectionReason(delta.oldPath) {
            found.append(Violation(path: delta.oldPath, reason: "\(change == "modified" || change == "typechange" ? change : change + " (from)"): \(reason)"))
        }
        if delta.status != .deleted, delta.newPath != delta.oldPath || delta.status == .added, let reason = rules.protectionReason(delta.newPath) {
            found.append(Violation(path: delta.newPath, reason: "\(change): \(reason)"))
        }
        if delta.oldMode != delta.newMode, delta.status == .modified || delta.status == .typechange, rules.protectionReason(delta.newPath) != nil {
            found.append(
                Violation(
                    path: delta.newPath, reason: "mode changed \(String(delta.oldMode.rawValue, radix: 8)) -> \(String(delta.newMode.rawValue, radix: 8))"))
        }
        if delta.newMode == .gitlink || delta.oldMode == .gitlink {
            found.append(Violation(path: delta.newPath, reason: "submodule (gitlink) entry: not allowed in a home"))
        }
        if delta.newMode == .symlink && delta.status != .deleted {
            if let problem = symlinkProblem(path: delta.newPath, blob: delta.newID) { found.append(Violation(path: delta.newPath, reason: problem)) }
        }
        return found
    }

    /// Why a symlink's target is not allowed: it leaves the home, enters `.git`,
    /// or names a protected path (or the top, which holds them).
    private func symlinkProblem(path: String, blob: OID) -> String? {
        guard let bytes = try? repository.blobData(blob) else { return "symlink target unreadable" }
        let target = String(decoding: bytes, as: UTF8.self)
        if target.hasPrefix("/") { return "symlink to an absolute path (\(target)) outside the home" }
        var components = path.split(separator: "/").map(String.init).dropLast()
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if components.isEmpty { return "symlink to \(target), outside the home" }
                components.removeLast()
            default: components.append(String(part))
            }
        }
        let resolved = components.joined(separator: "/")
        if resolved.isEmpty { return "symlink to the top of the home, which holds protected paths" }
        if components.contains(where: { PathFolding.fold($0) == ".git" }) { return "symlink into .git" }
        if let reason = rules.protectionReason(resolved) { return "symlink to protected path \(resolved) (\(reason))" }
        return nil
    }

    /// Tree entries git refuses, and duplicate names, in `tree` where it differs from `base`.
    private func entryProblems(tree: OID, base: OID?, prefix: String) throws(MinicError) -> [Violation] {
        if tree == base { return [] }
        let (entries, baseEntries) = try git("reading tree \(tree.short)") { () throws(GitError) -> ([TreeEntry], [TreeEntry]) in
            (try repository.tree(tree).entries, try base.map { (id) throws(GitError) in try repository.tree(id).entries } ?? [])
        }
        var found: [Violation] = []
        var names = Set<[UInt8]>()
        for entry in entries {
            let path = prefix + entry.name
            if let problem = TreeEntryNames.problem(entry.nameBytes) { found.append(Violation(path: path, reason: problem)) }
            if !names.insert(entry.nameBytes).inserted { found.append(Violation(path: path, reason: "duplicate tree entry (git refuses it)")) }
            if entry.mode == .tree {
                let old = baseEntries.first { $0.nameBytes == entry.nameBytes && $0.mode == .tree }?.id
                found += try entryProblems(tree: entry.id, base: old, prefix: path + "/")
            }
        }
        return found
    }
}
