/// What a path argument may stand for once the shell has expanded it: `${HOME:?}/` is the home, `"${DIR:-/}"`
/// may be the root, `$(echo /)` is the root, `$d` in `for d in / ~` is each of them.
extension ShellAnalyzer {
    /// One value a target may take: known text, or text after a part only known at run time.
    enum TargetValue: Equatable {
        case literal(String)
        /// A computed part (maybe empty) then `rest`; `command` when a command computes it, `nonEmpty` under `${X:?}`.
        case computed(rest: String, command: Bool, nonEmpty: Bool)
    }

    /// The values `target` (a word's text, expansions as written) may take in `script`. A variable's assigned values are
    /// followed (`X=${HOME}`, `X=$(echo /)`, `for d in $(echo /)`) up to a few levels.
    static func values(of target: String, in script: ShellScript, depth: Int = 0) -> [TargetValue] {
        guard target.contains("$") || target.contains("`") else { return [.literal(target)] }
        guard depth < 4 else { return [.computed(rest: "", command: false, nonEmpty: false)] }
        if let (name, operation, word, rest) = parameter(target) {
            var result: [TargetValue] = []
            var known = name == "HOME" ? ["~"] : script.knownValues[name] ?? []
            if ["-", ":-", "=", ":="].contains(operation) { known.append(word) }
            if ["+", ":+"].contains(operation) { known = [word, ""] }
            for value in known {
                guard value.contains("$") || value.contains("`") else {
                    result.append(.literal(value + rest))
                    continue
                }
                // What a command gave a variable (`tmp=$(mktemp -d)`) is as unknown as any variable's value.
                for inner in values(of: value + rest, in: script, depth: depth + 1) {
                    if case .computed(let innerRest, _, let nonEmpty) = inner {
                        result.append(.computed(rest: innerRest, command: false, nonEmpty: nonEmpty))
                    } else {
                        result.append(inner)
                    }
                }
            }
            if ["+", ":+"].contains(operation) { return result }
            // `${X:?}` and `${X:-...}` are never empty; `${X-...}` is when X is set but empty.
            let nonEmpty = operation.hasSuffix("?") || (operation.hasPrefix(":") && operation != ":+")
            if name != "HOME" { result.append(.computed(rest: rest, command: false, nonEmpty: nonEmpty)) }
            return result
        }
        if target.hasPrefix("${"), let close = target.firstIndex(of: "}"), isTransformed(target) {
            // `${PWD:0:1}`, `${HOME%/*}`, `${X/pat/rep}`, `${!X}`: text cut out of a value, as unknown as a command's output.
            return [.computed(rest: String(target[target.index(after: close)...]), command: true, nonEmpty: false)]
        }
        if let (inner, rest) = substitution(target) {
            if let printed = printedText(inner) { return [.literal(printed + rest)] }
            return [.computed(rest: rest, command: true, nonEmpty: false)]
        }
        return [.computed(rest: "", command: target.contains("$(") || target.contains("`") || isTransformed(target), nonEmpty: false)]
    }

    /// Whether `target` cuts or rewrites a value (`${PWD:0:1}`, `${HOME%/*}`, `${X/a/b}`, `${!X}`, `${#X}`) rather than
    /// using it whole or with a default (`${X}`, `${X:-d}`, `${X[@]}`).
    static func isTransformed(_ target: String) -> Bool {
        var rest = Substring(target)
        while let open = rest.range(of: "${") {
            let inside = rest[open.upperBound...].prefix { $0 != "}" }
            var after = inside.drop { $0.isLetter || $0.isNumber || $0 == "_" }
            if after.count == inside.count, let first = inside.first, "@*".contains(first) { after = inside.dropFirst() }
            if after.count == inside.count { return true }
            if after.hasPrefix("["), let end = after.firstIndex(of: "]") { after = after[after.index(after: end)...] }
            let operation = String(after.prefix { ":-=?+".contains($0) }.prefix(2))
            if !after.isEmpty && !["-", ":-", "=", ":=", "?", ":?", "+", ":+"].contains(operation) { return true }
            rest = rest[open.upperBound...]
        }
        return false
    }

    /// The text `command` prints when it is a single `echo` or `printf` of literal words (escapes decoded as they
    /// would be: `printf '\x2f'` prints `/`), or nil.
    static func printedText(_ command: String) -> String? {
        let parsed = ShellParser.parse(command)
        guard parsed.commands.count == 1, let first = parsed.commands.first, ["echo", "printf"].contains(first.baseName ?? ""),
            !first.arguments.contains(where: \.dynamic)
        else { return nil }
        var words = first.arguments.map(\.text)[...]
        var escapes = first.baseName == "printf"
        while first.baseName == "echo", let option = words.first, option.hasPrefix("-"), option.count > 1,
            option.dropFirst().allSatisfy({ "neE".contains($0) })
        {
            if option.contains("e") { escapes = true }
            words = words.dropFirst()
        }
        if first.baseName == "printf", words.first == "--" { words = words.dropFirst() }
        var text = words.joined(separator: first.baseName == "echo" ? " " : "")
        if first.baseName == "printf", let format = words.first {
            // `printf FORMAT ARGS`: the arguments fill `%s`/`%b` in order.
            var arguments = words.dropFirst()
            text = ""
            var characters = Substring(format)
            while let character = characters.first {
                characters = characters.dropFirst()
                if character == "%", let kind = characters.first {
                    characters = characters.dropFirst()
                    text += kind == "%" ? "%" : arguments.first ?? ""
                    if kind != "%" { arguments = arguments.dropFirst() }
                } else {
                    text.append(character)
                }
            }
        }
        return escapes ? decodeEscapes(text) : text
    }

    /// `\xHH`, `\NNN` (octal, `\0NNN` too) and `\n`-style escapes decoded as `printf` and `echo -e` do.
    static func decodeEscapes(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = String.UnicodeScalarView()
        var scalars = Substring(text).unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            guard scalar == "\\", let escape = scalars.first else {
                result.append(scalar)
                continue
            }
            let simple: [Unicode.Scalar: Unicode.Scalar] = ["n": "\n", "t": "\t", "\\": "\\", "a": "\u{07}", "r": "\r"]
            if let decoded = simple[escape] {
                scalars = scalars.dropFirst()
                result.append(decoded)
            } else if escape == "x" || ("0"..."7").contains(escape) {
                let hex = escape == "x"
                if hex || escape == "0" { scalars = scalars.dropFirst() }
                let digits = scalars.prefix(hex ? 2 : 3).prefix { hex ? $0.properties.isASCIIHexDigit : ("0"..."7").contains($0) }
                scalars = scalars.dropFirst(digits.count)
                if let value = UInt32(String(String.UnicodeScalarView(digits)), radix: hex ? 16 : 8), let decoded = Unicode.Scalar(value) {
                    result.append(decoded)
                } else if !hex {
                    result.append("\0")
                }
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `$NAME REST`, `${NAME REST}`, `${NAME<op>WORD}REST`: the name, the operator (`:-`, `-`, `:?`, ...), its word and the rest.
    static func parameter(_ target: String) -> (String, String, String, String)? {
        var text = Substring(target)
        guard text.hasPrefix("$") else { return nil }
        text = text.dropFirst()
        if text.hasPrefix("{") {
            guard let close = text.firstIndex(of: "}") else { return nil }
            let inside = text[text.index(after: text.startIndex)..<close]
            var name = inside.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if name.isEmpty, let special = inside.first, "@*".contains(special) { name = inside.prefix(1) }
            guard !name.isEmpty else { return nil }
            var after = inside.dropFirst(name.count)
            // `${X[@]}`, `${X[0]}`: an array's elements, each one of the values X is given.
            if after.hasPrefix("["), let end = after.firstIndex(of: "]") { after = after[after.index(after: end)...] }
            let operation = after.prefix { ":-=?+".contains($0) }.prefix(2)
            guard after.isEmpty || ["-", ":-", "=", ":=", "?", ":?", "+", ":+"].contains(String(operation)) else { return nil }
            let word = after.dropFirst(operation.count)
            return (String(name), String(operation), String(word), String(text[text.index(after: close)...]))
        }
        var name = text.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if let first = text.first, first.isNumber || "@*".contains(first) { name = text.prefix(1) }
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
                // Printed text (`$(echo / /etc)`) splits into words; each is normalised (`/usr/../etc`, `//etc`).
                let pieces = text.contains(" ") ? text.split(separator: " ").map(String.init) : [text]
                if pieces.contains(where: { isSystemTarget($0) || $0.hasPrefix("/*") }) {
                    add("sh-rm-rf-root", force ? .critical : .high, command.line, "\(flags) of \(target)" + (text == target ? "" : " (which can be \(text))"))
                    return
                }
            case .computed(let rest, let byCommand, let nonEmpty):
                // `$X/`, `"$X/"*`, `` `pwd`/ ``: the root when the computed part is empty.
                if !nonEmpty && ["/", "/*"].contains(normalised(rest)) {
                    add("sh-rm-rf-root", .high, command.line, "\(flags) of \(target): the root when the computed part is empty")
                    return
                }
                if byCommand {
                    add("sh-rm-computed", .medium, command.line, "unknown: \(flags) of a path computed at run time (\(target))")
                    return
                }
            }
        }
    }
}
