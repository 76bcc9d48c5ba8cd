/// Arguments that reach a command other than on its own command line: a function's `$1`/`$@` from its calls
/// (`f() { rm -rf "$1"; }; f /`), and xargs' input when the script writes it (`xargs -I{} sh -c 'rm -rf {}' <<< /`).
extension ShellAnalyzer {
    /// Most input items of xargs, or calls of a function, followed.
    static let argumentLimit = 16

    /// Binds each defined function's positional parameters to the literal arguments of its calls, all calls and
    /// functions together (like the script's other variables, over-approximated).
    static func bindArguments(_ script: inout ShellScript) {
        let names = Set(script.functions.map(\.name))
        var calls = 0
        for command in script.commands {
            guard let name = command.name?.text, names.contains(name), calls < argumentLimit else { continue }
            calls += 1
            let arguments = command.arguments.map(\.text)
            for (index, argument) in arguments.prefix(9).enumerated() { script.knownValues[String(index + 1), default: []].append(argument) }
            script.knownValues["@", default: []] += arguments
            script.knownValues["*", default: []] += arguments
            script.knownValues[callKey, default: []].append(arguments.map(quoted).joined(separator: " "))
        }
    }

    /// Where the argument lists of calls are kept whole (`f rm -rf /` gives `'rm' '-rf' '/'`), for `"$@"` run as a command.
    static let callKey = "@ calls"

    /// A command named by a variable (`X="rm -rf /"; $X`, `f() { "$@"; }; f rm -rf /`): each literal value it is
    /// given, with the command's arguments, analysed as the command it runs.
    static func commandFromVariable(_ name: String, command: ShellCommand, in script: ShellScript, add: (String, Severity, Int, String) -> Void) {
        guard let (variable, operation, _, rest) = parameter(name), operation.isEmpty, rest.isEmpty else { return }
        let whole = name.contains("[@]") || name.contains("[*]")
        let values = ["@", "*"].contains(variable) ? script.knownValues[callKey] ?? [] : script.knownValues[whole ? variable + "[@]" : variable] ?? []
        let arguments = command.arguments.map { quoted($0.text) }
        for value in values.prefix(argumentLimit) where !value.contains("$") && !value.contains("`") {
            analyseNested(([value] + arguments).joined(separator: " "), line: command.line, note: "the command \(name) runs", add: add)
        }
    }

    /// The command xargs runs, once per input item the script writes (here-string, here-document, literal
    /// `echo`/`printf` upstream): the item in place of the replacement string (`-I {}`), else after the words.
    static func xargsInput(
        _ words: ArraySlice<String>, replacement: String?, command: ShellCommand, in script: ShellScript, add: (String, Severity, Int, String) -> Void
    ) {
        let items = stdinTexts(command, in: script).flatMap { text in
            replacement == nil ? text.split(whereSeparator: \.isWhitespace) : text.split(separator: "\n")
        }
        for item in items.prefix(argumentLimit) {
            let line: [String]
            if let replacement {
                line = words.map { $0.replacingOccurrences(of: replacement, with: String(item)) }
            } else {
                line = Array(words) + [String(item)]
            }
            analyseNested(line.map(quoted).joined(separator: " "), line: command.line, note: "run by xargs", add: add)
        }
    }
}
