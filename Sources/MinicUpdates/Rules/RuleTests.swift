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

    /// The test lines among `lines`.
    static func parse(_ lines: [String], source: Source) -> [RuleTest] {
        lines.enumerated().compactMap { index, raw in
            var line = Substring(raw)
            while line.last == "\r" || line.last == " " { line.removeLast() }
            guard line.hasPrefix("#") else { return nil }
            let body = line.dropFirst().drop { $0 == " " }
            for (prefix, expects) in [("match:", true), ("no-match:", false)] where body.hasPrefix(prefix) {
                let path = String(body.dropFirst(prefix.count).drop { $0 == " " })
                return path.isEmpty ? nil : RuleTest(source: source, line: index + 1, path: path, expectsMatch: expects)
            }
            return nil
        }
    }

    /// `protected.list line 12: # match: hooks/x`.
    public var description: String { "\(source.rawValue) \(source == .protectedList ? "line" : "entry") \(line): # \(expectsMatch ? "match" : "no-match"): \(path)" }
}

extension PathRules {
    /// Each test line that the rules do not pass, with what the rules say instead.
    public func failingTests() -> [String] {
        tests.compactMap { test in
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
