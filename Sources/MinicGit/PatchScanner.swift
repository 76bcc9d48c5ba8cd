/// Reads a patch file by file as `git apply` does (its `find_header`, `parse_traditional_patch` and
/// `parse_fragment`), checking names and hunk counts, and writes it back with a git header on each
/// plain unified diff. Lines that are neither headers nor hunks are copied as they are.
struct PatchScanner {
    let lines: [PatchLine]
    private var index = 0
    private(set) var output: [UInt8] = []
    /// Whether a plain header was replaced (else the output is the input).
    private(set) var rewrote = false
    /// The number of files the patch touches.
    private(set) var files = 0

    init(lines: [PatchLine]) { self.lines = lines }

    mutating func run() throws(GitError) {
        while index < lines.count {
            let line = lines[index]
            if line.starts(with: "diff --git ") {
                try gitFile()
            } else if Self.isPlainHeader(lines, at: index) {
                try plainFile()
            } else {
                // git apply stops at a hunk with no file before it ("patch fragment without header"), as does libgit2.
                if line.starts(with: "@@ -"), HunkHeader(line.content) != nil { throw PatchText.refusal(line, "a hunk with no file header before it") }
                copy()
            }
        }
    }

    /// `--- X`, then `+++ Y`, then a hunk header: git's test for a plain unified diff's file header.
    static func isPlainHeader(_ lines: [PatchLine], at index: Int) -> Bool {
        index + 2 < lines.count && lines[index].starts(with: "--- ") && lines[index + 1].starts(with: "+++ ") && lines[index + 2].starts(with: "@@ -")
    }

    private mutating func copy() {
        output.append(contentsOf: lines[index].bytes)
        index += 1
    }

    // MARK: - git-style files

    /// The extended header lines git writes between `diff --git` and the first hunk.
    private static let extendedHeaders: [StaticString] = [
        "old mode ", "new mode ", "deleted file mode ", "new file mode ", "similarity index ", "dissimilarity index ", "index ",
        "rename from ", "rename to ", "rename old ", "rename new ", "copy from ", "copy to ", "--- ", "+++ ", "Binary files ", "GIT binary patch",
    ]

    /// Headers whose rest of line is one path (quoted or not).
    private static let pathHeaders: [StaticString] = ["rename from ", "rename to ", "rename old ", "rename new ", "copy from ", "copy to "]

    private mutating func gitFile() throws(GitError) {
        let header = lines[index]
        try PatchNames.checkGitHeader(header)
        files += 1
        copy()
        while index < lines.count, !lines[index].starts(with: "@@ -") {
            let line = lines[index]
            guard Self.extendedHeaders.contains(where: { line.starts(with: $0) }) else { break }
            if let prefix = Self.pathHeaders.first(where: { line.starts(with: $0) }) {
                try PatchNames.check(try PatchNames.unquoted(line.rest(after: prefix), line: line), line: line)
            } else if line.starts(with: "--- ") || line.starts(with: "+++ ") {
                if let name = try PatchNames.plainName(line).name { try PatchNames.check(name, line: line) }
            }
            copy()
        }
        try hunks()
    }

    // MARK: - plain unified diffs

    private mutating func plainFile() throws(GitError) {
        let oldLine = lines[index]
        let newLine = lines[index + 1]
        let old = try PatchNames.plainName(oldLine)
        let new = try PatchNames.plainName(newLine)
        if let name = old.name { try PatchNames.check(name, line: oldLine) }
        if let name = new.name { try PatchNames.check(name, line: newLine) }
        let strip = PatchNames.prefixCount(old: old.name, new: new.name)
        let oldPath = old.name.flatMap { PatchNames.strip($0, strip) }
        let newPath = new.name.flatMap { PatchNames.strip($0, strip) }
        let path: [UInt8]
        switch (old.exists, new.exists) {
        case (false, false):
            throw PatchText.refusal(oldLine, "both sides are /dev/null: no file name")
        case (false, true):
            guard let newPath else { throw PatchText.refusal(newLine, "no file name") }
            path = newPath
        case (true, false):
            guard let oldPath else { throw PatchText.refusal(oldLine, "no file name") }
            path = oldPath
        case (true, true):
            // git takes the `+++` name, or the `---` one when it is a shorter prefix of it ("file" for "file.orig").
            guard let newPath = newPath ?? oldPath else { throw PatchText.refusal(newLine, "no file name") }
            if let oldPath, oldPath.count < newPath.count, newPath.starts(with: oldPath) { path = oldPath } else { path = newPath }
        }
        try PatchNames.check(path, line: newLine)
        output.append(contentsOf: PatchNames.gitHeader(path: path, created: !old.exists, deleted: !new.exists))
        rewrote = true
        files += 1
        index += 2
        try hunks()
    }

    // MARK: - hunks

    /// The hunks right after a file header: each must have exactly the lines its header counts.
    private mutating func hunks() throws(GitError) {
        while index < lines.count, lines[index].starts(with: "@@ -") {
            let header = lines[index]
            guard let counts = HunkHeader(header.content) else { throw PatchText.refusal(header, "malformed hunk header") }
            copy()
            var (old, new, changes) = (counts.oldLines, counts.newLines, 0)
            while old > 0 || new > 0 {
                guard index < lines.count else { throw shortHunk(header, counts) }
                let line = lines[index]
                switch line.bytes.first {
                case UInt8(ascii: " "), UInt8(ascii: "\n"):
                    (old, new) = (old - 1, new - 1)
                case UInt8(ascii: "-"):
                    (old, changes) = (old - 1, changes + 1)
                case UInt8(ascii: "+"):
                    (new, changes) = (new - 1, changes + 1)
                case UInt8(ascii: "\\") where Self.isNoNewlineMarker(line):
                    break
                default:
                    throw shortHunk(header, counts)
                }
                if old < 0 || new < 0 { throw longHunk(header, counts) }
                copy()
            }
            // git refuses a hunk of context alone.
            guard changes > 0 else { throw PatchText.refusal(header, "the hunk changes nothing") }
            while index < lines.count, Self.isNoNewlineMarker(lines[index]) { copy() }
            if index < lines.count, looksLikeHunkLine(index) { throw longHunk(header, counts) }
        }
    }

    /// `\ No newline at end of file`, in any language: git takes any `\ ` line of 12 bytes or more.
    private static func isNoNewlineMarker(_ line: PatchLine) -> Bool { line.starts(with: "\\ ") && line.bytes.count >= 12 }

    /// Whether the line after a complete hunk is one more line of it: git would drop it silently.
    private func looksLikeHunkLine(_ at: Int) -> Bool {
        let line = lines[at]
        if line.starts(with: "@@ -") || line.starts(with: "diff --git ") || Self.isPlainHeader(lines, at: at) { return false }
        let content = line.content
        // A mail signature (format-patch's `-- `) and a Markdown rule are not diff lines.
        if content.elementsEqual("-- ".utf8) || (content.count >= 3 && content.allSatisfy { $0 == UInt8(ascii: "-") }) { return false }
        switch content.first {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return true
        case UInt8(ascii: " "): return content.contains { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        default: return false
        }
    }

    private func shortHunk(_ header: PatchLine, _ counts: HunkHeader) -> GitError {
        PatchText.refusal(header, "the hunk ends before the \(counts.oldLines) old and \(counts.newLines) new lines its header counts")
    }

    private func longHunk(_ header: PatchLine, _ counts: HunkHeader) -> GitError {
        PatchText.refusal(header, "the hunk has more lines than the \(counts.oldLines) old and \(counts.newLines) new its header counts")
    }
}

/// The counts of a hunk header `@@ -A[,B] +C[,D] @@`, as git's `parse_fragment_header` reads them.
struct HunkHeader {
    let oldLines: Int
    let newLines: Int

    init?(_ content: ArraySlice<UInt8>) {
        var rest = content
        guard Self.take("@@ -", &rest), let old = Self.range(&rest), Self.take(" +", &rest), let new = Self.range(&rest), Self.take(" @@", &rest) else {
            return nil
        }
        (oldLines, newLines) = (old, new)
    }

    private static func take(_ literal: String, _ rest: inout ArraySlice<UInt8>) -> Bool {
        guard rest.starts(with: literal.utf8) else { return false }
        rest = rest.dropFirst(literal.utf8.count)
        return true
    }

    /// `start[,count]`; the count is 1 when left out.
    private static func range(_ rest: inout ArraySlice<UInt8>) -> Int? {
        guard number(&rest) != nil else { return nil }
        guard take(",", &rest) else { return 1 }
        return number(&rest)
    }

    private static func number(_ rest: inout ArraySlice<UInt8>) -> Int? {
        let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        // Nine digits is more lines than any patch minic reads; more could overflow.
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        rest = rest.dropFirst(digits.count)
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
