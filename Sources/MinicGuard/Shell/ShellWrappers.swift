/// Programs that run the rest of their arguments as another command (`sudo rm ...`,
/// `env X=1 rm ...`, `timeout 5 rm ...`, `command -p rm ...`, `exec -a NAME rm ...`):
/// the analyser and the sandbox's command filter both look through them to the
/// command they start.
enum ShellWrappers {
    /// How one wrapper reads its own options before the command it starts.
    struct Syntax {
        /// Short options that take a value (`nice -n 5`, `exec -a NAME`); the value may be attached (`-n5`).
        var shortValues: Set<Character> = []
        /// Long options that take a value in the next word when not written `--opt=value`.
        var longValues: Set<String> = []
        /// Words after the options that belong to the wrapper (`timeout 5`, `flock FILE`).
        var leading = 0
    }

    /// Each wrapper's syntax. Options are read getopt-style, so a flag (`command -p`) never swallows the program
    /// and a value option (`xargs -I {}`) always does.
    static let syntax: [String: Syntax] = [
        "env": Syntax(shortValues: ["u", "C", "S"], longValues: ["--unset", "--chdir", "--split-string"]),
        "nice": Syntax(shortValues: ["n"], longValues: ["--adjustment"]),
        "nohup": Syntax(), "setsid": Syntax(), "chronic": Syntax(), "builtin": Syntax(), "command": Syntax(), "busybox": Syntax(),
        "unbuffer": Syntax(), "rlwrap": Syntax(), "catchsegv": Syntax(), "torsocks": Syntax(), "proxychains": Syntax(), "proxychains4": Syntax(),
        "time": Syntax(shortValues: ["f", "o"], longValues: ["--format", "--output"]),
        "exec": Syntax(shortValues: ["a"]),
        "xargs": Syntax(
            shortValues: ["a", "d", "E", "I", "L", "n", "P", "s"],
            longValues: ["--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"]),
        "stdbuf": Syntax(shortValues: ["i", "o", "e"], longValues: ["--input", "--output", "--error"]),
        "timeout": Syntax(shortValues: ["k", "s"], longValues: ["--kill-after", "--signal"], leading: 1),
        "ionice": Syntax(shortValues: ["c", "n", "p", "P", "u"], longValues: ["--class", "--classdata"]),
        "taskset": Syntax(leading: 1),
        "flock": Syntax(shortValues: ["w", "E", "c"], longValues: ["--timeout", "--conflict-exit-code", "--command"], leading: 1),
        "watch": Syntax(shortValues: ["n", "d", "q"], longValues: ["--interval", "--differences"]),
        "strace": Syntax(shortValues: ["o", "e", "p", "s", "u", "E", "a", "b", "I", "O", "P", "S", "X"]),
        "ltrace": Syntax(shortValues: ["o", "e", "p", "s", "u", "E", "a", "A", "D", "F", "l", "n", "x"]),
        "chrt": Syntax(leading: 1),
        "sudo": Syntax(shortValues: ["u", "g", "C", "D", "h", "p", "r", "t", "T", "U", "c"], longValues: ["--user", "--group", "--chdir", "--prompt"]),
        "doas": Syntax(shortValues: ["u", "C"]),
        "runuser": Syntax(shortValues: ["u", "g", "G", "c", "s"], longValues: ["--user", "--group", "--command", "--shell"]),
        "setpriv": Syntax(longValues: ["--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps", "--bounding-set", "--securebits"]),
        "faketime": Syntax(leading: 1),
        "valgrind": Syntax(),
        "script": Syntax(
            shortValues: ["c", "E", "I", "O", "B", "T", "m"],
            longValues: ["--command", "--echo", "--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format"]),
        "systemd-run": Syntax(
            shortValues: ["u", "p", "E", "M", "H"],
            longValues: [
                "--unit", "--property", "--setenv", "--machine", "--host", "--description", "--slice", "--uid", "--gid", "--nice",
                "--working-directory", "--on-active", "--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive", "--on-calendar",
                "--timer-property", "--path-property", "--socket-property", "--service-type",
            ]),
        "chroot": Syntax(longValues: ["--userspec", "--groups"], leading: 1),
        "pkexec": Syntax(longValues: ["--user"]), "fakeroot": Syntax(), "eatmydata": Syntax(), "dbus-run-session": Syntax(), "xvfb-run": Syntax(),
        "ssh-agent": Syntax(shortValues: ["a", "E", "P", "t"]), "unshare": Syntax(), "nsenter": Syntax(shortValues: ["t", "S", "G"]),
        "firejail": Syntax(), "sem": Syntax(shortValues: ["j"], longValues: ["--jobs", "--id"]),
        "ld.so": Syntax(longValues: ["--library-path", "--preload", "--argv0", "--audit", "--inhibit-rpath"]),
    ]

    /// Options whose value is itself a shell command line (`flock -c CMD`, `env -S 'CMD ARGS'`, `runuser -c CMD`).
    static let scriptOptions: [String: Set<String>] = [
        "flock": ["-c", "--command"], "env": ["-S", "--split-string"], "runuser": ["-c", "--command"], "script": ["-c", "--command"],
    ]

    /// The wrapper `name` stands for, when it is one: the dynamic loader under any of its names counts as `ld.so`.
    static func wrapper(_ name: String) -> String? {
        if syntax[name] != nil { return name }
        if name.hasPrefix("ld-linux") || name.hasPrefix("ld64.so") || name.hasPrefix("ld.so") || name.hasPrefix("ld-musl") { return "ld.so" }
        return nil
    }

    /// What a wrapper command line holds: the wrapped command's words, the option values read on the way
    /// (checked too by the command filter, in case an option was misread) and any values that are shell text.
    struct Unwrapped {
        var command: ArraySlice<String>
        var optionValues: [String] = []
        var scripts: [String] = []
        /// xargs' replacement string (`-I {}`): where each input item goes in the command.
        var replacement: String?
    }

    /// The words of the command that `words` wraps, or nil when its first word is no wrapper.
    static func unwrap(_ words: ArraySlice<String>) -> ArraySlice<String>? {
        unwrapDetailed(words)?.command
    }

    /// Like ``unwrap(_:)``, with the option values and script options read on the way.
    static func unwrapDetailed(_ words: ArraySlice<String>) -> Unwrapped? {
        guard let first = words.first, let name = wrapper(baseName(first)), let spec = syntax[name] else { return nil }
        let scripts = scriptOptions[name] ?? []
        var result = Unwrapped(command: [])
        var rest = words.dropFirst()
        while let option = rest.first {
            if name == "env" && !option.hasPrefix("-") && option.contains("=") {
                rest = rest.dropFirst()
                continue
            }
            guard option.hasPrefix("-"), option != "-" else { break }
            rest = rest.dropFirst()
            if option == "--" { break }
            var value: String?
            var key = option
            if option.hasPrefix("--") {
                if let equals = option.firstIndex(of: "=") {
                    key = String(option[..<equals])
                    value = String(option[option.index(after: equals)...])
                } else if spec.longValues.contains(option), let next = rest.first {
                    value = next
                    rest = rest.dropFirst()
                }
            } else {
                // A cluster of short flags; the first value option takes the rest of the word, else the next word.
                for (offset, letter) in option.dropFirst().enumerated() where spec.shortValues.contains(letter) {
                    key = "-" + String(letter)
                    let attached = option.dropFirst(offset + 2)
                    if !attached.isEmpty {
                        value = String(attached)
                    } else if let next = rest.first {
                        value = next
                        rest = rest.dropFirst()
                    }
                    break
                }
            }
            if name == "xargs", key == "-I" || key == "--replace" { result.replacement = value ?? "{}" }
            if name == "xargs", option.hasPrefix("-i") { result.replacement = option.count > 2 ? String(option.dropFirst(2)) : "{}" }
            if let value {
                if scripts.contains(key) { result.scripts.append(value) } else { result.optionValues.append(value) }
            }
        }
        result.optionValues += rest.prefix(spec.leading)
        result.command = rest.dropFirst(spec.leading)
        return result
    }

    /// A command name's last path component: `/bin/rm` → `rm`.
    static func baseName(_ word: String) -> String {
        // Called for every command: no array unless the word ends in a slash.
        guard let slash = word.lastIndex(of: "/") else { return word }
        let tail = word[word.index(after: slash)...]
        return tail.isEmpty ? word.split(separator: "/").last.map(String.init) ?? word : String(tail)
    }
}
