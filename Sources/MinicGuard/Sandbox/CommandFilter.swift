import MinicCore

/// Decides whether the sandbox may run a command, from the allow and deny lists of
/// `sandbox.*`, on the parsed command rather than its string: every program a shell
/// script (`sh -c`, `bash -c`, `eval`) or a wrapper (`env`, `nice`, `timeout`,
/// `xargs`, ...) would start is checked, substitutions included.
public struct CommandFilter: Sendable {
    public let allow: Set<String>
    public let deny: Set<String>

    public init(allow: [String], deny: [String]) {
        self.allow = Set(allow.map(ShellWrappers.baseName))
        self.deny = Set(deny.map(ShellWrappers.baseName))
    }

    public init(_ config: SandboxConfig) { self.init(allow: config.allowCommands, deny: config.denyCommands) }


    /// The programs `argv` would run, as far as a parser can tell.
    /// - Throws: ``MinicError`` (refused) naming the first program that is denied, not allowed, or computed at run time.
    public func check(_ argv: [String]) throws(MinicError) {
        guard !argv.isEmpty else { throw .badInput("no command given") }
        for program in try Self.programs(argv) {
            if deny.contains(program) { throw .refused("sandbox: '\(program)' is denied by sandbox.deny_commands") }
            if !allow.isEmpty && !allow.contains(program) { throw .refused("sandbox: '\(program)' is not in sandbox.allow_commands") }
        }
    }

    /// Every program name in `argv`, unwrapping wrappers and shell scripts.
    static func programs(_ argv: [String], depth: Int = 0) throws(MinicError) -> [String] {
        guard depth < 8 else { throw .refused("sandbox: commands nested too deeply to check") }
        var words = argv[...]
        while let first = words.first, first.contains("="), !first.hasPrefix("="), !first.contains("/") { words = words.dropFirst() }
        guard let first = words.first else { return [] }
        let name = ShellWrappers.baseName(first)
        var found = [name]
        if ShellScript.shells.contains(name) {
            let rest = Array(words.dropFirst())
            if let flag = rest.firstIndex(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c") }), flag + 1 < rest.count {
                found += try scriptPrograms(rest[flag + 1], depth: depth)
            } else if let script = rest.first(where: { !$0.hasPrefix("-") }) {
                // `sh script.sh`: the script's contents are not known here.
                found.append(ShellWrappers.baseName(script))
            }
        } else if name == "eval" {
            found += try scriptPrograms(words.dropFirst().joined(separator: " "), depth: depth)
        } else if let inner = ShellWrappers.unwrap(words), !inner.isEmpty {
            found += try programs(Array(inner), depth: depth + 1)
        }
        return found
    }

    static func scriptPrograms(_ script: String, depth: Int) throws(MinicError) -> [String] {
        let parsed = ShellParser.parse(script)
        if let problem = parsed.problems.first { throw .refused("sandbox: the shell script does not parse (\(problem))") }
        var found: [String] = []
        for command in parsed.commands {
            guard let name = command.name else { continue }
            if name.dynamic { throw .refused("sandbox: a command name is computed at run time (\(name.text)); it cannot be checked") }
            found += try programs(command.words.map(\.text), depth: depth + 1)
            for redirection in command.redirections where redirection.operation == "<<" || redirection.operation == "<<<" {
                if let program = command.baseName, ShellScript.shells.contains(program) { found += try scriptPrograms(redirection.target.text, depth: depth + 1) }
            }
        }
        return found
    }
}
