/// A secret found on a line a patch adds.
public struct AddedSecret: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// The line in the new file.
    public let line: Int
    public let finding: SecretFinding

    public var description: String { "\(path):\(line): \(finding.ruleID) (\(finding.redacted))" }
}

/// The lines a unified diff adds, by path in the new tree, with their line numbers in the new file.
public enum PatchAdditions {
    public static func parse(_ patch: String) -> [(path: String, lines: [(line: Int, text: String)])] {
        var files: [(path: String, lines: [(line: Int, text: String)])] = []
        var newLine = 0
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("+++ ") {
                var path = String(raw.dropFirst(4))
                if path.hasPrefix("b/") { path.removeFirst(2) }
                files.append((path, []))
            } else if raw.hasPrefix("@@") {
                // @@ -a,b +c,d @@: the new file's lines start at c.
                if let plus = raw.split(separator: " ").first(where: { $0.hasPrefix("+") }) {
                    newLine = Int(plus.dropFirst().split(separator: ",").first ?? "") ?? 1
                }
            } else if raw.hasPrefix("+"), !files.isEmpty {
                files[files.count - 1].lines.append((newLine, String(raw.dropFirst())))
                newLine += 1
            } else if raw.hasPrefix(" ") {
                newLine += 1
            }
        }
        return files.filter { !$0.lines.isEmpty && $0.path != "/dev/null" }
    }
}

extension SecretScanner {
    /// The secrets on the lines a unified diff adds (`+` lines), with their path and
    /// line in the new file. Lines a patch keeps or removes are not the patch's doing.
    public func secretsAdded(byPatch patch: String) -> [AddedSecret] {
        var found: [AddedSecret] = []
        for file in PatchAdditions.parse(patch) {
            // Scanned as one text, so a secret split over added lines is still seen.
            let text = file.lines.map(\.text).joined(separator: "\n")
            for finding in scan(text) {
                let line = file.lines[min(finding.line, file.lines.count) - 1].line
                found.append(AddedSecret(path: file.path, line: line, finding: finding))
            }
        }
        return found
    }
}
