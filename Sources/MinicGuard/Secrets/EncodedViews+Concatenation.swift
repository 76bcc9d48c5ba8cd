extension EncodedViews {
    /// A shell word being read: quoted and unquoted parts written side by side.
    private struct ShellWord {
        var start: Int
        var end: Int
        var parts: [Range<Int>]
        /// Whether an unquoted part touches a quoted one (`T="ghp_u8"jzP...`, `ghp_u8''jzP...`).
        var hasBarePart: Bool
        /// Whether a lone `:` stands between two quoted parts: JSON's or a dict's `"key":"value"`, not a shell word.
        var isKeyValue = false
    }

    /// String literals (`"`, `'`, and JavaScript's template literals in backticks) joined where
    /// only whitespace, `+`, `.`/`..` (PHP, Lua), `\` line continuations, an opening
    /// parenthesis or comments (`#`, `//`, `/* */`, so Python's adjacent literals with a comment
    /// between them) separate them: the text the program builds. With `lists` (a list literal
    /// handed to a `join`), commas and brackets join too. Also shell words made of quoted and
    /// unquoted parts side by side (`T="ghp_u8"jzP...`, `ghp_u8''jzP...`), as the shell
    /// joins them (from its last blank on, when at least 12 bytes long).
    func concatenated(_ bytes: UnsafeBufferPointer<UInt8>, lists: Bool, in region: Range<Int>) -> [Piece] {
        var pieces: [Piece] = []
        var group: [(content: Range<Int>, whole: Range<Int>)] = []
        func flush() {
            if group.count > 1 {
                let text = group.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0.content]), as: UTF8.self) }.joined()
                pieces.append(Piece(text: text, range: group[0].whole.lowerBound..<group[group.count - 1].whole.upperBound, how: "split by concatenation"))
            }
            group.removeAll()
        }
        var word: ShellWord?
        func flushWord() {
            // Worth a reading when an unquoted part touches a quoted one, or quoted parts follow a `NAME=` (read with the name).
            if let done = word, !done.isKeyValue, done.parts.count > 2 || (done.hasBarePart && done.parts.count > 1) {
                // Blanks inside quotes split the text the rules see: the last blank-free stretch is the candidate.
                var text = done.parts.flatMap { bytes[$0] }
                if let blank = text.lastIndex(where: Self.isBlank) { text.removeSubrange(...blank) }
                if text.count >= 12 {
                    pieces.append(Piece(text: String(decoding: text, as: UTF8.self), range: done.start..<done.end, how: "split across one shell word"))
                }
            }
            word = nil
        }
        var index = region.lowerBound
        var lastEnd = -1
        while index < region.upperBound {
            let byte = bytes[index]
            guard byte == 0x22 || byte == 0x27 || byte == 0x60 else {
                // A comment after a literal is read past (its quotes are not literals) while the literals may still join.
                if Self.startsComment(bytes, at: index, in: region), lastEnd >= 0, Self.onlyJoiners(bytes, lastEnd..<index, lists: lists) {
                    index = Self.commentEnd(bytes, at: index, in: region)
                    continue
                }
                index += 1
                continue
            }
            // A literal: up to the same quote on the same line, minding backslashes.
            var end = index + 1
            while end < region.upperBound && bytes[end] != byte && bytes[end] != 0x0A {
                end += bytes[end] == 0x5C ? 2 : 1
            }
            guard end < region.upperBound, bytes[end] == byte else {
                flush()
                flushWord()
                index = end + 1
                continue
            }
            if lastEnd >= 0 && !Self.onlyJoiners(bytes, lastEnd..<index, lists: lists) { flush() }
            group.append((index + 1..<end, index..<end + 1))
            let previousEnd = max(lastEnd, word?.end ?? 0, region.lowerBound)
            lastEnd = end + 1
            // The shell word around it: unquoted parts touching it before and after.
            var after = end + 1
            while after < region.upperBound && Self.isBare(bytes, at: after) { after += 1 }
            if var current = word, current.end == index {
                current.parts.append(index + 1..<end)
                word = current
            } else {
                flushWord()
                var from = index
                while from > previousEnd && Self.isBare(bytes, at: from - 1) { from -= 1 }
                let before = from..<index
                word = ShellWord(start: from, end: index, parts: before.isEmpty ? [] : [before], hasBarePart: Self.isBarePart(bytes, before))
                word?.parts.append(index + 1..<end)
            }
            if after > end + 1 {
                word?.parts.append(end + 1..<after)
                word?.hasBarePart = true
                if after == end + 2, bytes[end + 1] == UInt8(ascii: ":"), after < region.upperBound, [0x22, 0x27].contains(bytes[after]) { word?.isKeyValue = true }
            }
            word?.end = after
            index = after
        }
        flush()
        flushWord()
        return pieces
    }

    /// Whether the unquoted text before a literal is part of its word's value: something after
    /// its last `=` or `:` (the name in `T="..."` is not) that is not a string prefix (`b"`, `rb'`, `u8"`, `$"`).
    static func isBarePart(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var start = range.lowerBound
        for index in range where bytes[index] == UInt8(ascii: "=") || bytes[index] == UInt8(ascii: ":") { start = index + 1 }
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<range.upperBound]), as: UTF8.self)
        return !value.isEmpty && !stringPrefixes.contains(value.lowercased())
    }

    static let stringPrefixes: Set<String> = ["r", "b", "u", "f", "l", "rb", "br", "fr", "rf", "u8", "$", "@", "$@", "@$"]

    /// Bytes of an unquoted shell word that may touch a literal: not blanks, quotes,
    /// backslashes, brackets, separators or the `+`, `.`, `#` and `//` that join or end code.
    static func isBare(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = bytes[index]
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "/"): return !(index + 1 < bytes.count && bytes[index + 1] == byte) && !(index > 0 && bytes[index - 1] == byte)
        default: return "_-=:$!@%^*~?".utf8.contains(byte)
        }
    }

    static func startsComment(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, in region: Range<Int>) -> Bool {
        guard bytes[index] != UInt8(ascii: "#") else { return true }
        guard bytes[index] == UInt8(ascii: "/"), index + 1 < region.upperBound else { return false }
        return bytes[index + 1] == UInt8(ascii: "/") || bytes[index + 1] == UInt8(ascii: "*")
    }

    /// Where the comment starting at `index` ends: its line's newline, or after `*/`.
    static func commentEnd(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, in region: Range<Int>) -> Int {
        var end = index + 2
        if bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "*") {
            while end + 1 < region.upperBound && !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
            return min(end + 2, region.upperBound)
        }
        while end < region.upperBound && bytes[end] != 0x0A { end += 1 }
        return min(end, region.upperBound)
    }

    static func onlyJoiners(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, lists: Bool) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x5C, 0x2B, 0x2E: break  // blanks, \ continuations, + and . (PHP, Lua's ..)
            case 0x2C, 0x5B, 0x5D, 0x28, 0x29, 0x7B, 0x7D:  // , [ ] ( ) { } of a list literal being joined
                if !lists { return false }
            case 0x23, 0x2F:  // # and // or /* comments
                guard startsComment(bytes, at: index, in: range) else { return false }
                index = commentEnd(bytes, at: index, in: range)
                continue
            default: return false
            }
            index += 1
        }
        return true
    }
}
