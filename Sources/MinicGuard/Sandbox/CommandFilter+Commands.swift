import MinicCore

/// Shell builtins and programs that run other commands in their own way, and what the filter cannot check.
extension CommandFilter {
    /// Directories the sandboxed command can write to: a program there may be a renamed copy of a denied one.
    static let writableRoots = ["/work", "/tmp", "/var/tmp", "/dev/shm", "/run/user"]
    /// Variables that change which program a name or a library stands for.
    /// Variables that change which program a name or a library stands for, or hold a command line a shell or
    /// another program runs (`PS4='$(...)'` under `set -x`, `GIT_SSH_COMMAND`, `PAGER`).
    static let lookupVariables: Set<String> = [
        "PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "ENV", "BASH_LOADABLES_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PERL5LIB",
        "PERL5OPT", "RUBYOPT", "NODE_OPTIONS", "BASH_ALIASES", "BASH_CMDS", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS",
        "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PAGER", "PAGER", "MANPAGER", "EDITOR", "VISUAL", "GIT_EDITOR", "LESSOPEN", "LESSCLOSE", "GIT_EXTERNAL_DIFF",
        "GIT_ASKPASS", "SSH_ASKPASS", "BROWSER", "GIT_CONFIG_PARAMETERS", "GIT_EXEC_PATH", "SUDO_ASKPASS", "MAKEFLAGS",
    ]

    /// Why running `path` cannot be checked by name, or nil: a path into a writable directory or relative
    /// to the working directory (`./x`, `bin/x`), where a copy of a denied program can sit under any name.
    static func writablePathReason(_ path: String) -> String? {
        guard path.contains("/") else { return nil }
        if !path.hasPrefix("/") {
            return "is run from a relative path, which is writable in the sandbox; a renamed copy of a denied program cannot be told apart"
        }
        let normalised = "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        if path.contains("/../") || path.hasSuffix("/..") || writableRoots.contains(where: { normalised == $0 || normalised.hasPrefix($0 + "/") }) {
            return "is run from a writable directory; a renamed copy of a denied program cannot be told apart"
        }
        return nil
    }

    /// Refuses `NAME=value` when NAME changes what programs or libraries are found (`PATH=/tmp:$PATH`, `LD_PRELOAD=`).
    static func checkAssignment(_ assignment: String) throws(MinicError) {
        // `BASH_ALIASES[ls]=sudo`, `PATH+=:/tmp`, `BASH_FUNC_ls%%=() {...}` (a function bash imports), `GIT_CONFIG_KEY_0=`.
        let name = assignment.prefix { $0 != "=" && $0 != "+" && $0 != "[" }
        if lookupVariables.contains(String(name)) || name.hasPrefix("BASH_FUNC_") || name.hasPrefix("GIT_CONFIG_") {
            throw .refused("sandbox: setting \(name) changes which program a name runs; it cannot be checked")
        }
    }

    /// `xargs -I R CMD ... R ...`: the replacement string may not stand in the program's place.
    static func checkReplacement(_ words: ArraySlice<String>, inner: [String]) throws(MinicError) {
        var tokens: [String] = []
        var iterator = words.dropFirst().makeIterator()
        while let word = iterator.next() {
            if word == "-I", let value = iterator.next() { tokens.append(value) }
            else if word.hasPrefix("-I") { tokens.append(String(word.dropFirst(2))) }
            else if word == "-i" || word == "--replace" { tokens.append("{}") }
            else if word.hasPrefix("-i") { tokens.append(String(word.dropFirst(2))) }
            else if word.hasPrefix("--replace=") { tokens.append(String(word.dropFirst(10))) }
        }
        guard let program = inner.first else { return }
        let programLike = ShellScript.shells.contains(ShellWrappers.baseName(program)) || ShellInterpreters.family(ShellWrappers.baseName(program)) != nil
            || ShellWrappers.wrapper(ShellWrappers.baseName(program)) != nil
        for token in tokens where !token.isEmpty && (program.contains(token) || (programLike && inner.contains { $0.contains(token) })) {
            throw .refused("sandbox: xargs puts its input (\(token)) where a program or its code goes; it cannot be checked")
        }
    }

    /// Programs of commands that run others their own way, or nil when `name` is none of them.
    func specialPrograms(_ name: String, _ rest: ArraySlice<String>, depth: Int, fromXargs: Bool) throws(MinicError) -> [Program]? {
        let arguments = Array(rest)
        switch name {
        case "eval":
            return try scriptPrograms(arguments.joined(separator: " "), depth: depth + 1)
        case "trap":
            // `trap 'CMD' SIGNAL`: CMD runs later; `trap - SIGNAL` and `trap -p` run nothing.
            let operands = arguments.first == "--" ? arguments.dropFirst() : arguments[...]
            guard let action = operands.first, action != "-", !action.hasPrefix("-") || action == operands.first && arguments.first == "--" else { return [] }
            return try scriptPrograms(action, depth: depth + 1)
        case "alias":
            var found: [Program] = []
            for definition in arguments where definition.contains("=") {
                found += try scriptPrograms(String(definition.drop { $0 != "=" }.dropFirst()), depth: depth + 1)
            }
            return found
        case "source", ".":
            // Like `sh FILE`: the file's contents are not known here.
            if fromXargs && arguments.isEmpty { throw .refused("sandbox: xargs would name the file to source at run time; it cannot be checked") }
            return arguments.first.map { [Program(name: ShellWrappers.baseName($0))] } ?? []
        case "export", "declare", "typeset", "readonly", "local":
            for argument in arguments where argument.contains("=") { try Self.checkAssignment(argument) }
            return []
        case "hash", "enable":
            // `hash -p /tmp/x ls` makes `ls` run /tmp/x; `enable -f lib.so name` loads a builtin from a file.
            if arguments.contains(where: { $0.hasPrefix("-") && ($0.contains("p") || $0.contains("f")) }) {
                throw .refused("sandbox: \(name) \(arguments.joined(separator: " ")) changes what a name runs; it cannot be checked")
            }
            return []
        case "find":
            return try findPrograms(arguments, depth: depth)
        case "make", "gmake":
            // `make --eval='x:; CMD'` runs recipes given on the command line.
            if arguments.contains(where: { $0 == "-E" || $0.hasPrefix("--eval") || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("E")) }) {
                throw .refused("sandbox: make --eval runs recipes given on the command line; they cannot be checked")
            }
            return nil
        case "git":
            // `git -c alias.x='!cmd'`, `core.pager`, `core.sshCommand` and friends run commands of their own.
            if let index = arguments.firstIndex(where: { $0 == "-c" || $0 == "--config-env" || $0.hasPrefix("--config-env=") }), index < arguments.count {
                let setting = arguments[min(index + 1, arguments.count - 1)].lowercased()
                let running = ["pager", "editor", "command", "program", "askpass", "hookspath", "fsmonitor", "proxy", "alias."]
                if setting.contains("!") || running.contains(where: setting.contains) {
                    throw .refused("sandbox: git -c \(setting) makes git run a command; it cannot be checked")
                }
            }
            return nil
        case "tar", "rsync":
            // Options that run a program: tar's --to-command, -I/--use-compress-program, --checkpoint-action=exec, -F; rsync's -e/--rsh.
            let options = ["--to-command", "--use-compress-program", "--checkpoint-action", "--info-script", "--new-volume-script", "--rsh-command", "--rsh", "--rsync-path"]
            let runs = arguments.contains { word in
                options.contains { word.hasPrefix($0) }
                    || (word.hasPrefix("-") && !word.hasPrefix("--") && (name == "rsync" ? word.contains("e") : word.contains("I") || word.contains("F")))
            }
            if runs { throw .refused("sandbox: \(name) is told to run another program; it cannot be checked") }
            return nil
        default:
            return nil
        }
    }

    /// `find ... -exec CMD ... ;` (and `-execdir`, `-ok`, `-okdir`): each CMD's programs.
    func findPrograms(_ arguments: [String], depth: Int) throws(MinicError) -> [Program] {
        var found: [Program] = []
        var index = 0
        while index < arguments.count {
            if ["-exec", "-execdir", "-ok", "-okdir"].contains(arguments[index]) {
                let end = arguments[(index + 1)...].firstIndex { $0 == ";" || $0 == "+" } ?? arguments.count
                let inner = Array(arguments[(index + 1)..<end])
                if inner.first?.contains("{}") == true { throw .refused("sandbox: find runs the files it finds ({}); it cannot be checked") }
                found += try programs(inner, depth: depth + 1)
                index = end
            }
            index += 1
        }
        return found
    }
}
