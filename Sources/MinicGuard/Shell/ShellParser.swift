/// A parser for POSIX shell and bash command lines, enough to see which programs a
/// script runs, with what words, in which pipelines, with which redirections —
/// quoting, escapes, ANSI-C strings, here-documents and nested substitutions
/// included. It does not run or expand anything: computed parts are marked dynamic.
public struct ShellParser {
    var characters: [Character]
    var index = 0
    var line = 1
    private var pipelineCounter: Int
    var commands: [ShellCommand] = []
    var problems: [String] = []
    var functions: [(name: String, line: Int)] = []
    var knownValues: [String: [String]] = [:]
    /// Pipelines of nested scripts are numbered from here, apart from the outer ones.
    var nextNestedPipeline = 1 << 20
    private var pendingHereDocs: [(delimiter: String, strip: Bool, expands: Bool, command: Int, redirection: Int)] = []
    private let substituted: Bool

    static let reserved: Set<String> = ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "time", "in", "esac", "coproc"]
    static let headers: Set<String> = ["for", "case", "select", "function"]
    /// Commands that give variables values (see ``recordValues(_:)``).
    static let valueSetters: Set<String> = declarers.union(["printf", "read", "mapfile", "readarray"])

    private init(_ text: String, firstPipeline: Int, substituted: Bool, line: Int) {
        characters = Array(text)
        pipelineCounter = firstPipeline
        self.substituted = substituted
        self.line = line
    }

    static func nestedParser(_ text: String, firstPipeline: Int, line: Int) -> ShellParser {
        ShellParser(text, firstPipeline: firstPipeline, substituted: true, line: line)
    }

    mutating func parseAll() { run() }

    func results() -> (commands: [ShellCommand], problems: [String], nextPipeline: Int) {
        (commands, problems, max(pipelineCounter, nextNestedPipeline))
    }

    /// Functions and known values found by a nested parser, merged into this one's.
    mutating func merge(definitionsOf inner: ShellParser) {
        functions += inner.functions
        knownValues.merge(inner.knownValues) { $0 + $1 }
    }

    /// Parses `text` into its simple commands.
    public static func parse(_ text: String) -> ShellScript {
        var parser = ShellParser(text, firstPipeline: 0, substituted: false, line: 1)
        parser.run()
        var script = ShellScript(commands: parser.commands, problems: parser.problems)
        script.functions = parser.functions
        script.knownValues = parser.knownValues
        return script
    }

    private mutating func run() {
        var current = ShellCommand()
        var position = 0
        func finish(_ parser: inout ShellParser, endsPipeline: Bool) {
            parser.close(&current, position: position)
            current = ShellCommand()
            if endsPipeline {
                parser.pipelineCounter += 1
                position = 0
            } else {
                position += 1
            }
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\n" {
                finish(&self, endsPipeline: true)
                index += 1
                line += 1
                readHereDocs()
                continue
            }
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if character == "\\" && peek(1) == "\n" {
                index += 2
                line += 1
                continue
            }
            if character == "#" {
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            }
            if let redirection = readRedirectionOperator() {
                skipBlanks()
                if redirection.hasPrefix("<<") && redirection != "<<<" {
                    let strip = redirection == "<<-"
                    let word = readWord() ?? ShellWord("")
                    current.redirections.append(ShellRedirection(operation: "<<", target: ShellWord("")))
                    // An unquoted delimiter (`<<EOF`, not `<<'EOF'`) makes the shell run the body's substitutions.
                    pendingHereDocs.append((word.text, strip, !word.quoted, commands.count, current.redirections.count - 1))
                    // The body is attached once the command is closed (see readHereDocs).
                    continue
                }
                let target = readWord() ?? ShellWord("")
                current.redirections.append(ShellRedirection(operation: redirection, target: target))
                continue
            }
            switch character {
            case "|":
                if peek(1) == "|" {
                    index += 2
                    finish(&self, endsPipeline: true)
                } else {
                    index += peek(1) == "&" ? 2 : 1
                    finish(&self, endsPipeline: false)
                }
                continue
            case "&", ";":
                index += (peek(1) == character || (character == ";" && peek(1) == "&")) ? 2 : 1
                finish(&self, endsPipeline: true)
                continue
            case "(", ")":
                index += 1
                // `name()` of a function definition names no command; otherwise a subshell's bounds.
                if character == "(" && peek(0) == ")" {
                    index += 1
                    let words = current.words.filter { $0.quoted || $0.text != "function" }
                    if let name = words.first { functions.append((name.text, line)) }
                    current = ShellCommand()
                }
                finish(&self, endsPipeline: true)
                continue
            default:
                break
            }
            guard var word = readWord() else {
                index += 1
                continue
            }
            // `X=(/ /etc)`, `declare -a X=(...)`, `X+=(...)`: an array.
            if !word.quoted, word.text.hasSuffix("="), peek(0) == "(" {
                let variable = word.text.dropLast().hasSuffix("+") ? word.text.dropLast(2) : word.text.dropLast()
                if Self.isName(variable) {
                    word.text += readArray(named: String(variable))
                    word.dynamic = true
                }
            }
            // `function NAME { ...; }`: the header ends at the name; the body's commands are commands like any other.
            if current.words.count == 2, let first = current.words.first, !first.quoted, first.text == "function" {
                functions.append((current.words[1].text, current.line))
                current = ShellCommand()
                finish(&self, endsPipeline: true)
            }
            if current.words.isEmpty {
                if !word.quoted && Self.reserved.contains(word.text) { continue }
                if word.text.contains("="), let equals = word.text.firstIndex(of: "="),
                    !word.quoted || (word.quotedFrom ?? 0) > word.text.distance(from: word.text.startIndex, to: equals),
                    Self.isName(word.text[..<equals]) || (word.text[..<equals].hasSuffix("+") && Self.isName(word.text[..<equals].dropLast()))
                {
                    current.assignments.append(word.text)
                    // Kept as written, expansions too (`X=${HOME}`, `X=$(echo /)`): the analyser follows them.
                    let name = word.text[..<equals].hasSuffix("+") ? word.text[..<equals].dropLast() : word.text[..<equals]
                    let value = String(word.text[word.text.index(after: equals)...])
                    if !value.hasPrefix("(") { knownValues[String(name), default: []].append(value) }
                    continue
                }
                if current.words.isEmpty { current.line = line }
            }
            current.words.append(word)
        }
        finish(&self, endsPipeline: true)
    }

    /// Adds a finished simple command (skipping empty ones and loop or case headers).
    private mutating func close(_ command: inout ShellCommand, position: Int) {
        guard !command.words.isEmpty || !command.redirections.isEmpty else { return }
        expandBraces(&command)
        if let first = command.words.first, !first.quoted, Self.headers.contains(first.text) {
            // `for d in / ~ /etc`: what `$d` can be inside the loop.
            if ["for", "select"].contains(first.text), command.words.count > 2, command.words[2].text == "in" {
                knownValues[command.words[1].text, default: []] += command.words.dropFirst(3).map(\.text)
            }
            return
        }
        if let name = command.name, !name.dynamic, Self.valueSetters.contains(name.text) { recordValues(command) }
        command.pipeline = pipelineCounter
        command.position = position
        command.substituted = substituted
        // A here-document opened on this command still points at `commands.count`.
        commands.append(command)
    }

    /// Replaces each word with a brace expansion by the words it expands to, as bash does before running it.
    private mutating func expandBraces(_ command: inout ShellCommand) {
        guard command.words.contains(where: \.braces) else { return }
        var words: [ShellWord] = []
        for word in command.words {
            guard word.braces else {
                words.append(word)
                continue
            }
            guard let expanded = ShellBraces.expand(word.text) else {
                problems.append("line \(command.line): a brace expansion too large to check")
                words.append(word)
                continue
            }
            for text in expanded {
                var copy = word
                copy.text = text
                copy.braceExpanded = expanded.count > 1
                words.append(copy)
            }
        }
        command.words = words
    }

    /// Reads the bodies of here-documents whose command line just ended.
    private mutating func readHereDocs() {
        for document in pendingHereDocs {
            var body: [String] = []
            while index < characters.count {
                var end = index
                while end < characters.count && characters[end] != "\n" { end += 1 }
                var text = String(characters[index..<end])
                index = min(end + 1, characters.count)
                line += 1
                if document.strip { text = String(text.drop(while: { $0 == "\t" })) }
                if text == document.delimiter { break }
                body.append(text)
            }
            if document.command < commands.count, document.redirection < commands[document.command].redirections.count {
                commands[document.command].redirections[document.redirection].target = ShellWord(body.joined(separator: "\n"))
            }
            if document.expands {
                for text in body where text.contains("$(") || text.contains("`") {
                    for inner in Self.substitutions(in: text) { parseNested(inner) }
                }
            }
        }
        pendingHereDocs.removeAll()
    }

    /// The commands of the `$(...)` and backtick substitutions in `text`, read as bash reads a here-document body
    /// (quotes are plain characters there).
    static func substitutions(in text: String) -> [String] {
        let characters = Array(text)
        var found: [String] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
            } else if character == "`", let end = characters[(index + 1)...].firstIndex(of: "`") {
                found.append(String(characters[(index + 1)..<end]))
                index = end + 1
            } else if character == "$", index + 1 < characters.count, characters[index + 1] == "(" {
                var depth = 0
                var end = index + 1
                while end < characters.count {
                    if characters[end] == "(" { depth += 1 }
                    if characters[end] == ")" { depth -= 1 }
                    if depth == 0 { break }
                    end += 1
                }
                found.append(String(characters[(index + 2)..<min(end, characters.count)]))
                index = end + 1
            } else {
                index += 1
            }
        }
        return found
    }

    func peek(_ offset: Int) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func skipBlanks() {
        while let character = peek(0), character == " " || character == "\t" { index += 1 }
    }

    /// `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<>`, with an optional descriptor number before.
    private mutating func readRedirectionOperator() -> String? {
        var cursor = index
        while cursor < characters.count, characters[cursor].isASCII, characters[cursor].isNumber { cursor += 1 }
        guard cursor < characters.count else { return nil }
        let rest = String(characters[cursor..<min(characters.count, cursor + 3)])
        let operators = ["&>>", "<<<", "<<-", "&>", ">>", "<<", ">&", "<&", ">|", "<>", ">", "<"]
        guard let operation = operators.first(where: { rest.hasPrefix($0) }) else { return nil }
        // `<(` and `>(` are process substitutions, read as words.
        if (operation == "<" || operation == ">") && cursor + 1 < characters.count && characters[cursor + 1] == "(" { return nil }
        if operation.hasPrefix("&") && cursor != index { return nil }
        index = cursor + operation.count
        return operation
    }

    static func isOperatorStart(_ character: Character) -> Bool {
        "|&;()<> \t\n".contains(character)
    }

    static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}
