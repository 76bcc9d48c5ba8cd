/// Programs that run command strings or command words they are given: `find -exec`, `su -c`, `runuser`/`flock FILE
/// -c`, `ssh HOST CMD`, `at`, `crontab -`, `parallel CMD ::: ARGS`, `make -f -`, `git -c alias.x=!CMD`, `tar
/// --checkpoint-action=exec=CMD`, and `xargs` with its input written in the script. What they run is analysed as
/// shell text, the findings reported as the command's own.
extension ShellAnalyzer {
    static let runners: Set<String> = ["find", "su", "ksu", "ssh", "at", "batch", "crontab", "parallel", "make", "gmake", "git", "tar", "bsdtar", "gtar"]

    /// Shell texts `program` runs, with a note for the findings.
    static func runnerTexts(_ program: String, _ arguments: [String], command: ShellCommand, in script: ShellScript) -> [(String, String)] {
        guard runners.contains(program) else { return [] }
        var texts: [(String, String)] = []
        switch program {
        case "find":
            // `-exec CMD ARGS ;` and `+`: the words up to the terminator, `{}` left as a literal name.
            var index = 0
            while index < arguments.count {
                if ["-exec", "-execdir", "-ok", "-okdir"].contains(arguments[index]) {
                    let words = arguments[(index + 1)...].prefix { $0 != ";" && $0 != "+" }
                    texts.append((words.map(quoted).joined(separator: " "), "run by find \(arguments[index])"))
                    index += words.count
                }
                index += 1
            }
        case "su", "ksu":
            // `su root -c CMD`, `su -lc CMD`: options after the user are read too (GNU getopt permutes them).
            texts += optionValues(arguments[...], letter: "c", long: ["--command", "--session-command"]).map { ($0, "run by \(program)") }
        case "ssh":
            if let remote = sshRemoteCommand(arguments) { texts.append((remote, "run by ssh on the remote host")) }
        case "at", "batch":
            if !arguments.contains("-f") { texts += stdinTexts(command, in: script).map { ($0, "run by \(program)") } }
        case "crontab":
            if arguments.contains("-") || arguments.filter({ !$0.hasPrefix("-") }).isEmpty {
                for text in stdinTexts(command, in: script) {
                    for entry in text.split(separator: "\n") { if let job = cronCommand(entry) { texts.append((job, "a crontab entry")) } }
                }
            }
        case "parallel":
            texts += parallelCommands(arguments).map { ($0, "run by parallel") }
        case "make", "gmake":
            let fromStdin =
                zip(arguments, arguments.dropFirst()).contains { ["-f", "--file", "--makefile"].contains($0.0) && $0.1 == "-" }
                || arguments.contains { $0 == "-f-" || $0 == "--file=-" || $0 == "--makefile=-" }
            if fromStdin {
                for text in stdinTexts(command, in: script) {
                    texts.append((makeRecipes(text), "a make recipe"))
                }
            }
        case "git":
            texts += gitCommands(arguments).map { ($0, "run by git") }
        case "tar", "bsdtar", "gtar":
            texts += tarCommands(arguments).map { ($0, "run by tar") }
        default:
            break
        }
        return texts
    }

    /// The recipe lines of a makefile (tab-led, with their `\` continuations), `$$` read as the shell's `$`.
    static func makeRecipes(_ makefile: String) -> String {
        var lines: [String] = []
        var continued = false
        for line in makefile.split(separator: "\n", omittingEmptySubsequences: false) {
            // `@`, `-` and `+` before a recipe line are make's (silent, ignore errors, always run).
            if line.hasPrefix("\t") || continued { lines.append(line.drop { "\t@-+".contains($0) }.replacingOccurrences(of: "$$", with: "$")) }
            continued = (line.hasPrefix("\t") || continued) && line.hasSuffix("\\")
        }
        return lines.joined(separator: "\n")
    }

    /// The values of `-X VALUE`, `-XVALUE`, a cluster ending in `X` (`-lc VALUE`), `--long VALUE` and `--long=VALUE`.
    static func optionValues(_ arguments: ArraySlice<String>, letter: Character, long: [String]) -> [String] {
        var values: [String] = []
        var rest = arguments
        while let word = rest.popFirst() {
            if word == "--" { break }
            if word.hasPrefix("--") {
                guard longOption(word, among: long) != nil else { continue }
                if word.contains("=") { values.append(String(word.drop { $0 != "=" }.dropFirst())) } else if let next = rest.popFirst() { values.append(next) }
            } else if word.hasPrefix("-"), let at = word.dropFirst().firstIndex(of: letter) {
                let attached = String(word[word.index(after: at)...])
                if !attached.isEmpty {
                    values.append(attached)
                } else if let next = rest.popFirst() {
                    values.append(next)
                }
            }
        }
        return values
    }

    /// The command `ssh [OPTIONS] HOST CMD...` runs on the remote host, or nil for a login shell.
    static func sshRemoteCommand(_ arguments: [String]) -> String? {
        var rest = arguments[...]
        while let word = rest.first, word.hasPrefix("-") {
            rest = rest.dropFirst()
            if word == "--" { break }
            if let letter = word.dropFirst().first(where: { "BbcDEeFIiJLlmOoPpQRSWw".contains($0) }), word.hasSuffix(String(letter)) {
                rest = rest.dropFirst()
            }
        }
        let command = rest.dropFirst()
        return command.isEmpty ? nil : command.joined(separator: " ")
    }

    /// The command of a crontab line (`* * * * * CMD`, `@reboot CMD`), or nil for a comment, blank or variable line.
    static func cronCommand(_ line: Substring) -> String? {
        let text = line.drop { $0 == " " || $0 == "\t" }
        guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
        let fields = text.split(separator: " ", maxSplits: text.hasPrefix("@") ? 1 : 5, omittingEmptySubsequences: true)
        if text.hasPrefix("@") { return fields.count > 1 ? String(fields[1]) : nil }
        if let first = fields.first, first.contains("="), !first.contains("*") { return nil }
        return fields.count > 5 ? String(fields[5]) : nil
    }

    /// `parallel CMD ::: A B`, `parallel ::: "CMD1" "CMD2"`: each command line it runs (through a shell).
    static func parallelCommands(_ arguments: [String]) -> [String] {
        guard let separator = arguments.firstIndex(where: { $0 == ":::" || $0 == "::::" || $0 == ":::+" }) else { return [] }
        var template = arguments[..<separator]
        let valueOptions: Set<String> = ["-j", "-S", "-P", "-n", "-N", "-L", "--jobs", "--sshlogin", "-I", "--delimiter", "-d", "--joblog", "--results"]
        while let word = template.first, word.hasPrefix("-") {
            template = template.dropFirst()
            if valueOptions.contains(word) { template = template.dropFirst() }
        }
        let values = arguments[(separator + 1)...].filter { !$0.hasPrefix(":::") }.prefix(16)
        let line = template.joined(separator: " ")
        if line.isEmpty { return Array(values) }
        return values.map { line.contains("{}") ? line.replacingOccurrences(of: "{}", with: quoted($0)) : line + " " + quoted($0) }
    }

    /// Shell commands given to git on its command line: `-c alias.x=!CMD`, `-c core.pager=CMD` and the like,
    /// and `git config alias.x '!CMD'`.
    static func gitCommands(_ arguments: [String]) -> [String] {
        let commandKeys: Set<String> = ["core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "sequence.editor", "diff.external", "core.askpass"]
        var settings: [(String, String)] = []
        for (option, value) in zip(arguments, arguments.dropFirst()) where option == "-c" {
            let parts = value.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { settings.append((parts[0].lowercased(), String(parts[1]))) }
        }
        if arguments.first == "config", let key = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }), let value = arguments.last, arguments.count > 2 {
            settings.append((key.lowercased(), value))
        }
        return settings.compactMap { key, value in
            if key.hasPrefix("alias.") { return value.hasPrefix("!") ? String(value.dropFirst()) : nil }
            return commandKeys.contains(key) || key.hasPrefix("pager.") ? value : nil
        }
    }

    /// Commands tar runs: `--checkpoint-action=exec=CMD`, `--to-command=CMD`, `--use-compress-program=CMD` (`-I`),
    /// `--info-script=CMD` (`-F`), `--new-volume-script=CMD`.
    static func tarCommands(_ arguments: [String]) -> [String] {
        let long = ["--checkpoint-action", "--to-command", "--use-compress-program", "--info-script", "--new-volume-script"]
        var commands: [String] = []
        var rest = arguments[...]
        while let word = rest.popFirst() {
            if word.hasPrefix("--"), let name = longOption(word, among: long) {
                var value = word.contains("=") ? String(word.drop { $0 != "=" }.dropFirst()) : rest.popFirst() ?? ""
                if name == "--checkpoint-action" {
                    guard value.hasPrefix("exec=") else { continue }
                    value = String(value.dropFirst(5))
                }
                commands.append(value)
            } else if word == "-I" || word == "-F", let value = rest.popFirst() {
                commands.append(value)
            }
        }
        return commands
    }
}
