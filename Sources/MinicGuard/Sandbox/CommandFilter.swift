import MinicCore

/// Decides whether the sandbox may run a command, from the allow and deny lists of
/// `sandbox.*`, on the parsed command rather than its string: every program a shell
/// script (`sh -c`, `eval`, `trap`, `alias`, functions, brace expansions) or a wrapper
/// (`env`, `nice`, `timeout`, `command`, `builtin`, `exec`, `xargs`, `find -exec`, ...)
/// would start is checked, substitutions included. What it cannot check fails closed:
/// a computed command name, a program run from a writable path (a copy of a denied one
/// would pass by name), a changed `PATH`, and interpreter code it cannot vouch for
/// (see ``ShellInterpreters``) are refused.
public struct CommandFilter: Sendable {
    public let allow: Set<String>
    public let deny: Set<String>

    public init(allow: [String], deny: [String]) {
        self.allow = Set(allow.map(ShellWrappers.baseName))
        self.deny = Set(deny.map(ShellWrappers.baseName))
    }

    public init(_ config: SandboxConfig) { self.init(allow: config.allowCommands, deny: config.denyCommands) }

    /// A program the command would run. `certain` is false for words that may or may not be a program (an
    /// option's value a wrapper might treat otherwise): those are checked against the deny list only.
    struct Program: Equatable {
        var name: String
        var certain = true
    }

    /// The programs `argv` would run, as far as a parser can tell.
    /// - Throws: ``MinicError`` (refused) naming the first program that is denied, not allowed, or cannot be checked.
    public func check(_ argv: [String]) throws(MinicError) {
        guard !argv.isEmpty else { throw .badInput("no command given") }
        // With no list there is nothing to enforce, and nothing to get around.
        guard !deny.isEmpty || !allow.isEmpty else { return }
        for program in try programs(argv) {
            if deny.contains(program.name) { throw .refused("sandbox: '\(program.name)' is denied by sandbox.deny_commands") }
            if program.certain && !allow.isEmpty && !allow.contains(program.name) {
                throw .refused("sandbox: '\(program.name)' is not in sandbox.allow_commands")
            }
        }
    }

    /// Every program in `argv` (one command's words), unwrapping wrappers, shell scripts and interpreters.
    /// - Parameter fromXargs: the words are a command `xargs` completes with words read at run time.
    func programs(_ argv: [String], depth: Int = 0, fromXargs: Bool = false) throws(MinicError) -> [Program] {
        guard depth < 12 else { throw .refused("sandbox: commands nested too deeply to check") }
        var words = argv[...]
        while let first = words.first, let equals = first.firstIndex(of: "="), first.first != "=", !first[..<equals].contains("/") {
            try Self.checkAssignment(first)
            words = words.dropFirst()
        }
        guard let first = words.first else {
            if fromXargs { throw .refused("sandbox: xargs would take the program to run from its input; it cannot be checked") }
            return []
        }
        if let reason = Self.writablePathReason(first) { throw .refused("sandbox: '\(first)' \(reason)") }
        // A glob (`/usr/bin/su?o`, `/usr/*/sudo`) names whatever it matches at run time.
        if first != "[", first != "[[", first.contains(where: { "*?[".contains($0) }) {
            throw .refused("sandbox: the command name '\(first)' is a pattern; it cannot be checked")
        }
        // zsh runs `=sudo` as the path of sudo.
        let name = ShellWrappers.baseName(first.hasPrefix("=") ? String(first.dropFirst()) : first)
        let rest = words.dropFirst()
        var found = [Program(name: name)]
        if ShellScript.shells.contains(name) {
            found += try shellPrograms(rest, depth: depth, fromXargs: fromXargs)
        } else if let family = ShellInterpreters.family(name) {
            let program = ShellInterpreters.program(family, rest)
            if program.code.isEmpty && !program.fromFile && fromXargs {
                throw .refused("sandbox: xargs would give \(name) its program at run time; it cannot be checked")
            }
            for code in program.code { try vouch(for: code, family: family, name: name) }
        } else if let special = try specialPrograms(name, rest, depth: depth, fromXargs: fromXargs) {
            found += special
        } else if let unwrapped = ShellWrappers.unwrapDetailed(words) {
            if name == "env" {
                for assignment in rest.prefix(rest.count - unwrapped.command.count) where !assignment.hasPrefix("-") && assignment.contains("=") {
                    try Self.checkAssignment(assignment)
                }
            }
            found += unwrapped.optionValues.map { Program(name: ShellWrappers.baseName($0), certain: false) }
            for script in unwrapped.scripts { found += try scriptPrograms(script, depth: depth + 1) }
            let inner = Array(unwrapped.command)
            if name == "xargs" {
                try Self.checkReplacement(words, inner: inner)
                found += try programs(inner, depth: depth + 1, fromXargs: true)
            } else if name == "watch" {
                // watch hands its words to `sh -c`.
                found += try scriptPrograms(inner.joined(separator: " "), depth: depth + 1)
            } else {
                found += try programs(inner, depth: depth + 1, fromXargs: fromXargs)
            }
        }
        return found
    }

    /// `sh -c SCRIPT` (the script parsed), `sh FILE` (only the file's name is known), or bare `sh` under xargs (refused).
    func shellPrograms(_ rest: ArraySlice<String>, depth: Int, fromXargs: Bool) throws(MinicError) -> [Program] {
        let arguments = Array(rest)
        if let flag = arguments.firstIndex(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c") }) {
            guard flag + 1 < arguments.count else { throw .refused("sandbox: a shell's -c has no script to check") }
            return try scriptPrograms(arguments[flag + 1], depth: depth)
        }
        if let script = arguments.first(where: { !$0.hasPrefix("-") && !$0.hasPrefix("+") }) {
            // `sh script.sh`: the script's contents are not known here (see the README's limits).
            return [Program(name: ShellWrappers.baseName(script))]
        }
        if fromXargs { throw .refused("sandbox: xargs would give a shell its script at run time; it cannot be checked") }
        return []
    }

    /// Refuses interpreter code the filter cannot vouch for (``ShellInterpreters/concern(_:code:denied:)``).
    func vouch(for code: String, family: ShellInterpreters.Family, name: String) throws(MinicError) {
        if let concern = ShellInterpreters.concern(family, code: code, denied: deny) {
            throw .refused("sandbox: \(name) is given code that cannot be checked (\(concern)); run a script file instead")
        }
    }

    /// Every program of a shell script, functions, aliases, traps and here-documents included.
    func scriptPrograms(_ script: String, depth: Int) throws(MinicError) -> [Program] {
        let parsed = ShellParser.parse(script)
        if let problem = parsed.problems.first { throw .refused("sandbox: the shell script does not parse (\(problem))") }
        var found: [Program] = []
        var written: Set<String> = []
        for command in parsed.commands {
            for assignment in command.assignments { try Self.checkAssignment(assignment) }
            if let name = command.name, name.dynamic { throw .refused("sandbox: a command name is computed at run time (\(name.text)); it cannot be checked") }
            var words = command.words.map(\.text)[...]
            while let inner = ShellWrappers.unwrap(words), !inner.isEmpty { words = inner }
            found += try programSource(command, unwrapped: Array(words), written: written, depth: depth)
            written.formUnion(Self.writtenFiles(command, unwrapped: Array(words)))
            guard command.name != nil else { continue }
            found += try programs(command.words.map(\.text), depth: depth + 1)
        }
        return found
    }

    /// Where a shell, an interpreter or `source` gets its program: text fed to it is checked; a pipe, a process
    /// substitution, or a file the same command line wrote cannot be.
    func programSource(_ command: ShellCommand, unwrapped words: [String], written: Set<String>, depth: Int) throws(MinicError) -> [Program] {
        guard let first = words.first else { return [] }
        let program = ShellWrappers.baseName(first)
        let arguments = Array(words.dropFirst())
        let fedText = command.redirections.filter { $0.operation == "<<" || $0.operation == "<<<" }.map(\.target.text)
        let fromPipe = command.position > 0 && fedText.isEmpty
        let family = ShellInterpreters.family(program)
        let isShell = ShellScript.shells.contains(program)
        guard isShell || family != nil || program == "source" || program == "." else { return [] }
        let hasCode: Bool
        if isShell {
            hasCode = arguments.contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c") }
        } else if let family {
            hasCode = !ShellInterpreters.program(family, arguments[...]).code.isEmpty
        } else {
            hasCode = false
        }
        let operand = hasCode ? nil : arguments.first { !($0.hasPrefix("-") || $0.hasPrefix("+")) || $0 == "-" }
        if let operand {
            // The parser keeps a process substitution `<(...)` as `(...)`.
            if operand.hasPrefix("(") || operand.hasPrefix("<(") || operand.hasPrefix(">(") || operand.hasPrefix("$") || operand.hasPrefix("`") {
                throw .refused("sandbox: \(program) runs a program computed at run time (\(operand)); it cannot be checked")
            }
            if written.contains(ShellWrappers.baseName(operand)) {
                throw .refused("sandbox: \(program) runs \(operand), which the same command line writes; it cannot be checked")
            }
        }
        let readsInput = !hasCode && (operand == nil || Self.isStandardInput(operand ?? ""))
        guard readsInput else { return [] }
        if fromPipe { throw .refused("sandbox: \(program) reads its program from a pipe; it cannot be checked") }
        var found: [Program] = []
        for text in fedText {
            if let family { try vouch(for: text, family: family, name: program) } else { found += try scriptPrograms(text, depth: depth + 1) }
        }
        return found
    }

    /// `-`, `/dev/stdin`, `/dev/fd/0`, `/proc/self/fd/0`: names for standard input.
    static func isStandardInput(_ path: String) -> Bool {
        path == "-" || path == "/dev/stdin" || path.hasPrefix("/dev/fd/") || (path.hasPrefix("/proc/") && path.contains("/fd/"))
    }

    /// Base names of the files a command writes: redirections, `tee`, `cp`/`mv`/`ln`/`install`, `dd of=`, downloads.
    static func writtenFiles(_ command: ShellCommand, unwrapped words: [String]) -> [String] {
        var files = command.redirections.filter { [">", ">>", ">|", "&>", "&>>", "<>"].contains($0.operation) }.map(\.target.text)
        let program = words.first.map(ShellWrappers.baseName) ?? ""
        let arguments = Array(words.dropFirst())
        switch program {
        case "tee", "cp", "mv", "ln", "install", "rsync": files += arguments.filter { !$0.hasPrefix("-") }
        case "dd": files += arguments.filter { $0.hasPrefix("of=") }.map { String($0.dropFirst(3)) }
        case _ where ShellAnalyzer.downloaders.contains(program): files += ShellAnalyzer.downloadTargets(program, arguments, redirections: [])
        default: break
        }
        return files.map(ShellWrappers.baseName)
    }
}
