import Foundation
import MinicCore
import MinicGit
import MinicGuard

extension UpdateEngine {
    /// The guardrails on a change from tree `old` to tree `new`, with the commit
    /// messages that would carry it.
    ///
    /// Refused (naming each, secrets redacted; logged under `security`): a secret on
    /// an added line, anywhere in a binary file's new content, in a changed path's
    /// name or in a message; code whose added lines the policy blocks. Returns what
    /// the policy wants a person to see ("ask"), binary content included: a change
    /// with any of it is never auto-approved.
    /// - Parameters:
    ///   - messages: commit messages and headers (authors, extra headers), and names
    ///     such as the proposal's branch, all of which would reach main's history.
    ///   - history: further (parent tree, commit tree) pairs whose added lines are
    ///     scanned for secrets: the proposal's own commits, which become part of
    ///     main's history even where a later commit undoes them.
    @discardableResult
    func reviewChange(from old: OID, to new: OID, messages: [String], history: [(from: OID?, to: OID)] = [], what: String) throws(MinicError) -> [String] {
        let patch = try git("diffing for the guardrails") { () throws(GitError) in try repository.changedDiff(from: old, to: new, pairRenames: false).patch() }
        let changes = try git("listing changed paths") { () throws(GitError) in try repository.treeChanges(from: old, to: new) }
        let binaries = try binaryFiles(in: changes)
        let security = home.activity.logger(.security)
        let scanner = SharedSecretScanner.shared
        // Each secret as shown (redacted) and as logged (where and which rule only).
        var secrets: [(detail: String, log: String)] = []
        func scanPatch(_ text: String, binaries: [(path: String, text: String, packed: String)], in place: String) {
            secrets += scanner.secretsAdded(byPatch: text).map {
                ("\($0.description)\(place)", "\($0.path):\($0.line) rule \($0.finding.ruleID)\(place)")
            }
            for file in binaries {
                // NULs as line breaks, and NULs dropped (UTF-16 text of ASCII, one NUL per character).
                for view in [file.text, file.packed] {
                    secrets += scanner.scan(view).map {
                        ("\(file.path):\($0.line): \($0.ruleID) (\($0.redacted)) in binary content\(place)", "\(file.path) rule \($0.ruleID) in binary content\(place)")
                    }
                }
            }
        }
        scanPatch(patch, binaries: binaries, in: "")
        for pair in history {
            let (text, inside) = try git("diffing a commit for the guardrails") { () throws(GitError) in
                (
                    try repository.changedDiff(from: pair.from, to: pair.to, pairRenames: false).patch(),
                    try repository.treeChanges(from: pair.from, to: pair.to)
                )
            }
            scanPatch(text, binaries: try binaryFiles(in: inside), in: " (in a commit of the proposal)")
        }
        let names = Set(changes.filter { $0.newEntry != nil }.map(\.path)).sorted()
        for finding in scanner.scan(names.joined(separator: "\n")) {
            let name = TerminalText.neutralise(SharedSecretScanner.shared.redactingSecrets(in: names[max(0, min(names.count - 1, finding.line - 1))]).text)
            secrets.append(("\(name): \(finding.ruleID) (\(finding.redacted)) in a file name", "\(name) rule \(finding.ruleID) in a file name"))
        }
        for (number, message) in messages.enumerated() {
            secrets += scanner.scan(message).map {
                ("commit message \(number + 1), line \($0.line): \($0.ruleID) (\($0.redacted))", "commit message \(number + 1) rule \($0.ruleID)")
            }
        }
        if !secrets.isEmpty {
            for secret in secrets { security.warning("\(what) refused: adds a secret: \(secret.log)") }
            throw .refused("\(what) adds \(secrets.count) secret(s); nothing changed", details: secrets.map(\.detail))
        }

        let policy = SecurityPolicy(try home.config().security)
        var blocked: [String] = []
        var asks = binaries.map { "\($0.path): binary content (NUL bytes or not UTF-8 text): a person must review it" }
        // Whole new files are analysed (Python needs them to parse); only findings on added lines count,
        // and every line of a binary file's text counts as added.
        var sources: [(path: String, added: Set<Int>?, text: String, language: CodeLanguage)] = []
        let binaryPaths = Set(binaries.map(\.path))
        for file in PatchAdditions.parse(patch) where !binaryPaths.contains(file.path) {
            guard let bytes = try git("reading \(file.path)", { () throws(GitError) in try repository.fileData(atPath: file.path, inTree: new) }),
                let text = String(validating: bytes, as: UTF8.self), let language = CodeLanguage.detect(path: file.path, text: text.prefix(256))
            else { continue }
            sources.append((file.path, Set(file.lines.map(\.line)), text, language))
        }
        for file in binaries {
            guard let language = CodeLanguage.detect(path: file.path, text: file.text.prefix(256)) else { continue }
            sources.append((file.path, nil, file.text, language))
        }
        let results = sources.isEmpty ? [] : CodeAnalyzer().analyze(texts: sources.map { ($0.text, $0.language) })
        for (file, findings) in zip(sources, results) {
            for finding in findings where file.added?.contains(finding.line) ?? true || finding.ruleID.hasSuffix("-unanalysed") {
                let line = "\(file.path):\(finding.line): \(finding.severity.rawValue) \(finding.ruleID): \(finding.message)"
                switch policy.decide(rule: finding.ruleID, severity: finding.severity) {
                case .block: blocked.append(line)
                case .ask: asks.append(line)
                case .allow: break
                }
            }
        }
        for line in blocked { security.warning("\(what) refused: \(line)") }
        for line in asks { security.notice("\(what) needs review: \(line)") }
        guard blocked.isEmpty else { throw .refused("\(what) adds code the guardrails block; nothing changed", details: blocked) }
        return asks
    }

    /// The changed files whose new content is binary (a NUL byte anywhere, or not
    /// UTF-8), each with a text view in which NULs and other control bytes are line
    /// breaks, so that nothing after a NUL hides from the scanners.
    private func binaryFiles(in changes: [TreeChange]) throws(MinicError) -> [(path: String, text: String, packed: String)] {
        var files: [(path: String, text: String, packed: String)] = []
        for change in changes {
            guard let entry = change.newEntry, entry.mode == .blob || entry.mode == .executable else { continue }
            let bytes = try git("reading \(change.path)") { () throws(GitError) in try repository.blobData(entry.id) }
            guard bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil else { continue }
            let cleaned = bytes.map { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A ? 0x0A : $0 }
            let packed = bytes.filter { $0 != 0 }.map { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A ? 0x0A : $0 }
            files.append((change.path, String(decoding: cleaned, as: UTF8.self), String(decoding: packed, as: UTF8.self)))
        }
        return files
    }

    /// Refuses when `violations` is not empty, logging each under `update` and `security`.
    func refuseViolations(_ violations: [Violation], what: String, message: () -> String) throws(MinicError) {
        guard !violations.isEmpty else { return }
        let details = violations.map(\.description)
        updateLog.warning("\(what) refused: \(details.joined(separator: "; "))")
        let security = home.activity.logger(.security)
        for line in details { security.warning("\(what) refused: protected path: \(line)") }
        throw .refused(message(), details: details)
    }

    /// The lower-case hex of an `--expect` value: at least 12 hex digits, so that a
    /// short prefix cannot match a different commit made to collide with it.
    static func expectedPrefix(_ expect: String) throws(MinicError) -> String {
        let wanted = expect.lowercased()
        guard wanted.count >= 12, wanted.count <= 40, wanted.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
            throw .badInput("--expect must be a commit id of 12 to 40 hex digits (got \(expect.count) characters)")
        }
        return wanted
    }
}
