/// Commands run other than by their name: through traps, aliases, functions that shadow a command,
/// interpreters given code on the command line, and files downloaded then run.
extension ShellAnalyzer {
    /// Names a script should not redefine: builtins that decide what runs, and everyday commands.
    static let knownCommands: Set<String> = [
        "cd", "ls", "rm", "cp", "mv", "cat", "echo", "printf", "test", "[", "command", "builtin", "exec", "eval", "source", ".", "alias", "unalias",
        "type", "which", "hash", "set", "unset", "export", "read", "sudo", "su", "git", "ssh", "scp", "curl", "wget", "sh", "bash", "python", "python3",
        "pip", "pip3", "make", "grep", "sed", "awk", "find", "chmod", "chown", "kill", "exit", "return", "trap", "true", "false", "pwd", "mkdir",
        "touch", "tar", "env", "xargs", "apt", "apt-get", "npm", "node", "docker", "id", "whoami", "clear", "less", "more", "head", "tail",
    ]
    /// Identifiers that make Python code delete or write files, besides the ones that run other programs
    /// (what `rm -rf` or `>> ~/.ssh/authorized_keys` would be in shell).
    static let destructiveMarkers = [
        "rmtree", "unlink", "remove", "rmdir", "chmod", "chown", "truncate", "kill", "shred", "open", "write", "rename", "replace", "move", "copy", "symlink",
    ]

    /// Re-reports findings in `text` (run by the command on `line`) as the command's own.
    static func analyseNested(_ text: String, line: Int, note: String, add: (String, Severity, Int, String) -> Void) {
        for finding in analyze(text) { add(finding.ruleID, finding.severity, line + finding.line - 1, "\(finding.message) (\(note))") }
    }

    /// `trap 'CMD' SIG`, `alias x='CMD'` and interpreters given code: what they run, analysed.
    static func indirection(
        _ program: String, _ arguments: [String], command: ShellCommand, in script: ShellScript, add: (String, Severity, Int, String) -> Void
    ) {
        let line = command.line
        switch program {
        case "trap":
            let operands = arguments.first == "--" ? arguments.dropFirst() : arguments[...]
            if let action = operands.first, action != "-", !action.hasPrefix("-") || arguments.first == "--" {
                analyseNested(action, line: line, note: "run by trap", add: add)
            }
        case "alias":
            for definition in arguments where definition.contains("=") {
                let name = String(definition.prefix { $0 != "=" })
                let value = String(definition.drop { $0 != "=" }.dropFirst())
                analyseNested(value, line: line, note: "alias \(name)", add: add)
                let target = ShellParser.parse(value).commands.first?.baseName
                if knownCommands.contains(name), target != name {
                    add("sh-shadowing", .medium, line, "unknown: alias \(name) makes '\(name)' run \(target ?? "something else")")
                }
            }
        default:
            guard let family = ShellInterpreters.family(program) else { return }
            var given = ShellInterpreters.program(family, arguments[...])
            if given.code.isEmpty && !given.fromFile {
                given.code = command.redirections.filter { $0.operation == "<<" || $0.operation == "<<<" }.map(\.target.text)
            }
            for code in given.code {
                var concern = ShellInterpreters.concern(family, code: code, denied: [])
                if concern == nil, family == .python, let marker = destructiveMarkers.first(where: code.lowercased().contains) { concern = "it uses \(marker)" }
                guard let concern else { continue }
                add("sh-interpreter-code", .medium, line, "unknown: \(program) runs code given on its command line that is not analysed (\(concern))")
                // Command lines written out in the code (`system("rm -rf /")`) are analysed as shell.
                for literal in stringLiterals(code) {
                    for finding in analyze(literal) where finding.severity >= .high {
                        add(finding.ruleID, finding.severity, line, "\(finding.message) (in \(program) code)")
                    }
                }
            }
        }
    }

    /// The contents of the single- and double-quoted strings in `code`.
    static func stringLiterals(_ code: String) -> [String] {
        var literals: [String] = []
        var current: String?
        var quote: Character = "\""
        var escaped = false
        for character in code {
            if var text = current {
                if escaped {
                    text.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == quote {
                    literals.append(text)
                    current = nil
                    continue
                } else {
                    text.append(character)
                }
                current = text
            } else if character == "\"" || character == "'" {
                quote = character
                current = ""
            }
        }
        return literals
    }

    /// Functions that take the name of a command people expect to behave as usual.
    static func shadowing(_ script: ShellScript, add: (String, Severity, Int, String) -> Void) {
        for function in script.functions where knownCommands.contains(function.name) || ShellInterpreters.family(function.name) != nil {
            add("sh-shadowing", .medium, function.line, "unknown: a function named '\(function.name)' replaces the command of that name")
        }
    }

    /// Files a downloader writes (`curl -o x URL`, `wget -O x URL`, `curl URL > x`, `wget URL`), then run
    /// (`sh x`, `. x`, `./x`, `/tmp/x`, `python3 x`): `first` and `arguments` are the command's words, wrappers removed,
    /// `program` the base name of `first`.
    static func downloadRun(
        _ first: String, program: String, _ arguments: [String], command: ShellCommand, in script: ShellScript, downloaded: inout Set<String>,
        add: (String, Severity, Int, String) -> Void
    ) {
        if !downloaded.isEmpty {
            var run: String?
            if first.contains("/") && (downloaded.contains(program) || isInClone(first, downloaded)) {
                run = first
            } else if ShellScript.shells.contains(program) || program == "source" || program == "." || ShellInterpreters.family(program) != nil {
                run = arguments.first { !$0.hasPrefix("-") && (downloaded.contains(ShellWrappers.baseName($0)) || isInClone($0, downloaded)) }
            }
            if let run { add("sh-download-exec", .high, command.line, "runs \(run), a file downloaded earlier in the script") }
        }
        if downloaders.contains(program) {
            downloaded.formUnion(downloadTargets(program, arguments, redirections: command.redirections))
            // `curl -so >(sh) URL`: the output file is a shell (the parser keeps a process substitution as `(CMD)`).
            let outputs = arguments + command.redirections.map(\.target.text)
            let intoShell = outputs.contains {
                $0.hasPrefix("(") && shells.contains(ShellParser.parse(String($0.dropFirst().dropLast())).commands.first?.baseName ?? "")
            }
            if intoShell {
                add("sh-pipe-to-shell", .high, command.line, "\(program) writes a download into a shell")
            }
        }
        if program == "tee", command.position > 0,
            script.pipeline(command.pipeline).contains(where: { $0.position < command.position && downloaders.contains($0.baseName ?? "") })
        {
            downloaded.formUnion(arguments.filter { !$0.hasPrefix("-") }.map(ShellWrappers.baseName))
        }
        if program == "git", arguments.first == "clone" {
            // `git clone URL [DIR]`: a script run from DIR is as unknown as a download.
            let valued: Set<String> = ["--depth", "-b", "--branch", "-o", "--origin", "--reference", "-c", "--config", "--template", "-j", "--jobs", "-u"]
            var operands: [String] = []
            var rest = arguments.dropFirst()
            while let word = rest.popFirst() {
                if valued.contains(word) { rest = rest.dropFirst() } else if !word.hasPrefix("-") { operands.append(word) }
            }
            if let url = operands.first {
                let directory = operands.count > 1 ? operands[operands.startIndex + 1] : ShellWrappers.baseName(url)
                downloaded.insert("clone:" + (directory.hasSuffix(".git") ? String(directory.dropLast(4)) : directory))
            }
        }
        if program == "cd", let directory = arguments.first, isInClone(directory + "/x", downloaded) { downloaded.insert("clone:.") }
    }

    /// Whether `path` lies in a repository cloned earlier in the script (or, after `cd` into one, is relative).
    static func isInClone(_ path: String, _ downloaded: Set<String>) -> Bool {
        let components = normalised(path).split(separator: "/")
        if !path.hasPrefix("/"), downloaded.contains("clone:.") { return true }
        return components.count > 1 && downloaded.contains("clone:" + components[0])
    }

    /// The base names of the files a download command writes.
    static func downloadTargets(_ program: String, _ arguments: [String], redirections: [ShellRedirection]) -> [String] {
        var files = redirections.filter { [">", ">>", ">|", "&>"].contains($0.operation) }.map(\.target.text)
        let urls = arguments.filter { $0.contains("://") }
        var remoteName = program == "wget"
        var index = 0
        let letter: Character = program == "wget" ? "O" : "o"
        let long = program == "wget" ? "--output-document" : "--output"
        while index < arguments.count {
            let word = arguments[index]
            var value: String?
            if word == long {
                value = index + 1 < arguments.count ? arguments[index + 1] : ""
                index += 1
            } else if word.hasPrefix(long + "=") {
                value = String(word.dropFirst(long.count + 1))
            } else if word.hasPrefix("-"), !word.hasPrefix("--"), let at = word.firstIndex(of: letter) {
                // `-o FILE`, `-fsSLo FILE`, `-qO-`.
                let attached = String(word[word.index(after: at)...])
                if attached.isEmpty {
                    value = index + 1 < arguments.count ? arguments[index + 1] : ""
                    index += 1
                } else {
                    value = attached
                }
            } else if program != "wget",
                word == "--remote-name" || word == "--remote-name-all" || (word.hasPrefix("-") && !word.hasPrefix("--") && word.contains("O"))
            {
                remoteName = true
            }
            if let value {
                if value != "-" { files.append(value) }
                remoteName = false
            }
            index += 1
        }
        if remoteName { files += urls.map { ShellWrappers.baseName(String($0.split(separator: "?").first ?? Substring($0))) } }
        return files.filter { !$0.isEmpty && $0 != "/dev/null" }.map(ShellWrappers.baseName)
    }
}
