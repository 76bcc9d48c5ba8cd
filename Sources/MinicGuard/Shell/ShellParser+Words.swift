extension ShellParser {
    /// Reads one word at the cursor, removing quotes, decoding `$'...'` and parsing
    /// substitutions (their commands are added to the script as substituted).
    mutating func readWord() -> ShellWord? {
        var word = ShellWord("")
        var started = false
        while let character = peek(0) {
            if Self.isOperatorStart(character) {
                // Process substitution `<(...)` / `>(...)` is part of a word.
                guard (character == "<" || character == ">") && peek(1) == "(" else { break }
                index += 1
                nested(&word, open: "(", close: ")")
                started = true
                continue
            }
            started = true
            // Where quoting starts decides whether `X="a b"` is an assignment (it is; `"X=a"` is not).
            if !word.quoted && "\\'\"$".contains(character) { word.quotedFrom = word.text.count }
            switch character {
            case "\\":
                index += 1
                if let next = peek(0) {
                    if next == "\n" { line += 1 } else { word.text.append(next) }
                    index += 1
                }
                word.quoted = true
            case "'":
                index += 1
                while let next = peek(0), next != "'" {
                    if next == "\n" { line += 1 }
                    word.text.append(next)
                    index += 1
                }
                if peek(0) == nil { problems.append("line \(line): unterminated single quote") }
                index += 1
                word.quoted = true
            case "\"":
                index += 1
                word.quoted = true
                readDoubleQuoted(&word)
            case "$":
                readDollar(&word)
            case "`":
                readBackticks(&word)
            default:
                if character == "{" { word.braces = true }
                word.text.append(character)
                index += 1
            }
        }
        return started ? word : nil
    }

    private mutating func readDoubleQuoted(_ word: inout ShellWord) {
        while let character = peek(0), character != "\"" {
            switch character {
            case "\\":
                if let next = peek(1), "$`\"\\\n".contains(next) {
                    if next != "\n" { word.text.append(next) } else { line += 1 }
                    index += 2
                } else {
                    word.text.append(character)
                    index += 1
                }
            case "$":
                readDollar(&word, quoted: true)
            case "`":
                readBackticks(&word)
            default:
                if character == "\n" { line += 1 }
                word.text.append(character)
                index += 1
            }
        }
        if peek(0) == nil { problems.append("line \(line): unterminated double quote") }
        index += 1
    }

    /// A backtick substitution at the cursor: its inside (backslash escapes undone) is parsed as a nested script.
    private mutating func readBackticks(_ word: inout ShellWord) {
        index += 1
        var inner = ""
        while let next = peek(0), next != "`" {
            if next == "\\", let escaped = peek(1) {
                inner.append(escaped)
                index += 2
                continue
            }
            inner.append(next)
            index += 1
        }
        index += 1
        parseNested(inner)
        word.text += "`" + inner + "`"
        word.dynamic = true
    }

    /// `$'...'`, `$(...)`, `$((...))`, `${...}`, `$name`, `$1`, `$@`.
    private mutating func readDollar(_ word: inout ShellWord, quoted: Bool = false) {
        let next = peek(1)
        if next == "'" && !quoted {
            index += 2
            word.text += decodeANSIC()
            word.ansiC = true
            word.quoted = true
            return
        }
        if next == "(" {
            index += 1
            if peek(1) == "(" {
                // Arithmetic: computed, but runs no command.
                let start = index
                skipBalanced(open: "(", close: ")")
                word.text += "$" + String(characters[start..<min(index, characters.count)])
                word.dynamic = true
                return
            }
            word.text += "$"
            nested(&word, open: "(", close: ")")
            return
        }
        if next == "{" {
            let start = index
            index += 1
            skipBalanced(open: "{", close: "}")
            word.text += String(characters[start..<min(index, characters.count)])
            word.dynamic = true
            return
        }
        if let next, next.isLetter || next == "_" || next.isNumber || "@*#?$!-".contains(next) {
            let start = index
            index += 2
            if next.isLetter || next == "_" {
                while let character = peek(0), character.isLetter || character.isNumber || character == "_" { index += 1 }
            }
            word.text += String(characters[start..<index])
            word.dynamic = true
            return
        }
        word.text.append("$")
        index += 1
    }

    /// Reads `( ... )` at the cursor, parses its inside as a nested script and appends it to the word as written.
    private mutating func nested(_ word: inout ShellWord, open: Character, close: Character) {
        let start = index + 1
        skipBalanced(open: open, close: close)
        let end = max(start, min(index - 1, characters.count))
        let inner = String(characters[start..<end])
        parseNested(inner)
        word.text += "(" + inner + ")"
        word.dynamic = true
    }

    /// Moves the cursor past the bracket at the cursor and its match, minding quotes.
    mutating func skipBalanced(open: Character, close: Character) {
        var depth = 0
        var quote: Character?
        while let character = peek(0) {
            index += 1
            if character == "\n" { line += 1 }
            if let active = quote {
                if character == "\\" && active == "\"" {
                    index += 1
                } else if character == active {
                    quote = nil
                }
                continue
            }
            switch character {
            case "\\": index += 1
            case "'", "\"": quote = character
            case open: depth += 1
            case close:
                depth -= 1
                if depth == 0 { return }
            default: break
            }
        }
        problems.append("line \(line): unterminated \(open)")
    }

    mutating func parseNested(_ text: String) {
        var inner = ShellParser.nestedParser(text, firstPipeline: nextNestedPipeline, line: line)
        inner.nextNestedPipeline = nextNestedPipeline + (1 << 16)
        inner.parseAll()
        merge(definitionsOf: inner)
        let (found, innerProblems, next) = inner.results()
        commands.append(contentsOf: found)
        problems.append(contentsOf: innerProblems)
        nextNestedPipeline = max(next, nextNestedPipeline + 1)
    }

    /// The text of `$'...'` with its escapes decoded (`\x41`, `\101`, `\u0041`, `\n`, ...).
    private mutating func decodeANSIC() -> String {
        var scalars = String.UnicodeScalarView()
        while let character = peek(0), character != "'" {
            index += 1
            guard character == "\\", let escape = peek(0) else {
                scalars.append(contentsOf: character.unicodeScalars)
                continue
            }
            index += 1
            func digits(_ limit: Int, radix: Int) -> UInt32? {
                var text = ""
                while text.count < limit, let digit = peek(0), digit.isHexDigit, Int(String(digit), radix: radix) != nil {
                    text.append(digit)
                    index += 1
                }
                return UInt32(text, radix: radix)
            }
            let simple: [Character: Unicode.Scalar] = ["n": "\n", "t": "\t", "r": "\r", "a": "\u{07}", "b": "\u{08}", "e": "\u{1B}", "E": "\u{1B}", "f": "\u{0C}", "v": "\u{0B}", "\\": "\\", "'": "'", "\"": "\"", "?": "?"]
            if let scalar = simple[escape] {
                scalars.append(scalar)
            } else if escape == "x", let value = digits(2, radix: 16), let scalar = Unicode.Scalar(value) {
                scalars.append(scalar)
            } else if escape == "u" || escape == "U", let value = digits(escape == "u" ? 4 : 8, radix: 16), let scalar = Unicode.Scalar(value) {
                scalars.append(scalar)
            } else if escape.isNumber {
                index -= 1
                if let value = digits(3, radix: 8), let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            } else {
                scalars.append("\\")
                scalars.append(contentsOf: escape.unicodeScalars)
            }
        }
        index += 1
        return String(scalars)
    }
}
