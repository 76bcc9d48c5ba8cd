import MinicCore
import MinicGit

/// The files an answer writes, relative to the task's base directory.
///
/// An answer writes files in one of two ways, never both:
/// - a unified diff, in any shape ``PatchText`` reads (git's or a plain `---`/`+++` one, in
///   ```` ```diff ````/```` ```patch ```` fences or bare), applied through libgit2 to the task's files;
/// - fenced code blocks that name their file (``AnswerBlock`` lists the exact spellings), each the
///   file's whole new content.
/// Every path is checked (``AnswerPath``): relative, normalized, no `.git`, no control characters, at most
/// 4096 bytes; at most 200 files of at most 1 MiB each. Nothing here touches the file system.
public struct AnswerEdits: Sendable, Equatable {
    public enum Source: String, Sendable { case diff, blocks, none }
    public var source: Source
    /// Relative path (normalized, '/'-separated) -> new content; nil content = the answer deletes the file.
    public var files: [String: String?]

    public init(source: Source, files: [String: String?]) {
        self.source = source
        self.files = files
    }

    /// The files `answer` writes.
    /// - Parameter originals: the task's files, path relative to the base directory -> content.
    /// - Throws: ``MinicError`` (refused) naming the path or line at fault: a path that is not safe, a symlink,
    ///   a submodule or an odd mode in the diff, a diff that does not apply (naming the file), a file named
    ///   by two blocks, a named block never closed, an answer with both a diff and named blocks, too many or
    ///   too large files; (bad input) when an original's path is not a safe relative path.
    public static func extract(answer: String, originals: [String: String]) throws(MinicError) -> AnswerEdits {
        try checkOriginals(originals)
        let blocks = AnswerBlock.scan(answer)
        var named: [(block: AnswerBlock, path: String, firstLineNames: Bool)] = []
        for block in blocks {
            if let (path, firstLineNames) = try block.name() { named.append((block, path, firstLineNames)) }
        }
        // A diff shown inside a named block is that file's content, not a diff of the task's files.
        var lines = answer.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for entry in named {
            for index in entry.block.line..<min(entry.block.line + entry.block.lines.count, lines.count) { lines[index] = "" }
        }
        let hasDiff = PatchText.containsPatch(Array(lines.joined(separator: "\n").utf8))
        if hasDiff, let first = named.first {
            throw .refused(
                "the answer has both a diff and a code block naming its file ('\(TerminalText.neutralise(first.path))' at line \(first.block.line)); it is not clear which to write"
            )
        }
        if hasDiff { return AnswerEdits(source: .diff, files: try applyDiff(answer, to: originals)) }
        if named.isEmpty { return AnswerEdits(source: .none, files: [:]) }
        var files: [String: String?] = [:]
        for entry in named {
            try AnswerPath.check(entry.path, "the code block at line \(entry.block.line) writes")
            guard entry.block.closed else {
                throw .refused(
                    "the code block for '\(TerminalText.neutralise(entry.path))' at line \(entry.block.line) is never closed: the answer may be cut short")
            }
            guard files[entry.path] == nil else {
                throw .refused("two code blocks write '\(TerminalText.neutralise(entry.path))'; the second is at line \(entry.block.line)")
            }
            let content = entry.block.content(firstLineNames: entry.firstLineNames)
            try AnswerPath.checkSize(entry.path, content)
            files[entry.path] = .some(content)
        }
        try checkCount(files)
        try AnswerPath.checkNoFileUnderFile(Set(originals.keys).union(files.keys))
        return AnswerEdits(source: .blocks, files: files)
    }

    static func checkOriginals(_ originals: [String: String]) throws(MinicError) {
        for path in originals.keys {
            do throws(MinicError) {
                try AnswerPath.check(path, "task file")
            } catch {
                throw .badInput(error.message)
            }
        }
    }

    static func checkCount(_ files: [String: String?]) throws(MinicError) {
        if files.count > AnswerPath.maxFiles { throw .refused("the answer writes \(files.count) files, more than \(AnswerPath.maxFiles)") }
    }
}
