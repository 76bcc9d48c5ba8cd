/// A dangerous operation found in code: which rule, how bad, where, and why.
public struct CodeFinding: Codable, Sendable, Equatable {
    public let ruleID: String
    public let severity: Severity
    /// 1-based line in the analysed text.
    public let line: Int
    public let message: String

    public init(ruleID: String, severity: Severity, line: Int, message: String) {
        self.ruleID = ruleID
        self.severity = severity
        self.line = line
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case severity, line, message
        case ruleID = "rule_id"
    }
}

/// The languages minic's analysers read.
public enum CodeLanguage: String, Codable, Sendable, CaseIterable {
    case python, shell, swift

    /// From a file's extension, else its shebang line; nil when neither says.
    public static func detect(path: String, text: Substring?) -> CodeLanguage? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: ".") {
            switch name[name.index(after: dot)...].lowercased() {
            case "py", "py3", "pyw", "pyi": return .python
            case "sh", "bash", "zsh", "ksh", "dash", "bats", "fish": return .shell
            case "swift": return .swift
            default: break
            }
        }
        guard let text, text.hasPrefix("#!") else { return nil }
        return fromShebang(text.prefix { $0 != "\n" })
    }

    /// `#!/usr/bin/env python3`, `#!/usr/local/bin/pypy3`, `#!/bin/sh -e`, `#!/usr/bin/env -S bash -e`, `#!/bin/busybox sh`, ...
    static func fromShebang(_ line: Substring) -> CodeLanguage? {
        let words = line.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard var program = words.first?.split(separator: "/").last else { return nil }
        if program == "env" || program == "busybox", words.count > 1 {
            // env's options (`-S`, `-Sbash`, `-i`, `-u NAME`) come before the program; busybox names the applet next.
            var rest = words.dropFirst()
            while let word = rest.first, word.hasPrefix("-") {
                rest = rest.dropFirst()
                if word.hasPrefix("-S"), word.count > 2 {
                    rest = [word.dropFirst(2)] + rest
                    break
                }
                if word == "-u" || word == "-C" { rest = rest.dropFirst() }
            }
            program = rest.first?.split(separator: "/").last ?? program
        }
        if program.hasPrefix("python") || program.hasPrefix("pypy") { return .python }
        if ShellScript.shells.contains(String(program)) { return .shell }
        if program == "swift" { return .swift }
        return nil
    }

    /// From a Markdown fence's info string (```python, ```sh, ...).
    public static func fromFence(_ info: Substring) -> CodeLanguage? {
        switch info.lowercased().split(separator: " ").first ?? "" {
        case "python", "py", "python3": return .python
        case "sh", "bash", "shell", "zsh", "console", "shell-session": return .shell
        case "swift": return .swift
        default: return nil
        }
    }
}
