import Foundation

/// Finds dangerous operations in shell scripts, on the parsed script (``ShellParser``):
/// recursive deletion of system or home paths in any spelling, `find / -delete`,
/// downloads run by a shell, fork bombs, writes to disks, `chmod -R 777` on system
/// paths, writes into `~/.ssh` or `/etc`, force pushes. What it cannot see through —
/// base64 fed to a shell, `$'\x..'` command names, IFS tricks, computed command
/// names, `eval` of computed text — is reported as obfuscated ("unknown: ask"),
/// never passed as safe.
public enum ShellAnalyzer {
    /// Programs that run what is piped into them.
    static let shells = ShellScript.shells.union(["busybox", "python", "python3", "perl", "ruby", "node", "php"])
    static let downloaders: Set<String> = ["curl", "wget", "fetch", "aria2c", "http", "lwp-request"]
    /// Paths whose recursive deletion or opening-up wrecks a system or a home.
    static let systemPaths: Set<String> = [
        "/", "/*", "~", "~/", "~/*", "$HOME", "${HOME}", "$HOME/", "${HOME}/", "$HOME/*", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64",
        "/opt", "/proc", "/root", "/sbin", "/srv", "/sys", "/usr", "/var", "/usr/bin", "/usr/lib", "/var/lib", "/home/*", ".", "./", "..", "../", "*", "./*",
    ]

    public static func analyze(_ script: String) -> [CodeFinding] {
        analyze(script, bindings: [:])
    }

    /// Analyses `script` with `bindings` as values its variables (`$0`, `$1`, `$@` of `sh -c TEXT ARGS`) may take.
    static func analyze(_ script: String, bindings: [String: [String]]) -> [CodeFinding] {
        var parsed = ShellParser.parse(script)
        if !bindings.isEmpty { parsed.knownValues.merge(bindings) { $0 + $1 } }
        if !parsed.functions.isEmpty { bindArguments(&parsed) }
        var findings: [CodeFinding] = []
        func add(_ rule: String, _ severity: Severity, _ line: Int, _ message: String) {
            findings.append(CodeFinding(ruleID: rule, severity: severity, line: line, message: message))
        }
        for problem in parsed.problems { add("sh-unparsed", .medium, 1, "unknown: the script does not parse (\(problem)); cannot tell what it runs") }
        var downloaded: Set<String> = []
        let written = writtenScripts(parsed)
        for command in parsed.commands {
            check(command, in: parsed, downloaded: &downloaded, written: written, add: add)
        }
        if !parsed.functions.isEmpty { shadowing(parsed, add: add) }
        // A fork bomb pipes a function into itself: only then is the pattern worth running.
        if !parsed.functions.isEmpty, pipesAFunction(script, functions: Set(parsed.functions.map(\.name))) { forkBombs(script, add: add) }
        return findings.sorted { ($0.line, $0.ruleID) < ($1.line, $1.ruleID) }
    }

    /// - Parameters:
    ///   - downloaded: base names of the files downloads earlier in the script wrote (see ``downloadRun(_:program:_:command:in:downloaded:add:)``).
    ///   - written: literal text the script writes into files, by base name (see ``writtenScripts(_:)``).
    static func check(
        _ command: ShellCommand, in script: ShellScript, downloaded: inout Set<String>, written: [String: [String]],
        add: (String, Severity, Int, String) -> Void
    ) {
        let line = command.line
        for redirection in command.redirections where [">", ">>", ">|", "&>", "&>>", "<>"].contains(redirection.operation) {
            let target = redirection.target.text
            // `> /usr/bin/sudo`, `> /usr/../etc/shadow`: a file the system needs, emptied or overwritten.
            if target.hasPrefix("/"), !target.hasPrefix("/etc/"), !target.hasPrefix("/dev/"), isProtectedFile(target) {
                add("sh-destroy-system", .high, line, "overwrites \(target), which the system needs")
            }
            if isSSHPath(target) { add("sh-write-ssh", .high, line, "writes into ~/.ssh (\(target))") }
            if target.hasPrefix("/etc/") { add("sh-write-etc", .high, line, "writes into /etc (\(target))") }
            if isBlockDevice(target) { add("sh-write-device", .critical, line, "writes straight to a disk device (\(target))") }
        }
        if command.assignments.contains(where: { $0.hasPrefix("IFS=") }) { add("sh-obfuscated", .medium, line, "unknown: sets IFS, which changes how words split") }
        guard let name = command.name else { return }
        if name.ansiC { add("sh-obfuscated", .medium, line, "unknown: the command name is an escaped string ($'...'), decoded: \(name.text)") }
        if command.words.contains(where: { $0.text.contains("${IFS") || $0.text.contains("$IFS") }) {
            add("sh-obfuscated", .medium, line, "unknown: uses $IFS inside words, a way to hide spaces")
        }
        if name.dynamic { add("sh-dynamic-command", .medium, line, "unknown: the command name is computed at run time (\(name.text))") }
        if !name.quoted, name.text != "[", name.text != "[[", name.text.contains(where: { "*?[".contains($0) }) {
            add("sh-obfuscated", .medium, line, "unknown: the command name is a pattern (\(name.text)); it runs whatever matches")
        }
        if name.braceExpanded { add("sh-obfuscated", .medium, line, "unknown: the command name comes out of a brace expansion (\(name.text))") }
        // Look through wrappers: `sudo rm ...`, `env X=1 rm ...`, `command -p rm ...`, `exec -a x rm ...`, `xargs rm ...`.
        var words = command.words.map(\.text)[...]
        var viaXargs = false
        while let unwrapped = ShellWrappers.unwrapDetailed(words) {
            let wrapper = words.first.map(ShellWrappers.baseName)
            if wrapper == "xargs" { viaXargs = true }
            // `flock -c CMD`, `env -S 'CMD'`, `script -c CMD`, `watch 'CMD'`: shell text run by the wrapper.
            for text in unwrapped.scripts { analyseNested(text, line: line, note: "run by \(wrapper ?? "a wrapper")", add: add) }
            if wrapper == "watch" { analyseNested(unwrapped.command.joined(separator: " "), line: line, note: "run by watch", add: add) }
            if wrapper == "xargs", !unwrapped.command.isEmpty {
                xargsInput(unwrapped.command, replacement: unwrapped.replacement, command: command, in: script, add: add)
            }
            // `flock FILE -c CMD`, `runuser USER -c CMD`: the option after the operand.
            if wrapper == "flock" || wrapper == "runuser", unwrapped.command.contains(where: { $0.hasPrefix("-") }) {
                let texts = optionValues(unwrapped.command.dropFirst(wrapper == "runuser" ? 1 : 0), letter: "c", long: ["--command"])
                for text in texts { analyseNested(text, line: line, note: "run by \(wrapper ?? "a wrapper")", add: add) }
                if !texts.isEmpty { return }
            }
            guard !unwrapped.command.isEmpty else { break }
            words = unwrapped.command
        }
        let program = words.first.map(ShellWrappers.baseName) ?? ""
        let arguments = Array(words.dropFirst())
        indirection(program, arguments, command: command, in: script, add: add)
        downloadRun(words.first ?? "", program: program, arguments, command: command, in: script, downloaded: &downloaded, add: add)
        if !written.isEmpty { runWritten(words.first ?? "", program: program, arguments, line: line, written: written, add: add) }
        for (text, note) in runnerTexts(program, arguments, command: command, in: script) { analyseNested(text, line: line, note: note, add: add) }
        destruction(program, arguments, line: line, add: add)
        switch program {
        case "rm":
            removal(arguments, command: command, script: script, viaXargs: viaXargs, add: add)
        case "find":
            // The roots are the words before the first expression; `.` is the work tree, not a system path.
            if arguments.contains("-delete") || (arguments.contains(where: { $0 == "-exec" || $0 == "-execdir" }) && arguments.contains("rm")),
                let root = arguments.prefix(while: { !$0.hasPrefix("-") && $0 != "(" && $0 != "!" }).first(where: {
                    $0.hasPrefix("/") || (isSystemTarget($0) && ![".", "./"].contains(normalised($0)))
                })
            {
                add("sh-find-delete", .critical, line, "find deletes under \(root)")
            }
        case "dd":
            if let output = arguments.first(where: { $0.hasPrefix("of=") }), isBlockDevice(String(output.dropFirst(3))) {
                add("sh-write-device", .critical, line, "dd writes straight to a disk device (\(output.dropFirst(3)))")
            }
        case "shred", "wipefs", "fdisk", "sfdisk", "parted":
            if arguments.contains(where: isBlockDevice) { add("sh-write-device", .critical, line, "\(program) on a disk device") }
        case _ where program.hasPrefix("mkfs") || program == "mke2fs" || program == "mkswap":
            add("sh-write-device", .critical, line, "\(program) formats a device")
        case "git":
            if arguments.first == "push",
                arguments.contains(where: { $0 == "--force" || $0 == "-f" || $0.hasPrefix("--force-with-lease") || $0.hasPrefix("+") || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("f")) })
            {
                add("sh-force-push", .high, line, "force push rewrites the remote's history")
            }
        case "tee", "cp", "mv", "ln", "install":
            if let target = arguments.last(where: { !$0.hasPrefix("-") }) {
                if isSSHPath(target) { add("sh-write-ssh", .high, line, "\(program) writes into ~/.ssh (\(target))") }
                if target.hasPrefix("/etc/") || target == "/etc" { add("sh-write-etc", .high, line, "\(program) writes into /etc (\(target))") }
                // `ln -sf /dev/null /usr/bin/sudo`, `cp /dev/null /usr/sbin/init`: a file the system needs, emptied.
                if arguments.contains(where: { $0 == "/dev/null" || $0 == "/dev/zero" }), !target.hasPrefix("/etc/"), target.hasPrefix("/"),
                    isProtectedFile(target)
                {
                    add("sh-destroy-system", .high, line, "\(program) replaces \(target) with an empty file")
                }
            }
        case "eval":
            if command.arguments.contains(where: \.dynamic) {
                let fetched = command.arguments.contains { word in downloaders.contains { word.text.contains($0) } }
                add(fetched ? "sh-pipe-to-shell" : "sh-eval", fetched ? .high : .medium, line, fetched ? "evaluates downloaded text" : "unknown: evaluates computed text")
            }
        default:
            break
        }
        if shells.contains(program) || program == "source" || program == "." {
            // `sh -c "$(curl ...)"`, `bash <(curl ...)`, `. <(wget ...)`.
            if command.arguments.contains(where: { word in word.dynamic && downloaders.contains { word.text.contains($0) } }) {
                add("sh-pipe-to-shell", .high, line, "runs a downloaded script (\(program))")
            }
            if command.position > 0 {
                let upstream = script.pipeline(command.pipeline).filter { $0.position < command.position }
                if upstream.contains(where: { downloaders.contains($0.baseName ?? "") }) {
                    add("sh-pipe-to-shell", .high, line, "pipes a download into \(program)")
                } else if upstream.contains(where: { isDecoder($0) }) {
                    add("sh-obfuscated", .medium, line, "unknown: decoded data is piped into \(program); cannot tell what it runs")
                } else if ShellScript.shells.contains(program), !(command.name?.text.contains("*") ?? false),
                    shellInvocation(program, arguments).readsStdin, stdinTexts(command, in: script).isEmpty
                {
                    add("sh-pipe-to-shell", .medium, line, "unknown: \(program) runs what another command prints; cannot tell what it runs")
                }
            }
            // The text a shell is given to run is analysed like the script itself.
            for (text, bindings) in shellTexts(program, arguments, command: command, in: script) {
                for finding in analyze(text, bindings: bindings) { add(finding.ruleID, finding.severity, line + finding.line - 1, finding.message) }
            }
        }
        if program == "eval", !command.arguments.contains(where: \.dynamic) {
            for finding in analyze(command.arguments.map(\.text).joined(separator: " ")) { add(finding.ruleID, finding.severity, line, finding.message) }
        }
        // `eval "$(echo rm -rf /)"`, `$(echo rm) -rf /`: a command spelled by a literal echo or printf.
        if program == "eval", let text = command.arguments.first.flatMap({ printedSubstitution($0.text) }), command.arguments.count == 1 {
            analyseNested(text, line: line, note: "run by eval", add: add)
        } else if name.dynamic, let printed = printedSubstitution(name.text) {
            let text = ([printed] + command.arguments.map { quoted($0.text) }).joined(separator: " ")
            analyseNested(text, line: line, note: "a command name printed by echo", add: add)
        } else if name.dynamic {
            commandFromVariable(name.text, command: command, in: script, add: add)
        }
        packageRemoval(program, arguments, line: line, add: add)
    }

    static func isDecoder(_ command: ShellCommand) -> Bool {
        let words = command.words.map(\.text)
        switch command.baseName ?? "" {
        case "base64", "base32", "basenc": return words.contains { $0 == "-d" || $0 == "--decode" || $0 == "-D" }
        case "xxd": return words.contains { $0.hasPrefix("-r") }
        case "openssl": return words.contains("enc") || words.contains("base64")
        case "printf", "echo": return words.contains { $0.contains("\\x") || $0.contains("\\0") }
        case "rev", "tr", "gunzip", "zcat", "xz", "bzip2": return true
        default: return false
        }
    }

    static func isSSHPath(_ path: String) -> Bool {
        path.contains("/.ssh/") || path.hasSuffix("/.ssh") || path.hasPrefix("~/.ssh") || path.hasPrefix(".ssh/")
    }

    static func isBlockDevice(_ path: String) -> Bool {
        path.range(of: #"^/dev/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d|md\d|dm-\d|mapper/)"#, options: .regularExpression) != nil
    }

    /// `:(){ :|:& };:` and its renamings: a function that pipes itself into itself in the background.
    /// Whether some `|` in `script` follows the name of one of `functions` (one pass over the bytes; true when the
    /// text is not contiguous, so the full pattern runs).
    static func pipesAFunction(_ script: String, functions: Set<String>) -> Bool {
        let found = script.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for index in bytes.indices where bytes[index] == UInt8(ascii: "|") {
                var end = index
                while end > 0 && (bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
                var start = end
                while start > 0 && isNameByte(bytes[start - 1]) { start -= 1 }
                if start < end, functions.contains(String(decoding: bytes[start..<end], as: UTF8.self)) { return true }
            }
            return false
        }
        return found ?? true
    }

    /// A byte of a function name: ASCII letters, digits, `_`, `:`, and any byte of a non-ASCII character.
    static func isNameByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return byte >= 0x80 || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static let forkBombPattern: NSRegularExpression = {
        do {
            return try NSRegularExpression(pattern: #"([A-Za-z_:][A-Za-z0-9_:]*)\s*\(\s*\)\s*\{[^}]*?\1\s*\|\s*\1\s*&"#)
        } catch {
            preconditionFailure("the fork bomb pattern does not compile: \(error)")
        }
    }()

    static func forkBombs(_ script: String, add: (String, Severity, Int, String) -> Void) {
        let expression = forkBombPattern
        let range = NSRange(script.startIndex..., in: script)
        for match in expression.matches(in: script, range: range) {
            let prefix = (script as NSString).substring(to: match.range.location)
            add("sh-fork-bomb", .critical, prefix.filter { $0 == "\n" }.count + 1, "fork bomb: a function that starts copies of itself without end")
        }
    }
}
