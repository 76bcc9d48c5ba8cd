import Foundation
import MinicCore

/// Runs the secret scanner and the code analysers over files and directories (what
/// `minic scan` does): directories are walked, `.git` is skipped, and so are
/// binary files and files over ``maxFileBytes``.
public struct PathScanner {
    public let policy: SecurityPolicy
    public let analyzer: CodeAnalyzer
    public var secrets = true
    public var code = true
    public static let maxFileBytes = 10 << 20

    public init(policy: SecurityPolicy, analyzer: CodeAnalyzer = CodeAnalyzer()) {
        self.policy = policy
        self.analyzer = analyzer
    }

    /// Every finding under `paths`, by file, then line.
    /// - Throws: ``MinicError`` (bad input) for a path that does not exist.
    public func scan(_ paths: [String]) throws(MinicError) -> [ScanFinding] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .badInput("\(path): no such file or directory") }
            files += isDirectory.boolValue ? Self.files(under: path) : [path]
        }
        let scanner = SecretScanner()
        var findings: [ScanFinding] = []
        var sources: [(path: String, text: String, language: CodeLanguage)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), data.count <= Self.maxFileBytes, !data.contains(0) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for secret in secrets ? scanner.scan(text) : [] {
                findings.append(
                    ScanFinding(
                        kind: "secret", file: file, line: secret.line, ruleID: secret.ruleID, severity: secret.severity, description: secret.description,
                        redacted: secret.redacted, decision: policy.decide(rule: secret.ruleID, severity: secret.severity)))
            }
            if code, let language = CodeLanguage.detect(path: file, text: text.prefix(256)) { sources.append((file, text, language)) }
        }
        for (file, results) in analyzer.analyze(files: sources) {
            for finding in results {
                findings.append(
                    ScanFinding(
                        kind: "code", file: file, line: finding.line, ruleID: finding.ruleID, severity: finding.severity, description: finding.message,
                        redacted: nil, decision: policy.decide(rule: finding.ruleID, severity: finding.severity)))
            }
        }
        return findings.sorted { ($0.file, $0.line, $0.ruleID) < ($1.file, $1.line, $1.ruleID) }
    }

    static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative == ".git" || relative.hasSuffix("/.git") {
                walker.skipDescendants()
                continue
            }
            if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular { files.append(directory + "/" + relative) }
        }
        return files.sorted()
    }
}
