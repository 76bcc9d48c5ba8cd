import Foundation

/// Programs other than shells that run code given as a string (`python3 -c`, `perl -e`, `awk 'BEGIN{...}'`):
/// which words are code, and whether a code string is one minic can vouch for. Shared by the command filter
/// (which refuses what it cannot vouch for) and the shell analyser (which asks).
enum ShellInterpreters {
    enum Family: Sendable { case python, awk, sed, opaque }

    static let awks: Set<String> = ["awk", "gawk", "mawk", "nawk", "busybox-awk"]
    static let opaque: Set<String> = [
        "perl", "ruby", "irb", "node", "nodejs", "deno", "bun", "php", "lua", "luajit", "tclsh", "wish", "expect", "Rscript", "R", "julia", "osascript",
        "jshell", "groovy", "scala", "guile", "racket", "sbcl", "gdb", "vim", "vi", "nvim", "ex", "view", "emacs",
    ]

    /// The family of interpreter `name`, or nil when it is none (called for every command: set lookups first).
    static func family(_ name: String) -> Family? {
        if awks.contains(name) { return .awk }
        if name == "sed" || name == "gsed" { return .sed }
        if opaque.contains(name) { return .opaque }
        guard let first = name.first, "pPlr".contains(first) else { return nil }
        if name.hasPrefix("python") || name == "pypy" || name == "pypy3" { return .python }
        if name.hasPrefix("perl5") || name.hasPrefix("lua5") || name.hasPrefix("php") || name.hasPrefix("ruby") { return .opaque }
        return nil
    }

    /// What an interpreter's arguments say about its program.
    struct Program {
        /// Code given as strings (`-c CODE`, `-e CODE`, awk's first operand, a here-document).
        var code: [String] = []
        /// Whether it names a script file (or module) to run instead.
        var fromFile = false
    }

    /// The code strings and script file of `arguments` for an interpreter of `family`.
    static func program(_ family: Family, _ arguments: ArraySlice<String>) -> Program {
        var result = Program()
        var rest = arguments
        // Options whose value is code, and options that take some other value.
        let codeFlags: Set<Character>
        let valueFlags: Set<Character>
        switch family {
        case .python: (codeFlags, valueFlags) = (["c"], ["m", "W", "X", "Q"])
        case .awk: (codeFlags, valueFlags) = (["e"], ["F", "v", "f", "i", "l", "E"])
        case .sed: (codeFlags, valueFlags) = (["e"], ["f", "l"])
        case .opaque: (codeFlags, valueFlags) = (["e", "E", "c", "r", "R", "B", "p"], ["I", "M", "m", "x", "C", "F", "d", "l", "i", "0", "f"])
        }
        while let word = rest.first {
            rest = rest.dropFirst()
            if word == "--" { break }
            if word.hasPrefix("--") {
                let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
                if ["--eval", "--print", "--source", "--expression", "--command"].contains(name) {
                    if word.contains("=") { result.code.append(String(word.drop { $0 != "=" }.dropFirst())) } else if let next = rest.first {
                        result.code.append(next)
                        rest = rest.dropFirst()
                    }
                } else if ["--file", "--include", "--load", "--require"].contains(name) {
                    result.fromFile = true
                    if !word.contains("=") { rest = rest.dropFirst() }
                }
                continue
            }
            guard word.hasPrefix("-"), word.count > 1 else {
                rest = [word] + rest
                break
            }
            for (offset, letter) in word.dropFirst().enumerated() where codeFlags.contains(letter) || valueFlags.contains(letter) {
                let attached = String(word.dropFirst(offset + 2))
                let value = attached.isEmpty ? rest.first : attached
                if attached.isEmpty { rest = rest.dropFirst() }
                if codeFlags.contains(letter) {
                    result.code.append(value ?? "")
                } else if letter == "f" || letter == "m" {
                    result.fromFile = true
                }
                break
            }
        }
        if result.code.isEmpty && !result.fromFile, let operand = rest.first, operand != "-" {
            // awk's and sed's first operand is their program; for the others it is the script file.
            if family == .awk || family == .sed { result.code.append(operand) } else { result.fromFile = true }
        }
        return result
    }

    /// Parts of identifiers (lower-cased, NFKC-normalised as Python does) that let code start processes, load code,
    /// or reach functions by a computed name: Python code mentioning one cannot be vouched for.
    static let pythonMarkers = [
        "exec", "system", "spawn", "popen", "fork", "subprocess", "ctypes", "cffi", "dlopen", "import_module", "__import__", "importlib",
        "zipimport", "getattr", "attrgetter", "methodcaller", "__dict__", "builtins", "globals", "locals", "eval", "pickle", "marshal", "shelve",
        "getmembers", "syscall", "runpy", "runsource", "runcode", "interact", "timeit", "profile", "webbrowser", "pydoc", "mailcap",
        "load_module", "load_source", "loader", "ensurepip", "tkinter", "multiprocessing", "breakpoint", "__class__", "__subclasses__",
        "__globals__", "__code__", "__reduce__", "codetype", "functiontype", "__loader__", "__spec__",
    ]
    /// Whole identifiers with the same power, too short or common to match inside others (`pty`, not `empty`).
    static let pythonNames: Set<String> = ["pty", "ffi", "pipes", "commands", "pdb", "vars", "dill", "inspect", "venv", "code"]
    static let awkMarkers = ["system", "getline", "|", "@load", "@include"]

    /// Why code for an interpreter of `family` cannot be vouched for, or nil when it can: it names one of
    /// `denied`, or uses something that starts processes or computes what it runs. Opaque languages always answer.
    static func concern(_ family: Family, code: String, denied: Set<String>) -> String? {
        let text = code.precomposedStringWithCompatibilityMapping.lowercased()
        let tokens = text.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
        for token in tokens {
            for part in token.split(separator: ".") where denied.contains(String(part)) { return "it names '\(part)', which is denied" }
        }
        switch family {
        case .opaque:
            return "code in this language is not analysed"
        case .python:
            for identifier in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                if pythonNames.contains(String(identifier)) { return "it uses \(identifier)" }
                if let marker = pythonMarkers.first(where: { identifier.contains($0) }) { return "it uses \(marker)" }
            }
        case .awk:
            if let marker = awkMarkers.first(where: { text.replacingOccurrences(of: "||", with: "").contains($0) }) { return "it uses \(marker)" }
        case .sed:
            // GNU sed's `e` command and `s///e` flag run the shell; `w`/`r` reach files; `W`,`R` too.
            if text.range(of: #"(^|[;{}\n])\s*([0-9$]+|/[^/]*/)?(,\s*([0-9$]+|/[^/]*/))?\s*[erwRW](\s|;|$)"#, options: .regularExpression) != nil
                || text.range(of: #"s(.).*\1.*\1[a-z0-9]*[ew]"#, options: .regularExpression) != nil
            {
                return "it uses sed's e, r or w"
            }
        }
        return nil
    }
}
