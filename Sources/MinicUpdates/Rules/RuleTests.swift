/// Test lines of the path rules: `# match: PATH` and `# no-match: PATH` in `protected.list` (the path must, or must
/// not, be protected) and in `updates.auto_approve` (it must, or must not, be auto-approved). They are comments to
/// every pattern reader, so older minic versions and git ignore them; minic checks them whenever the rules load.
public struct RuleTest: Sendable, Equatable {
    public enum Source: String, Sendable { case protectedList = "protected.list", autoApprove = "updates.auto_approve" }

    public let source: Source
    /// The line (1-based) in `protected.list`, or the index (1-based) in `updates.auto_approve`.
    public let line: Int
    public let path: String
    /// `true` for `# match:`, `false` for `# no-match:`.
    public let expectsMatch: Bool

    /// The test lines among `lines`, and the lines that look like test lines but are not in the form minic reads
    /// (`# MATCH:`, `# no_match:`, a tab or a full-width `＃`, leading spaces, no path): a test that silently does not
    /// run would give false assurance, so each of those fails (fail closed).
    static func parse(_ lines: [String], source: Source) -> (tests: [RuleTest], malformed: [String]) {
        var tests: [RuleTest] = []
        var malformed: [String] = []
        let name = source == .protectedList ? "line" : "entry"
        for (index, raw) in lines.enumerated() {
            var line = Substring(raw)
            while line.last == "\r" || line.last == " " { line.removeLast() }
            if line.hasPrefix("#") {
                let body = line.dropFirst().drop { $0 == " " }
                var parsed = false
                for (prefix, expects) in [("match:", true), ("no-match:", false)] where body.hasPrefix(prefix) {
                    let path = String(body.dropFirst(prefix.count).drop { $0 == " " })
                    if !path.isEmpty {
                        tests.append(RuleTest(source: source, line: index + 1, path: path, expectsMatch: expects))
                        parsed = true
                    }
                }
                if parsed { continue }
            }
            if looksLikeTest(raw) {
                malformed.append("\(source.rawValue) \(name) \(index + 1): '\(raw)' looks like a test line but is not one minic reads (write '# match: PATH' or '# no-match: PATH')")
            }
        }
        return (tests, malformed)
    }

    /// A line that, read loosely (any case, spaces, `_`, `-`, a full-width `＃`), is a `#` then `match:` or `nomatch:`
    /// (prose such as `# Matching also applies` is not).
    private static func looksLikeTest(_ raw: String) -> Bool {
        let loose = raw.lowercased().replacingOccurrences(of: "＃", with: "#").unicodeScalars
            .filter { !$0.properties.isWhitespace && $0 != "_" && $0 != "-" && $0.value != 0x200B && $0.value != 0xFEFF }
        let text = String(String.UnicodeScalarView(loose))
        return text.hasPrefix("#match:") || text.hasPrefix("#nomatch:")
    }

    /// `protected.list line 12: # match: hooks/x`.
    public var description: String { "\(source.rawValue) \(source == .protectedList ? "line" : "entry") \(line): # \(expectsMatch ? "match" : "no-match"): \(path)" }
}

extension PathRules {
    /// Each test line that the rules do not pass, with what the rules say instead.
    public func failingTests() -> [String] {
        malformedTests + tests.compactMap { test in
            let matched: Bool
            switch test.source {
            case .protectedList: matched = protectionReason(test.path) != nil
            case .autoApprove: matched = classify(test.path) == .auto
            }
            guard matched != test.expectsMatch else { return nil }
            return "\(test.description): the path is \(classify(test.path).rawValue)" + (explain(test.path).pattern.map { " (by '\($0)')" } ?? "")
        }
    }

    /// Which rule classifies `path`, and why.
    public func explain(_ path: String) -> (class: PathClass, pattern: String?, reason: String) {
        if let reason = protectionReason(path) {
            let pattern = protected.match(path) ?? protectedFolded.match(PathFolding.fold(path))
            let always = pattern.map { pattern in PathRules.alwaysProtected.contains(pattern) } ?? false
            return (.protected, pattern, reason + (always ? " (always protected, whatever protected.list says)" : " (protected.list)"))
        }
        if path == "config.json" {
            return autoApproveConfig
                ? (.auto, nil, "config.json is auto-approved by updates.auto_approve_config")
                : (.review, nil, "config.json needs review unless updates.auto_approve_config is true")
        }
        if let pattern = autoApprove.match(path) { return (.auto, pattern, "auto-approved by '\(pattern)' (updates.auto_approve)") }
        return (.review, nil, "no rule protects or auto-approves it: a person reviews it")
    }
}
