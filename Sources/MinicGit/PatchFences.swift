/// Markdown fences around a diff: ```` ```diff ```` / ```` ~~~patch ```` blocks in an answer.
///
/// A fence counts only at the start of a line: a diff's own lines start with a space, `+`, `-` or
/// `@`, so a context line ` ```` of a Markdown file never opens or closes one.
enum PatchFences {
    private struct Fence {
        let character: UInt8
        let length: Int
        let isDiff: Bool
    }

    /// The bodies of the `diff` and `patch` fences, in order, or `nil` when there are none. Other
    /// fences are skipped whole (a diff shown inside a ```` ````markdown ```` block is not one).
    /// A fence never closed runs to the end, as in CommonMark.
    static func diffBodies(_ lines: [PatchLine]) -> [PatchLine]? {
        var bodies: [PatchLine] = []
        var found = false
        var open: Fence?
        for line in lines {
            if let fence = open {
                if closes(line, fence) {
                    open = nil
                } else if fence.isDiff {
                    bodies.append(line)
                }
            } else if let fence = opening(line) {
                open = fence
                found = found || fence.isDiff
            }
        }
        return found ? bodies : nil
    }

    /// Three or more backticks or tildes; a diff fence when its info string's first word is `diff` or `patch`.
    private static func opening(_ line: PatchLine) -> Fence? {
        let content = line.content
        guard let character = content.first, character == UInt8(ascii: "`") || character == UInt8(ascii: "~") else { return nil }
        let length = content.prefix { $0 == character }.count
        guard length >= 3 else { return nil }
        let info = content.dropFirst(length).drop { PatchNames.isSpace($0) }
        let word = String(decoding: info.prefix { !PatchNames.isSpace($0) }, as: UTF8.self).lowercased()
        return Fence(character: character, length: length, isDiff: word == "diff" || word == "patch")
    }

    /// At least as many of the same character, then only whitespace.
    private static func closes(_ line: PatchLine, _ fence: Fence) -> Bool {
        let content = line.content
        let length = content.prefix { $0 == fence.character }.count
        return length >= fence.length && content.dropFirst(length).allSatisfy(PatchNames.isSpace)
    }
}
