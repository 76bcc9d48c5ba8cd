/// What a path argument may stand for once the shell has expanded it: `${HOME:?}/` is the home, `"${DIR:-/}"`
/// may be the root, `$(echo /)` is the root, `$d` in `for d in / ~` is each of them.
extension ShellAnalyzer {
    /// One value a target may take: known text, or text after a part only known at run time.
    enum TargetValue: Equatable {
        case literal(String)
        /// A computed part (maybe empty) then `rest`; `command` when a command computes it, `nonEmpty` under `${X:?}`.
        case computed(rest: String, command: Bool, nonEmpty: Bool)
    }

    /// The values `target` (a word's text, expansions as written) may take in `script`.
    static func values(of target: String, in script: ShellScript) -> [TargetValue] {
        guard target.contains("$") || target.contains("`") else { return [.literal(target)] }
        if let (name, operation, word, rest) = parameter(target) {
            var known = name == "HOME" ? ["~"] : script.knownValues[name] ?? []
            if ["-", ":-", "=", ":="].contains(operation) { known.append(word) }
            if ["+", ":+"].contains(operation) { return [.literal(word + rest), .literal(rest)] }
            var result = known.map { TargetValue.literal($0 + rest) }
            // `${X:?}` and `${X:-...}` are never empty; `${X-...}` is when X is set but empty.
            let nonEmpty = operation.hasSuffix("?") || (operation.hasPrefix(":") && operation != ":+")
            if name != "HOME" { result.append(.computed(rest: rest, command: false, nonEmpty: nonEmpty)) }
            return result
        }
        if let (inner, rest) = substitution(target) {
            let parsed = ShellParser.parse(inner)
            if parsed.commands.count == 1, let command = parsed.commands.first, ["echo", "printf"].contains(command.baseName ?? ""),
                !command.arguments.contains(where: \.dynamic)
            {
                return [.literal(command.arguments.map(\.text).filter { !$0.hasPrefix("-") }.joined(separator: " ") + rest)]
            }
            return [.computed(rest: rest, command: true, nonEmpty: false)]
        }
        return [.computed(rest: "", command: target.contains("$(") || target.contains("`"), nonEmpty: false)]
    }

    /// `$NAME REST`, `${NAME REST}`, `${NAME<op>WORD}REST`: the name, the operator (`:-`, `-`, `:?`, ...), its word and the rest.
    static func parameter(_ target: String) -> (String, String, String, String)? {
        var text = Substring(target)
        guard text.hasPrefix("$") else { return nil }
        text = text.dropFirst()
        if text.hasPrefix("{") {
            guard let close = text.firstIndex(of: "}") else { return nil }
            let inside = text[text.index(after: text.startIndex)..<close]
            let name = inside.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else { return nil }
            let after = inside.dropFirst(name.count)
            let operation = after.prefix { ":-=?+".contains($0) }.prefix(2)
            guard after.isEmpty || !operation.isEmpty else { return nil }
            let word = after.dropFirst(operation.count)
            guard !word.contains("$") && !word.contains("`") else { return nil }
            return (String(name), String(operation), String(word), String(text[text.index(after: close)...]))
        }
        let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty, !text.dropFirst(name.count).contains("$") else { return nil }
        return (String(name), "", "", String(text.dropFirst(name.count)))
    }

    /// `$(CMD)REST` or `` `CMD`REST ``: the command's text and the rest.
    static func substitution(_ target: String) -> (String, String)? {
        if target.hasPrefix("`"), let close = target.dropFirst().firstIndex(of: "`") {
            return (String(target[target.index(after: target.startIndex)..<close]), String(target[target.index(after: close)...]))
        }
        guard target.hasPrefix("$("), !target.hasPrefix("$(("), let close = target.lastIndex(of: ")") else { return nil }
        return (String(target[target.index(target.startIndex, offsetBy: 2)..<close]), String(target[target.index(after: close)...]))
    }

    /// Recursive removal aimed at `target`: the root, a system path or the home, in any of the values it may take.
    static func removalTarget(_ target: String, force: Bool, command: ShellCommand, script: ShellScript, add: (String, Severity, Int, String) -> Void) {
        let flags = "rm -r\(force ? "f" : "")"
        for value in values(of: target, in: script) {
            switch value {
            case .literal(let text):
                let trimmed = text.count > 1 && text.hasSuffix("/") && !text.hasSuffix("*/") ? String(text.dropLast()) : text
                if systemPaths.contains(text) || systemPaths.contains(trimmed) || text.hasPrefix("/*") {
                    add("sh-rm-rf-root", force ? .critical : .high, command.line, "\(flags) of \(target)" + (text == target ? "" : " (which can be \(text))"))
                    return
                }
            case .computed(let rest, let byCommand, let nonEmpty):
                // `$X/`, `"$X/"*`, `` `pwd`/ ``: the root when the computed part is empty.
                if !nonEmpty && (rest == "/" || rest == "/*") {
                    add("sh-rm-rf-root", .high, command.line, "\(flags) of \(target): the root when the computed part is empty")
                    return
                }
                if byCommand {
                    add("sh-rm-computed", .medium, command.line, "unknown: \(flags) of a path a command computes at run time (\(target))")
                    return
                }
            }
        }
    }
}
