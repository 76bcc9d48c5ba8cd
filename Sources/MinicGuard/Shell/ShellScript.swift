/// One word of a shell command after quote removal.
public struct ShellWord: Sendable, Equatable {
    /// The word's text with quotes removed; expansions (`$X`, `$(...)`) are kept as written.
    public var text: String
    /// Whether the shell computes part of it at run time (`$X`, `${X}`, `$(...)`, backticks, `$((...))`).
    public var dynamic = false
    /// Whether it held an ANSI-C string (`$'\x72\x6d'`), decoded into ``text``.
    public var ansiC = false
    /// Whether any part was quoted.
    public var quoted = false
    /// How many characters of ``text`` come before its first quoted part (`X="a b"`: 2), nil when none is quoted.
    var quotedFrom: Int?
    /// Whether an unquoted `{` may make it a brace expansion (`s{u,}do`); see ``ShellBraces``.
    var braces = false
    /// Whether it came out of a brace expansion (`{sudo,true}` → `sudo`, `true`).
    public var braceExpanded = false

    public init(_ text: String, dynamic: Bool = false) {
        self.text = text
        self.dynamic = dynamic
    }
}

/// A redirection such as `> /etc/passwd`, `2>&1` or a here-document.
public struct ShellRedirection: Sendable, Equatable {
    /// The operator without its descriptor: `>`, `>>`, `<`, `<<`, `<<<`, `>&`, `&>`, ...
    public var operation: String
    public var target: ShellWord
}

/// A simple command: its words (assignments and reserved words removed), where it
/// stands in its pipeline, and where it came from.
public struct ShellCommand: Sendable {
    public var words: [ShellWord] = []
    public var assignments: [String] = []
    public var redirections: [ShellRedirection] = []
    /// Commands of one pipeline (`a | b | c`) share this number.
    public var pipeline = 0
    /// The command's place in its pipeline, from 0.
    public var position = 0
    /// 1-based line of the command's first word.
    public var line = 1
    /// Whether it runs inside a command or process substitution (`$(...)`, backticks, `<(...)`).
    public var substituted = false

    /// The command's name as written (`rm`, `/bin/rm`), or nil for an empty command.
    public var name: ShellWord? { words.first }
    /// The name's last path component: `/bin/rm` → `rm`.
    public var baseName: String? { name.map { ShellWrappers.baseName($0.text) } }
    public var arguments: ArraySlice<ShellWord> { words.dropFirst() }
}

/// A parsed shell script: every simple command, nested ones included, in order.
public struct ShellScript: Sendable {
    /// The POSIX-family shells whose scripts ``ShellParser`` reads (`sh -c TEXT`, a here-document fed to one, a shebang).
    public static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "ash", "fish", "mksh", "rbash", "yash", "posh", "ksh93"]

    public var commands: [ShellCommand]
    /// Problems that kept part of the text from parsing (an unterminated quote, say).
    public var problems: [String]
    /// Functions the script defines (`f() { ...; }`, `function f { ...; }`), with their lines.
    public var functions: [(name: String, line: Int)] = []
    /// Literal values each variable is given by an assignment (`d=/`) or a loop (`for d in / ~; do`), all scopes together.
    public var knownValues: [String: [String]] = [:]

    /// The commands of pipeline `number`, in order.
    public func pipeline(_ number: Int) -> [ShellCommand] { commands.filter { $0.pipeline == number } }
}
