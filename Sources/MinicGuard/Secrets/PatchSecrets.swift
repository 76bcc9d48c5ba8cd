/// A secret found on a line a patch adds.
public struct AddedSecret: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// The line in the new file.
    public let line: Int
    public let finding: SecretFinding

    public var description: String { "\(path):\(line): \(finding.ruleID) (\(finding.redacted))" }
}

extension SecretScanner {
    /// The secrets on the lines a unified diff adds (`+` lines), with their path and
    /// line in the new file. Lines a patch keeps or removes are not the patch's doing.
    public func secretsAdded(byPatch patch: String) -> [AddedSecret] {
        var found: [AddedSecret] = []
        var path = ""
        var newLine = 0
        var added: [(line: Int, text: String)] = []
        func flush() {
            guard !added.isEmpty else { return }
            // Scanned as one text, so a secret split over added lines is still seen.
            let text = added.map(\.text).joined(separator: "\n")
            for finding in scan(text) {
                let line = finding.line - 1 < added.count ? added[finding.line - 1].line : added[added.count - 1].line
                found.append(AddedSecret(path: path, line: line, finding: finding))
            }
            added.removeAll()
        }
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("+++ ") {
                flush()
                path = String(raw.dropFirst(4))
                if path.hasPrefix("b/") { path.removeFirst(2) }
            } else if raw.hasPrefix("@@") {
                flush()
                // @@ -a,b +c,d @@: the new file's lines start at c.
                if let plus = raw.split(separator: " ").first(where: { $0.hasPrefix("+") }) {
                    newLine = Int(plus.dropFirst().split(separator: ",").first ?? "") ?? 1
                }
            } else if raw.hasPrefix("+") {
                added.append((newLine, String(raw.dropFirst())))
                newLine += 1
            } else if raw.hasPrefix(" ") {
                newLine += 1
            } else if raw.hasPrefix("diff --git") {
                flush()
            }
        }
        flush()
        return found
    }
}
