/// Programs that run the rest of their arguments as another command (`sudo rm ...`,
/// `env X=1 rm ...`, `timeout 5 rm ...`, `busybox rm ...`): the analyser and the
/// sandbox's command filter both look through them to the command they start.
enum ShellWrappers {
    /// Each wrapper, with how many arguments after its options belong to it (`timeout 5`).
    static let leadingArguments: [String: Int] = [
        "env": 0, "nice": 0, "nohup": 0, "time": 0, "command": 0, "exec": 0, "xargs": 0, "stdbuf": 0, "setsid": 0, "timeout": 1, "chronic": 0,
        "ionice": 0, "taskset": 1, "flock": 1, "watch": 0, "strace": 0, "ltrace": 0, "chrt": 1, "sudo": 0, "doas": 0, "busybox": 0,
    ]
    /// Options of these wrappers that take a value (`nice -n 5`, `sudo -u root`).
    static let optionsWithValues: Set<String> = ["-n", "-u", "-C", "-S", "-s", "-k", "-I", "-L", "-P", "-d", "-E", "-c", "-p", "-g"]

    /// The words of the command that `words` wraps, or nil when its first word is no wrapper.
    static func unwrap(_ words: ArraySlice<String>) -> ArraySlice<String>? {
        guard let first = words.first, let skip = leadingArguments[baseName(first)] else { return nil }
        let isEnv = baseName(first) == "env"
        var rest = words.dropFirst()
        while let option = rest.first, option.hasPrefix("-") || (isEnv && option.contains("=")) {
            rest = rest.dropFirst()
            if optionsWithValues.contains(option) { rest = rest.dropFirst() }
        }
        return rest.dropFirst(skip)
    }

    /// A command name's last path component: `/bin/rm` → `rm`.
    static func baseName(_ word: String) -> String {
        word.split(separator: "/").last.map(String.init) ?? word
    }
}
