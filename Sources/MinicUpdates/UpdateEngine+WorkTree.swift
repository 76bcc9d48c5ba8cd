import Foundation
import MinicCore
import MinicGit

extension UpdateEngine {
    /// Refuses, naming them, when files git does not track — untracked or ignored —
    /// stand where a checkout from tree `old` to tree `new` would write: at a changed
    /// path, or where one of its parent directories must be. A merge or rollback
    /// never overwrites or deletes a person's files; the check runs before anything moves.
    /// - Parameter allowed: paths already backed up (``rollback(to:options:)`` with `force`).
    func refuseFilesInTheWay(of paths: [String], from old: OID, to new: OID, allowed: Set<String> = [], what: String) throws(MinicError) {
        let oldTree = try git("reading \(old.short)") { () throws(GitError) in try repository.tree(old) }
        let tracked = { (path: String) throws(MinicError) -> TreeEntry? in
            try git("reading \(path)") { () throws(GitError) in try oldTree.entry(atPath: path) }
        }
        var inTheWay: [String] = []
        var checkedDirectories = Set<String>()
        for path in paths {
            let parts = path.split(separator: "/").map(String.init)
            var prefix = ""
            for part in parts.dropLast() {
                prefix += prefix.isEmpty ? part : "/" + part
                guard checkedDirectories.insert(prefix).inserted else { continue }
                guard let kind = UpdateEngine.fileKind(home.path + "/" + prefix), kind != S_IFDIR else { continue }
                // Something other than a real directory where one must be: a checkout would write
                // through a symlink (out of the home, into .git) or over a person's file. Only a
                // file or symlink git tracks there, which the change itself replaces, may stand.
                // Never waived, not even for paths `rollback --force` backed up.
                let entry = try tracked(prefix)
                if entry == nil || entry?.mode == .tree {
                    let what = kind == S_IFLNK ? "symlink" : entry == nil ? "untracked or ignored file" : "file or symlink git does not track"
                    inTheWay.append("\(prefix): \(what) where \(path) needs a directory")
                }
            }
            guard !allowed.contains(path), let kind = UpdateEngine.fileKind(home.path + "/" + path) else { continue }
            let entry = try tracked(path)
            if entry == nil {
                inTheWay.append("\(path): untracked or ignored file would be overwritten")
            } else if kind == S_IFDIR, entry?.mode == .tree {
                // A tracked directory that becomes a file: whatever git does not track in it would go.
                for inside in try untrackedFiles(under: path, trackedIn: oldTree) {
                    inTheWay.append("\(inside): untracked or ignored file would be deleted (\(path) becomes a file)")
                }
            }
        }
        guard inTheWay.isEmpty else {
            updateLog.warning("\(what) refused: \(inTheWay.joined(separator: "; "))")
            throw .refused(
                "\(what) would overwrite \(inTheWay.count) file(s) git does not track in \(home.path); move them away first; nothing changed",
                details: inTheWay)
        }
    }

    /// Refuses when a leading directory of one of `paths` is a symlink in the work tree:
    /// putting the work tree back at head would write through it (out of the home, into `.git`).
    func refuseSymlinkedParents(of paths: [String], what: String) throws(MinicError) {
        var linked = Set<String>()
        for path in paths {
            var prefix = ""
            for part in path.split(separator: "/").dropLast() {
                prefix += prefix.isEmpty ? String(part) : "/" + part
                if UpdateEngine.fileKind(home.path + "/" + prefix) == S_IFLNK { linked.insert(prefix) }
            }
        }
        guard linked.isEmpty else {
            throw .refused(
                "\(what): the work tree has symlinks where directories hold changed paths; minic will not write through them; nothing changed",
                details: linked.sorted().map { "\($0): symlink in place of a directory" })
        }
    }

    /// The files and symlinks under the work-tree directory `directory` that `tree` does not track (symlinks not followed).
    private func untrackedFiles(under directory: String, trackedIn tree: Tree) throws(MinicError) -> [String] {
        var found: [String] = []
        var pending = [directory]
        while let current = pending.popLast() {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: home.path + "/" + current)
            } catch {
                found.append(current)  // Unreadable: it cannot be shown to hold nothing of the person's.
                continue
            }
            for name in names.sorted() {
                let path = current + "/" + name
                if UpdateEngine.fileKind(home.path + "/" + path) == S_IFDIR {
                    pending.append(path)
                } else if try git("reading \(path)", { () throws(GitError) in try tree.entry(atPath: path) }) == nil {
                    found.append(path)
                }
            }
        }
        return found
    }

    /// The file type bits of `path` without following a symlink, or `nil` when nothing
    /// is there. A path that cannot be checked counts as a regular file (fail closed).
    static func fileKind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? nil : S_IFREG }
        return info.st_mode & S_IFMT
    }
}
