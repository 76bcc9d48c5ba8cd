extension SecretScanner {
    /// Passwords that are documentation when they are the whole value, compared exactly
    /// (lower-case): the words that mean "put your password here". Anything else — `test`,
    /// `secret`, `example`, `mypassword`, `Password`, `PASSWORD`, one letter — is a password
    /// someone may really use, and is reported however weak.
    static let placeholderPasswordWords: Set<String> = [
        "password", "passwd", "pass", "pwd", "changeme", "change_me", "change-me", "placeholder", "redacted", "yourpassword", "your_password",
        "your-password",
    ]

    /// Whether a password in a URL, connection string or command line is a documentation
    /// placeholder. Only the *whole* value counts: a placeholder word
    /// (``placeholderPasswordWords``); a variable or template standing for it (`$PASS`,
    /// `${PASS}`, `$(cat f)`, `%s`, `%(pw)s`, `%PASS%`, `{{pass}}`, `{pass}`, `<password>`,
    /// `[password]`); or a mask of at least three of `x * . • # ?` (`xxx`, `****`). A
    /// template with literal text around it (`Pa55w0rd!${X}`, `kT9#{{x}}wL7`) and a
    /// placeholder word inside a longer value (`Pa55w0rd!changeme`) are passwords.
    static func isPlaceholderPassword(_ value: String) -> Bool {
        if placeholderPasswordWords.contains(value) { return true }
        let masks: Set<Character> = ["x", "X", "*", ".", "•", "#", "?"]
        if value.count >= 3 && value.allSatisfy({ masks.contains($0) }) { return true }
        // A command substitution is computed, never literal (`$(cat pw.txt)` is cut at its blank).
        if value.hasPrefix("$(") || value.hasPrefix("`") { return true }
        return isWholeTemplate(value)
    }

    /// Whether `value` is one variable or template and nothing else. `${NAME:-default}` counts
    /// only when its default is itself a placeholder.
    static func isWholeTemplate(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 2, let first = scalars.first, let last = scalars.last else { return false }
        let inner = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
        func isName(_ text: Substring) -> Bool {
            guard let head = text.first, head.isLetter || head == "_" else { return false }
            return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        switch (first, last) {
        case ("$", _) where scalars[1] == "{" && last == "}":
            // ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}
            let body = inner.dropFirst()
            guard let operatorIndex = body.firstIndex(where: { ":-=?+".contains($0) }) else { return isName(body) }
            guard isName(body[..<operatorIndex]) else { return false }
            let fallback = body[operatorIndex...].drop(while: { ":-=?+".contains($0) })
            return fallback.isEmpty || body[operatorIndex...].hasPrefix(":?") || body[operatorIndex...].hasPrefix("?")
                || isPlaceholderPassword(String(fallback))
        case ("$", _):
            // $NAME, $env:NAME (PowerShell)
            let body = value.dropFirst()
            return isName(body) || (body.lowercased().hasPrefix("env:") && isName(body.dropFirst(4)))
        case ("%", "%"): return isName(inner[...])
        case ("%", _): return value.range(of: #"^%(\([A-Za-z_][A-Za-z0-9_]*\))?[sdrv]$"#, options: .regularExpression) != nil
        case ("{", "}"):
            if inner.hasPrefix("{") && inner.hasSuffix("}") { return !inner.dropFirst().dropLast().contains(where: { "{}".contains($0) }) }
            return inner.isEmpty || isName(inner.trimmingPrefix(".")[...]) || inner.allSatisfy(\.isNumber)
        case ("<", ">"), ("[", "]"): return !inner.isEmpty && !inner.contains(where: { "<>[]".contains($0) })
        default: return false
        }
    }
}
