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
        for path in paths where !allowed.contains(path) {
            let parts = path.split(separator: "/").map(String.init)
            var prefix = ""
            for part in parts.dropLast() {
                prefix += prefix.isEmpty ? part : "/" + part
                guard checkedDirectories.insert(prefix).inserted, !allowed.contains(prefix) else { continue }
                guard let kind = UpdateEngine.fileKind(home.path + "/" + prefix), kind != S_IFDIR else { continue }
                if try tracked(prefix) == nil { inTheWay.append("\(prefix): untracked or ignored file where \(path) needs a directory") }
            }
            guard UpdateEngine.fileKind(home.path + "/" + path) != nil else { continue }
            if try tracked(path) == nil { inTheWay.append("\(path): untracked or ignored file would be overwritten") }
        }
        guard inTheWay.isEmpty else {
            updateLog.warning("\(what) refused: \(inTheWay.joined(separator: "; "))")
            throw .refused(
                "\(what) would overwrite \(inTheWay.count) file(s) git does not track in \(home.path); move them away first; nothing changed",
                details: inTheWay)
        }
    }

    /// The file type bits of `path` without following a symlink, or `nil` when nothing
    /// is there. A path that cannot be checked counts as a regular file (fail closed).
    static func fileKind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? nil : S_IFREG }
        return info.st_mode & S_IFMT
    }
}
