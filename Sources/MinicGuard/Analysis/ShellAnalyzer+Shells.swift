/// Shells given text to run: `sh -c TEXT ARGS` in every option order (`bash -c -- TEXT`, `bash -ec TEXT`, `fish -c
/// TEXT`), with `$0`, `$1`, `$@` bound to the call's arguments; literal text piped or fed to a shell (`echo "rm -rf /" |
/// bash`, `cat <<EOF | sh`, `bash <<< TEXT`, `. /dev/stdin <<< TEXT`, `source <(echo TEXT)`).
extension ShellAnalyzer {
    /// What a shell's arguments say it runs.
    struct ShellInvocation {
        /// The command string (`-c TEXT`).
        var script: String?
        /// Values of `$0`, `$1`, ... and `$@` for the script.
        var bindings: [String: [String]] = [:]
        /// Whether it reads its script from standard input (no script operand, or `-s`).
        var readsStdin = false
    }

    /// Reads a shell's options as the shell does: `-c` makes the first operand the script (fish: `-c`'s own value),
    /// `--` ends the options, `-o NAME`/`-O NAME`/`--rcfile FILE` take a value.
    static func shellInvocation(_ program: String, _ arguments: [String]) -> ShellInvocation {
        var result = ShellInvocation()
        var commandMode = false
        var stdinMode = false
        var rest = arguments[...]
        while let word = rest.first, word.count > 1, word.hasPrefix("-") || word.hasPrefix("+") {
            rest = rest.dropFirst()
            if word == "--" || word == "-" { break }
            if word.hasPrefix("--") {
                let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
                if name == "--command" {
                    commandMode = true
                    if program == "fish" { result.script = word.contains("=") ? String(word.drop { $0 != "=" }.dropFirst()) : rest.popFirst() }
                } else if ["--rcfile", "--init-file", "--init-command"].contains(name) && !word.contains("=") {
                    rest = rest.dropFirst()
                }
                continue
            }
            for (offset, letter) in word.dropFirst().enumerated() {
                if letter == "c" {
                    commandMode = true
                    if program == "fish" {
                        let attached = String(word.dropFirst(offset + 2))
                        result.script = attached.isEmpty ? rest.popFirst() : attached
                        break
                    }
                } else if letter == "s" {
                    stdinMode = true
                } else if "oOC".contains(letter) {
                    rest = rest.dropFirst()
                    break
                }
            }
        }
        var operands = Array(rest)
        if commandMode && program != "fish" && !operands.isEmpty { result.script = operands.removeFirst() }
        if commandMode {
            if let zero = operands.first { result.bindings["0"] = [zero] }
            operands = Array(operands.dropFirst())
        } else if !stdinMode {
            result.readsStdin = operands.isEmpty
            operands = Array(operands.dropFirst())
        } else {
            result.readsStdin = true
        }
        for (index, operand) in operands.prefix(9).enumerated() { result.bindings[String(index + 1)] = [operand] }
        if !operands.isEmpty {
            result.bindings["@"] = operands
            result.bindings["*"] = operands
            result.bindings[callKey] = [operands.map(quoted).joined(separator: " ")]
        }
        return result
    }

    /// Text a command reads on standard input when it is written in the script: its here-documents and here-strings,
    /// and what the command before it in its pipeline prints when that is a literal `echo`, `printf` or `cat <<EOF`.
    static func stdinTexts(_ command: ShellCommand, in script: ShellScript) -> [String] {
        var texts = command.redirections.filter { $0.operation == "<<" || $0.operation == "<<<" }.map(\.target.text)
        if command.position > 0, let upstream = script.pipeline(command.pipeline).last(where: { $0.position == command.position - 1 }),
            let printed = literalOutput(of: upstream)
        {
            texts.append(printed)
        }
        return texts
    }

    /// What `command` prints when the script spells it out: `echo`/`printf` of literal words, `cat` of a here-document.
    static func literalOutput(of command: ShellCommand) -> String? {
        switch command.baseName {
        case "echo", "printf":
            guard !command.arguments.contains(where: \.dynamic) else { return nil }
            return printedText(command.words.map { quoted($0.text) }.joined(separator: " "))
        case "cat":
            guard command.arguments.isEmpty || command.arguments.map(\.text) == ["-"] else { return nil }
            return command.redirections.last { $0.operation == "<<" || $0.operation == "<<<" }?.target.text
        default:
            return nil
        }
    }

    /// The text of `$(echo TEXT)` or `` `printf TEXT` `` when `word` is just that substitution: what the shell runs.
    static func printedSubstitution(_ word: String) -> String? {
        guard word.hasPrefix("$(") || word.hasPrefix("`"), let (inner, rest) = substitution(word), rest.isEmpty else { return nil }
        return printedText(inner)
    }

    /// Literal text written into files by the script (`echo 'CMD' > x.sh`, `cat > x.sh <<EOF`, `printf ... >> x`), by the
    /// files' base names, for when the script runs them.
    static func writtenScripts(_ script: ShellScript) -> [String: [String]] {
        var written: [String: [String]] = [:]
        for command in script.commands where !command.redirections.isEmpty && ["echo", "printf", "cat"].contains(command.baseName ?? "") {
            guard let file = command.redirections.first(where: { [">", ">>", ">|"].contains($0.operation) })?.target.text,
                let text = literalOutput(of: command)
            else { continue }
            written[ShellWrappers.baseName(file), default: []].append(text)
        }
        return written
    }

    /// A file run as a script (`sh x`, `. x`, `./x`, `/tmp/x`) whose text the script wrote earlier: that text, analysed.
    static func runWritten(
        _ first: String, program: String, _ arguments: [String], line: Int, written: [String: [String]], add: (String, Severity, Int, String) -> Void
    ) {
        var file: String?
        if ShellScript.shells.contains(program) || program == "source" || program == "." {
            file = arguments.first { !$0.hasPrefix("-") }
        } else if first.contains("/") {
            file = first
        }
        guard let file, let texts = written[ShellWrappers.baseName(file)] else { return }
        for text in texts { analyseNested(text, line: line, note: "in \(file), written earlier in the script", add: add) }
    }

    /// `word` in single quotes, so that re-parsing it gives the word back.
    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The scripts a shell, `source` or `.` command runs from text in the script: its `-c` text (with its arguments
    /// bound), literal text on its standard input, and `<(echo TEXT)`.
    static func shellTexts(_ program: String, _ arguments: [String], command: ShellCommand, in script: ShellScript) -> [(String, [String: [String]])] {
        var texts: [(String, [String: [String]])] = []
        // `<(echo TEXT)`: the parser keeps a process substitution as `(CMD)`.
        for argument in arguments where argument.hasPrefix("(") && argument.hasSuffix(")") {
            if let printed = printedText(String(argument.dropFirst().dropLast())) { texts.append((printed, [:])) }
        }
        if program == "source" || program == "." {
            if let file = arguments.first, ["/dev/stdin", "/proc/self/fd/0", "/dev/fd/0", "-"].contains(file) {
                texts += stdinTexts(command, in: script).map { ($0, [:]) }
            }
            return texts
        }
        guard ShellScript.shells.contains(program) else { return texts }
        let invocation = shellInvocation(program, arguments)
        if let text = invocation.script { texts.append((printedSubstitution(text) ?? text, invocation.bindings)) }
        if invocation.readsStdin { texts += stdinTexts(command, in: script).map { ($0, invocation.bindings) } }
        return texts
    }
}
