/// Patches in the shapes `git apply` accepts, turned into the one libgit2 parses.
///
/// libgit2's `git_diff_from_buffer` reads only git's own format: each file opens with a
/// `diff --git a/P b/P` line. People and models also write plain unified diffs (`diff -u`,
/// `--- a/P` / `+++ b/P` or `--- P` / `+++ P`, timestamps after a tab, `/dev/null` for a
/// created or deleted file), with CRLF line ends, prose before the first header, or inside
/// ```` ```diff ```` fences. ``normalized(_:)`` reads them the way `git apply` does and writes
/// the git headers libgit2 needs; it is a pure text transform, no repository involved.
public enum PatchText {
    /// A patch libgit2 parses, with the same effect `git apply` gives `patch`.
    ///
    /// - A git-style diff passes through unchanged.
    /// - Each plain `--- X` / `+++ Y` pair followed by a hunk gets a `diff --git a/P b/P` header, with
    ///   `new file mode 100644` / `deleted file mode 100644` for a `/dev/null` (or epoch-dated) side.
    ///   P is the `+++` name (the `---` one for a deletion, or when it is a shorter prefix of the `+++` one,
    ///   as `file` is of `file.orig`), as `git apply` chooses; timestamps after a tab, or after spaces when
    ///   they look like a date, are dropped. Its first directory is stripped when it is a prefix: the two
    ///   names start with different directories (`a/x` / `b/x`, `orig/x` / `new/x`), or the one name of a
    ///   created or deleted file starts with `a/` or `b/`. Otherwise the names are taken as written, so
    ///   `--- src/x` / `+++ src/x` is `src/x`, where `git apply` would need `-p0` to read it so.
    /// - When the text holds ```` ```diff ```` or ```` ```patch ```` fences (opening at the start of a
    ///   line), only their bodies count, joined in order; otherwise the whole text does, and whatever is
    ///   not a header or a hunk (prose, other fences) is left in place for libgit2 to skip, as git skips it.
    /// - A text that does not end with a newline gets one: that is how the answer was cut, not what the
    ///   diff says (`\ No newline at end of file` says that).
    ///
    /// - Throws: ``GitError`` with code ``GitError/Code/invalid`` and one line naming the input line for what
    ///   `git apply` refuses or what is dangerous: a path that is absolute, has an empty, `.`, `..` or
    ///   `.git` component (any case, trailing dots or spaces, `git~1`), a backslash or a control character;
    ///   a hunk whose lines do not match its header's counts, that changes nothing, or that has no file
    ///   header; a text with no file header at all.
    public static func normalized(_ patch: [UInt8]) throws(GitError) -> [UInt8] {
        var text = patch
        if let last = text.last, last != UInt8(ascii: "\n") { text.append(UInt8(ascii: "\n")) }
        let all = PatchLine.split(text)
        let fenced = PatchFences.diffBodies(all)
        var scanner = PatchScanner(lines: fenced ?? all)
        try scanner.run()
        guard scanner.files > 0 else {
            throw refusal(nil, "no diff found: no 'diff --git' line and no '--- '/'+++ ' file header followed by a hunk")
        }
        return fenced == nil && !scanner.rewrote ? text : scanner.output
    }

    /// Whether `text` holds a file header ``normalized(_:)`` would read: a `diff --git` line, or a
    /// `--- ` / `+++ ` pair followed by a hunk (inside the ```` ```diff ```` fences when it has any).
    public static func containsPatch(_ text: [UInt8]) -> Bool {
        let all = PatchLine.split(text)
        let lines = PatchFences.diffBodies(all) ?? all
        return lines.indices.contains { lines[$0].starts(with: "diff --git ") || PatchScanner.isPlainHeader(lines, at: $0) }
    }

    static func refusal(_ line: PatchLine?, _ reason: String) -> GitError {
        GitError(code: .invalid, message: line.map { "line \($0.number): \(reason)" } ?? reason, operation: "reading the patch")
    }
}

/// One line of a patch: its bytes with the line end, and its number in the text given.
struct PatchLine {
    let bytes: ArraySlice<UInt8>
    let number: Int

    /// The line without its `\n` or `\r\n`.
    var content: ArraySlice<UInt8> {
        var end = bytes.endIndex
        if end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }

    func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { prefixBytes in bytes.prefix(count).elementsEqual(prefixBytes) }
    }

    /// The content after `prefix` (which the caller has checked is there).
    func rest(after prefix: StaticString) -> ArraySlice<UInt8> { content.dropFirst(prefix.utf8CodeUnitCount) }

    /// Splits text into lines, each keeping its `\n` (the last one may have none).
    static func split(_ text: [UInt8]) -> [PatchLine] {
        var lines: [PatchLine] = []
        var start = text.startIndex
        var number = 1
        while start < text.endIndex {
            let end = text[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? text.endIndex
            lines.append(PatchLine(bytes: text[start..<end], number: number))
            start = end
            number += 1
        }
        return lines
    }
}
