/// Destructive operations on system paths: `rm` in any spelling (GNU long options abbreviated as getopt allows),
/// `unlink`, `shred`, `truncate`, `dd of=`, `mv` of a system path, `rsync --delete` into one, `chmod`/`chown` of one.
extension ShellAnalyzer {
    static let destructive: Set<String> = ["unlink", "shred", "truncate", "srm", "wipe", "dd", "mv", "rsync", "chmod", "chown", "chgrp"]
    static let rmOptions = [
        "--force", "--interactive", "--one-file-system", "--no-preserve-root", "--preserve-root", "--recursive", "--dir", "--verbose", "--help", "--version",
    ]

    /// `rm` with recursive and force in any spelling, aimed at a system or home path (or `"$X/"*`); `rm` of a file
    /// a system needs (`rm -f /etc/passwd`).
    static func removal(_ arguments: [String], command: ShellCommand, script: ShellScript, viaXargs: Bool, add: (String, Severity, Int, String) -> Void) {
        var recursive = false
        var force = false
        var targets: [String] = []
        var endOfOptions = false
        for argument in arguments {
            if !endOfOptions && argument == "--" {
                endOfOptions = true
            } else if !endOfOptions && argument.hasPrefix("--") {
                switch longOption(argument, among: rmOptions) {
                case "--recursive": recursive = true
                case "--force": force = true
                case "--no-preserve-root":
                    recursive = true
                    force = true
                    targets.append("/")
                default: break
                }
            } else if !endOfOptions && argument.hasPrefix("-") && argument.count > 1 {
                if argument.contains("r") || argument.contains("R") { recursive = true }
                if argument.contains("f") { force = true }
            } else {
                targets.append(argument)
            }
        }
        if viaXargs {
            // The targets come from xargs' input: a system path when an upstream command names one (`find /etc | xargs rm`).
            let upstream = script.pipeline(command.pipeline).filter { $0.position < command.position }
            let named = upstream.flatMap(\.arguments).map(\.text).filter { $0.hasPrefix("/") || $0.hasPrefix("~") || $0.hasPrefix("$HOME") }
            if named.contains(where: isProtectedFile) {
                add("sh-rm-rf-root", .high, command.line, "xargs rm of a system path named upstream")
            } else if recursive {
                add("sh-rm-computed", .medium, command.line, "unknown: xargs rm -r removes whatever its input names")
            }
        }
        guard recursive else {
            for target in targets where !target.contains("$") && isProtectedFile(target) {
                add("sh-destroy-system", .high, command.line, "rm of \(target), which the system needs")
            }
            return
        }
        for target in targets { removalTarget(target, force: force, command: command, script: script, add: add) }
    }

    /// `unlink`, `shred`, `truncate`, `dd of=`, `mv`, `rsync --delete`, `chmod`, `chown`, `chgrp` on system paths.
    static func destruction(_ program: String, _ arguments: [String], line: Int, add: (String, Severity, Int, String) -> Void) {
        // Called for every command: nothing is computed before the program is known to be one of these.
        guard destructive.contains(program) else { return }
        let operands = arguments.filter { !$0.hasPrefix("-") }
        switch program {
        case "unlink", "shred", "truncate", "srm", "wipe":
            // `truncate -s 0 FILE`: the size is the only value option that matters here.
            var skip = false
            for argument in arguments {
                if skip { skip = false; continue }
                if program == "truncate", ["-s", "-r", "--size", "--reference"].contains(argument) { skip = true; continue }
                if !argument.hasPrefix("-"), isProtectedFile(argument) {
                    add("sh-destroy-system", .high, line, "\(program) destroys \(argument), which the system needs")
                    return
                }
            }
        case "dd":
            if let output = arguments.first(where: { $0.hasPrefix("of=") }), !isBlockDevice(String(output.dropFirst(3))),
                isProtectedFile(String(output.dropFirst(3)))
            {
                add("sh-destroy-system", .high, line, "dd overwrites \(output.dropFirst(3)), which the system needs")
            }
        case "mv":
            if let source = operands.dropLast().first(where: isProtectedFile) { add("sh-destroy-system", .high, line, "mv moves \(source) away") }
        case "rsync":
            let deletes = arguments.contains { $0.hasPrefix("--del") || $0.hasPrefix("--remove-source") }
            if deletes, let destination = operands.last, operands.count > 1, isSystemTarget(destination) {
                add("sh-destroy-system", .high, line, "rsync --delete into \(destination) removes what the source lacks")
            }
        case "chmod", "chown", "chgrp":
            let recursive = arguments.contains {
                $0 == "-R" || longOption($0, among: ["--recursive", "--reference", "--changes", "--silent", "--quiet", "--verbose"]) == "--recursive"
                    || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("R"))
            }
            let mode = program == "chmod" ? arguments.first { !$0.hasPrefix("-") || $0.dropFirst().allSatisfy { "rwxXstugo".contains($0) } } : nil
            let targets = mode?.hasPrefix("-") == true ? operands[...] : operands.dropFirst(1)
            let open = mode.map { ["777", "0777", "a+rwx", "ugo+rwx", "666", "0666", "o+w", "a+w"].contains($0) } ?? false
            let closed = mode.map(isClosingMode) ?? false
            if let target = targets.first(where: isSystemTarget), program == "chmod" ? recursive || open || closed : recursive {
                add("sh-chmod-system", .high, line, "\(program)\(recursive ? " -R" : "") on \(target)")
            } else if program == "chmod", let target = targets.first(where: isProtectedFile), open || closed {
                add("sh-chmod-system", .high, line, "\(program) \(mode ?? "") on \(target), which the system needs")
            } else if open && recursive {
                add("sh-chmod-777", .medium, line, "makes a whole tree writable by everyone")
            }
        default:
            break
        }
    }

    /// Whether a chmod mode takes the owner's read access away (`000`, `0`, `a-rwx`, `u=`, `-r`).
    static func isClosingMode(_ mode: String) -> Bool {
        if let value = Int(mode, radix: 8) { return value & 0o400 == 0 }
        return mode.split(separator: ",").contains { clause in
            let who = clause.prefix { "ugoa".contains($0) }
            guard who.isEmpty || who.contains("u") || who.contains("a") else { return false }
            let rest = clause.dropFirst(who.count)
            return (rest.hasPrefix("-") && rest.contains("r")) || rest == "="
        }
    }
}
