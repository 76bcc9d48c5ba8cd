import Foundation
import MinicCore

/// The fenced code blocks of an answer, and the file each one names, if any.
///
/// Fences are found as the code analysis finds them (`CodeAnalyzer.codeBlocks`): three or more
/// backticks or tildes after any spaces, closed by at least as many of the same character and
/// nothing but whitespace after. Exactly these spellings name a file, and nothing else does:
/// - in the info string, after the language or alone: `title=PATH`, `file=PATH` or `filename=PATH`,
///   the value bare or in double or single quotes (```` ```python title=src/x.py ````,
///   ```` ```py title="src/x.py" ````);
/// - the block's first line, at its very start: `path: PATH`, `# path: PATH` or `// path: PATH`.
///   That line is not part of the file.
/// A block whose info string starts with `diff` or `patch` is a diff, never a file.
struct AnswerBlock {
    /// The info string after the fence, trimmed.
    let info: String
    /// The body's lines, as written (a `\r` before the line end stays).
    let lines: [Substring]
    /// The line of the opening fence in the answer, from 1.
    let line: Int
    /// Whether a closing fence was found (else the block runs to the end of the answer).
    let closed: Bool

    /// Whether the info string's first word is `diff` or `patch`.
    var isDiff: Bool {
        let word = info.prefix { !$0.isWhitespace }.lowercased()
        return word == "diff" || word == "patch"
    }

    /// Every block of `answer`, in order.
    static func scan(_ answer: String) -> [AnswerBlock] {
        var blocks: [AnswerBlock] = []
        // The open block's parts live in plain variables, mutated in place: a block held in an
        // optional was copied, lines and all, on every line (quadratic in its length).
        var isOpen = false
        var fence: Substring = ""
        var info = ""
        var firstLine = 0
        var lines: [Substring] = []
        for (number, line) in answer.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if isOpen {
                if trimmed.hasPrefix(fence) && trimmed.drop(while: { $0 == fence.first }).allSatisfy(\.isWhitespace) {
                    blocks.append(AnswerBlock(info: info, lines: lines, line: firstLine, closed: true))
                    isOpen = false
                    lines = []
                } else {
                    lines.append(line)
                }
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix { $0 == trimmed.first }
                info = trimmed.dropFirst(fence.count).trimmingCharacters(in: .whitespacesAndNewlines)
                firstLine = number + 1
                isOpen = true
            }
        }
        if isOpen { blocks.append(AnswerBlock(info: info, lines: lines, line: firstLine, closed: false)) }
        return blocks
    }

    /// The file this block names, and whether its first line is the naming line (then not content).
    /// - Throws: ``MinicError`` (refused) when it names two different files, or a quote is not closed.
    func name() throws(MinicError) -> (path: String, firstLineNames: Bool)? {
        guard !isDiff else { return nil }
        let fromInfo = try infoName()
        let fromLine = lines.first.flatMap(Self.pathLine)
        switch (fromInfo, fromLine) {
        case (nil, nil): return nil
        case (let path?, nil): return (path, false)
        case (nil, let path?): return (path, true)
        case (let info?, let firstLine?):
            guard info == firstLine else {
                throw .refused(
                    "the code block at line \(line) of the answer names two files: '\(TerminalText.neutralise(info))' and '\(TerminalText.neutralise(firstLine))'"
                )
            }
            return (info, true)
        }
    }

    /// The file's content: the body (without a naming first line), each line ended by a newline.
    func content(firstLineNames: Bool) -> String {
        let body = firstLineNames ? lines.dropFirst() : lines[...]
        return body.isEmpty ? "" : body.joined(separator: "\n") + "\n"
    }

    /// `title=`, `file=` or `filename=` in the info string.
    private func infoName() throws(MinicError) -> String? {
        var names: [String] = []
        var rest = Substring(info)
        while let start = rest.firstIndex(where: { !$0.isWhitespace }) {
            rest = rest[start...]
            let word = rest.prefix { !$0.isWhitespace && $0 != "=" }
            let key = ["title", "file", "filename"].first { rest.hasPrefix($0 + "=") && word == $0 }
            guard let key else {
                rest = rest.drop { !$0.isWhitespace }
                continue
            }
            rest = rest.dropFirst(key.count + 1)
            if let quote = rest.first, quote == "\"" || quote == "'" {
                guard let end = rest.dropFirst().firstIndex(of: quote) else {
                    throw .refused("the code block at line \(line) of the answer has an unclosed quote in '\(TerminalText.neutralise(info))'")
                }
                names.append(String(rest[rest.index(after: rest.startIndex)..<end]))
                rest = rest[rest.index(after: end)...]
            } else {
                let value = rest.prefix { !$0.isWhitespace }
                names.append(String(value))
                rest = rest.dropFirst(value.count)
            }
        }
        guard let first = names.first else { return nil }
        if let other = names.first(where: { $0 != first }) {
            throw .refused(
                "the code block at line \(line) of the answer names two files: '\(TerminalText.neutralise(first))' and '\(TerminalText.neutralise(other))'")
        }
        return first
    }

    /// `path: PATH`, `# path: PATH` or `// path: PATH`, from the line's first character.
    private static func pathLine(_ line: Substring) -> String? {
        var text = line
        if text.hasSuffix("\r") { text = text.dropLast() }
        for prefix in ["path:", "# path:", "// path:"] where text.hasPrefix(prefix) {
            let after = text.dropFirst(prefix.count)
            guard let first = after.first, first == " " || first == "\t" else { return nil }
            let path = after.trimmingCharacters(in: .whitespaces)
            return path.isEmpty ? nil : path
        }
        return nil
    }
}
