import MinicCore
import MinicGit

extension AnswerEdits {
    /// A git-style unified diff (a/ b/ prefixes) from `originals` to the edited files, ready for `git apply` run at the base directory; "" when nothing changes.
    ///
    /// libgit2 diffs the tree of the originals against the tree with the edits, both in memory. The
    /// originals carry no modes, so the `index` lines carry none either: `git apply` then keeps each
    /// file's own mode (an executable script stays executable) instead of setting 100644.
    /// - Throws: ``MinicError`` (refused) for an unsafe path, too many or too large files, a file under
    ///   another file, or the deletion of a file that is not among the originals; (bad input) for an
    ///   unsafe original's path.
    public static func patch(originals: [String: String], edits: AnswerEdits) throws(MinicError) -> String {
        try checkOriginals(originals)
        try checkCount(edits.files)
        var updates: [(path: String, content: String?)] = []
        for (path, content) in edits.files.sorted(by: { $0.key < $1.key }) {
            try AnswerPath.check(path, "the answer writes")
            if let content {
                try AnswerPath.checkSize(path, content)
            } else if originals[path] == nil {
                throw .refused("the answer deletes '\(TerminalText.neutralise(path))', which is not one of the task's files")
            }
            updates.append((path, content))
        }
        let remaining = Set(originals.keys).subtracting(updates.filter { $0.content == nil }.map(\.path))
        try AnswerPath.checkNoFileUnderFile(remaining.union(updates.filter { $0.content != nil }.map(\.path)))
        if updates.isEmpty { return "" }

        let repository = try git("opening an in-memory repository") { () throws(GitError) in try Repository.inMemory() }
        let base = try tree(of: originals, in: repository)
        let text = try git("diffing the answer's files") { () throws(GitError) -> String in
            var changes: [TreeUpdate] = []
            for update in updates {
                if let content = update.content {
                    changes.append(.upsert(path: update.path, blob: try repository.writeBlob(Array(content.utf8)), mode: .blob))
                } else {
                    changes.append(.remove(path: update.path))
                }
            }
            let edited = try repository.createTree(updating: base, with: changes)
            return edited == base ? "" : try repository.diff(from: base, to: edited).patch()
        }
        return withoutIndexModes(text)
    }

    /// `index 1234567..89abcde 100644` becomes `index 1234567..89abcde`: git's form for a change that
    /// states no mode. A created or deleted file keeps its `new file mode`/`deleted file mode` line.
    private static func withoutIndexModes(_ patch: String) -> String {
        var inHeader = false
        var lines: [Substring] = []
        for line in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") {
                inHeader = true
            } else if line.hasPrefix("@@ ") || line.hasPrefix("GIT binary patch") || line.hasPrefix("Binary files ") {
                inHeader = false
            }
            if inHeader, line.hasPrefix("index "), line.hasSuffix(" 100644") {
                lines.append(line.dropLast(" 100644".count))
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
