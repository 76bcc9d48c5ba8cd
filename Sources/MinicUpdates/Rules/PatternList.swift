/// A list of gitignore-style patterns, as in `protected.list` or `updates.auto_approve`.
///
/// Semantics follow gitignore(5): blank lines and `#` comments are skipped, `!`
/// re-includes, a trailing `/` matches directories only, a pattern with a `/`
/// elsewhere is anchored at the top, one without matches a name at any depth,
/// and the last matching pattern wins. A path under a matched directory is
/// matched, as a file in an ignored directory is ignored.
public struct PatternList: Sendable {
    struct Pattern: Sendable {
        let glob: [UInt8]
        let negated: Bool
        let directoryOnly: Bool
        let anchored: Bool
        let source: String
    }

    let patterns: [Pattern]

    /// Parses patterns, one per element (a file's lines or a config array).
    public init(lines: [String], fold: Bool = false) {
        patterns = lines.compactMap { PatternList.parse($0, fold: fold) }
    }

    /// Parses a file's text, one pattern per line.
    public init(text: String, fold: Bool = false) {
        self.init(lines: text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init), fold: fold)
    }

    public var isEmpty: Bool { patterns.isEmpty }

    static func parse(_ raw: String, fold: Bool) -> Pattern? {
        var line = Substring(raw)
        if line.hasSuffix("\r") { line.removeLast() }
        // Trailing spaces are dropped unless escaped with a backslash.
        while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        let source = String(line)
        var negated = false
        if line.hasPrefix("!") {
            negated = true
            line.removeFirst()
        } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
            line.removeFirst()
        }
        var directoryOnly = false
        while line.hasSuffix("/") {
            directoryOnly = true
            line.removeLast()
        }
        guard !line.isEmpty else { return nil }
        let anchored = line.contains("/")
        while line.hasPrefix("/") { line.removeFirst() }
        guard !line.isEmpty else { return nil }
        let text = fold ? PathFolding.fold(String(line)) : String(line)
        return Pattern(glob: Array(text.utf8), negated: negated, directoryOnly: directoryOnly, anchored: anchored, source: source)
    }

    /// The pattern that decides `path` (a file path relative to the top, `/`-separated),
    /// or `nil` when no pattern matches it or a directory above it.
    public func match(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        var start = 0
        // Each directory above the file first: a matched directory matches everything in it.
        while let slash = bytes[start...].firstIndex(of: UInt8(ascii: "/")) {
            if let decided = decide(bytes[..<slash], isDirectory: true), !decided.negated { return decided.source }
            start = slash + 1
        }
        guard let decided = decide(bytes[...], isDirectory: false), !decided.negated else { return nil }
        return decided.source
    }

    /// Whether ``match(_:)`` finds a pattern for `path`.
    public func matches(_ path: String) -> Bool { match(path) != nil }

    private func decide(_ path: ArraySlice<UInt8>, isDirectory: Bool) -> Pattern? {
        let name: ArraySlice<UInt8>
        if let slash = path.lastIndex(of: UInt8(ascii: "/")) { name = path[(slash + 1)...] } else { name = path }
        for pattern in patterns.reversed() {
            if pattern.directoryOnly && !isDirectory { continue }
            let subject = pattern.anchored ? Array(path) : Array(name)
            if Wildmatch.matches(pattern.glob, subject) { return pattern }
        }
        return nil
    }
}
