/// The values a script gives its variables, besides plain `X=VALUE` and `for X in ...`: `export`/`declare`/`local`/
/// `readonly`/`typeset X=VALUE`, arrays (`X=(/ /etc)`), `printf -v X FORMAT ARGS` and `read X <<< TEXT`.
/// Values are kept as written (`${HOME}`, `$(echo /)`): the analyser follows them.
extension ShellParser {
    static let declarers: Set<String> = ["export", "declare", "local", "readonly", "typeset"]

    /// Records what `command` assigns, when it is a declaration, `printf -v` or `read` from a here-string.
    mutating func recordValues(_ command: ShellCommand) {
        guard let name = command.name?.text else { return }
        let arguments = command.arguments.map(\.text)
        if Self.declarers.contains(name) {
            for argument in arguments where !argument.hasPrefix("-") && !argument.hasPrefix("+") {
                guard let equals = argument.firstIndex(of: "=") else { continue }
                let variable = argument[..<equals].hasSuffix("+") ? argument[..<equals].dropLast() : argument[..<equals]
                let value = String(argument[argument.index(after: equals)...])
                if Self.isName(variable), !value.hasPrefix("(") { knownValues[String(variable), default: []].append(value) }
            }
        } else if name == "printf", arguments.count > 2, arguments[0] == "-v" {
            // Kept as the substitution that prints the same text, which the analyser reads (`printf '\x2f'` is `/`).
            let printed = arguments.dropFirst(2).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            knownValues[arguments[1], default: []].append("$(printf " + printed.joined(separator: " ") + ")")
        } else if name == "read" || name == "mapfile" || name == "readarray",
            let text = command.redirections.last(where: { $0.operation == "<<<" || $0.operation == "<<" })?.target.text
        {
            var rest = arguments[...]
            var variables: [String] = []
            while let word = rest.popFirst() {
                if ["-p", "-d", "-t", "-n", "-N", "-u", "-C", "-c", "-O", "-s"].contains(word) && !(name == "read" && word == "-t") {
                    rest = rest.dropFirst()
                } else if word == "-a" || !word.hasPrefix("-") {
                    if word != "-a" { variables.append(word) }
                }
            }
            if variables.isEmpty { variables = [name == "read" ? "REPLY" : "MAPFILE"] }
            for variable in variables where Self.isName(Substring(variable)) {
                knownValues[variable, default: []] += [text] + text.split(whereSeparator: \.isWhitespace).map(String.init)
            }
        }
    }

    /// Reads `(...)` after `NAME=` (the cursor on the `(`): the array's elements become values of NAME, and
    /// substitutions inside it are commands of the script. Returns the text to keep as the word.
    mutating func readArray(named variable: String) -> String {
        let start = index + 1
        skipBalanced(open: "(", close: ")")
        let inner = String(characters[min(start, characters.count)..<max(start, min(index - 1, characters.count))])
        let parsed = ShellParser.parse(inner)
        var elements: [String] = []
        for command in parsed.commands where !command.substituted { elements += command.assignments + command.words.map(\.text) }
        knownValues[variable, default: []] += elements
        // The whole array, for `"${X[@]}"` run as a command.
        knownValues[variable + "[@]", default: []].append(elements.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " "))
        commands += parsed.commands.filter(\.substituted)
        return "(" + inner + ")"
    }
}
