import MinicCore
import MinicUpdates

/// The paths and sizes an answer may write: relative to the task's base directory and nowhere else.
enum AnswerPath {
    /// The most files one answer may write.
    static let maxFiles = 200
    /// The largest file an answer may write.
    static let maxFileBytes = 1 << 20
    /// The longest path, in UTF-8 bytes (Linux's PATH_MAX).
    static let maxPathBytes = 4096

    /// Refuses a path that is not relative and normalized: a leading `/`, an empty, `.` or `..` component,
    /// a backslash, a control character, a `.git` component in any spelling a file system folds to it
    /// (``PathFolding``: any case, trailing dots or spaces, ignorable code points, `git~1`), or more than
    /// ``maxPathBytes`` bytes.
    /// - Parameter what: how the path came, for the message ("the answer writes").
    static func check(_ path: String, _ what: String) throws(MinicError) {
        let shown = TerminalText.neutralise(path)
        func refuse(_ why: String) -> MinicError { .refused("\(what) '\(shown)': \(why)") }
        if path.isEmpty { throw refuse("an empty path") }
        if path.utf8.count > maxPathBytes { throw refuse("the path is longer than \(maxPathBytes) bytes") }
        if path.hasPrefix("/") { throw refuse("an absolute path; only paths relative to the task's directory are written") }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) { throw refuse("the path has a control character") }
        if path.contains("\\") { throw refuse("the path has a backslash") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) { throw refuse("the path has an empty, '.' or '..' component") }
        let folded = PathFolding.fold(path).split(separator: "/", omittingEmptySubsequences: false)
        if folded.contains(where: { $0 == ".git" || $0 == "git~1" }) { throw refuse("the path names .git") }
    }

    /// Refuses content over ``maxFileBytes``.
    static func checkSize(_ path: String, _ content: String) throws(MinicError) {
        if content.utf8.count > maxFileBytes {
            throw .refused("the answer writes '\(TerminalText.neutralise(path))': \(content.utf8.count) bytes, more than \(maxFileBytes)")
        }
    }

    /// Refuses a set of files where one path is a directory of another (`src` and `src/x.py`): no
    /// directory could hold both.
    static func checkNoFileUnderFile(_ paths: some Sequence<String>) throws(MinicError) {
        let all = Set(paths)
        for path in all {
            var parent = Substring(path)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                if all.contains(String(parent)) {
                    throw .refused("the answer writes '\(TerminalText.neutralise(path))' under '\(TerminalText.neutralise(String(parent)))', which is a file")
                }
            }
        }
    }
}
