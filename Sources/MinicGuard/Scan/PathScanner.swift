import Foundation
import MinicCore

/// Runs the secret scanner and the code analysers over files and directories (what
/// `minic scan` does): directories are walked and `.git` is skipped. Fails closed:
/// what cannot be read (a permission error, a FIFO or other special file, a directory
/// that cannot be listed), a symlink met in a walk (not followed) and a file over
/// ``maxFileBytes`` each give a finding whose decision is at least `ask`, never
/// silence. Binary files are scanned for secrets too.
public struct PathScanner {
    public let policy: SecurityPolicy
    public let analyzer: CodeAnalyzer
    public var secrets = true
    public var code = true
    public static let maxFileBytes = 10 << 20
    /// Reads one file's bytes (tests inject failures). Gets the path as given and whether to refuse a symlink there.
    var readFile: (_ path: ScanPath, _ followSymlink: Bool) -> Result<[UInt8], FileReadError> = { path, follow in
        FileReader.read(path, followSymlink: follow, maxBytes: PathScanner.maxFileBytes)
    }

    /// Makes the secret scanner (tests force PCRE2 errors with a tiny match limit).
    var secretScanner: () -> SecretScanner = { SecretScanner() }

    public init(policy: SecurityPolicy, analyzer: CodeAnalyzer = CodeAnalyzer()) {
        self.policy = policy
        self.analyzer = analyzer
    }

    /// Every finding under `paths`, by file, then line. Relative paths are read relative to the current directory and reported as given.
    /// - Throws: ``MinicError`` (bad input) for a path that does not exist.
    public func scan(_ paths: [String]) throws(MinicError) -> [ScanFinding] {
        try scan(paths: paths.map { ScanPath($0) })
    }

    /// Every finding under `paths`, named by their raw bytes (a name need not be UTF-8), by
    /// file, then line; files are reported by ``ScanPath/display``.
    /// - Throws: ``MinicError`` (bad input) for a path that does not exist.
    public func scan(paths: [ScanPath]) throws(MinicError) -> [ScanFinding] {
        var entries: [PathWalker.Entry] = []
        for path in paths {
            var info = stat()
            guard path.withCString({ stat($0, &info) }) == 0 || path.withCString({ lstat($0, &info) }) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw .badInput("\(path.display): no such file or directory") }
                entries.append(.unreadable(path, String(cString: strerror(errno))))
                continue
            }
            // A path named on the command line is followed if it is a symlink, as grep and git do; those met in a walk are not.
            entries += (info.st_mode & S_IFMT) == S_IFDIR ? PathWalker.walk(path) : [.file(path, explicit: true)]
        }
        let scanner = secretScanner()
        let currentDirectory = FileManager.default.currentDirectoryPath
        var findings: [ScanFinding] = []
        var sources: [(path: String, text: String, language: CodeLanguage)] = []
        var shownPath: [String: String] = [:]
        for entry in entries {
            switch entry {
            case .symlink(let path, let target):
                findings.append(notice("symlink", "scan-symlink", path, "symlink to \(target) not followed; not scanned"))
            case .unreadable(let path, let why):
                findings.append(notice("unreadable", "scan-unreadable", path, "cannot be read (\(why)); not scanned"))
            case .file(let path, let explicit):
                let data: [UInt8]
                switch readFile(path, explicit) {
                case .success(let bytes): data = bytes
                case .failure(.tooLarge(let size)):
                    findings.append(notice("too-large", "scan-too-large", path, "\(size) bytes, over the \(Self.maxFileBytes) scanned; not scanned"))
                    continue
                case .failure(.symlink(let target)):
                    findings.append(notice("symlink", "scan-symlink", path, "symlink to \(target) not followed; not scanned"))
                    continue
                case .failure(let error):
                    findings.append(notice("unreadable", "scan-unreadable", path, "cannot be read (\(error)); not scanned"))
                    continue
                }
                for secret in secrets ? scanner.scan(bytes: data) : [] {
                    let unscanned = secret.ruleID == SecretScanner.unscannedRuleID
                    findings.append(
                        ScanFinding(
                            kind: "secret", file: path.display, line: secret.line, ruleID: secret.ruleID, severity: secret.severity,
                            description: secret.description,
                            redacted: unscanned ? nil : secret.redacted, decision: decide(secret.ruleID, secret.severity, floor: unscanned ? .ask : .allow)))
                }
                guard code else { continue }
                if data.contains(0) {
                    // Binary content in a file named as code: no analyser reads it, so a person must.
                    if CodeLanguage.detect(path: path.display, text: nil) != nil {
                        findings.append(notice("code", "scan-unanalysed", path, "holds NUL bytes; not analysed as code"))
                    }
                    continue
                }
                let text = String(decoding: data, as: UTF8.self)
                if let language = CodeLanguage.detect(path: path.display, text: text.prefix(256)) {
                    // The Python helper runs in its own directory: it gets absolute paths. One it cannot name (not UTF-8) is unanalysed.
                    let name = path.string ?? path.display
                    let absolute = name.hasPrefix("/") ? name : currentDirectory + "/" + name
                    shownPath[absolute] = path.display
                    sources.append((absolute, text, language))
                }
            }
        }
        for (absolute, results) in analyzer.analyze(files: sources) {
            for finding in results {
                findings.append(
                    ScanFinding(
                        kind: "code", file: shownPath[absolute] ?? absolute, line: finding.line, ruleID: finding.ruleID, severity: finding.severity,
                        description: finding.message, redacted: nil, decision: decide(finding.ruleID, finding.severity, floor: .allow)))
            }
        }
        return findings.sorted { ($0.file, $0.line, $0.ruleID) < ($1.file, $1.line, $1.ruleID) }
    }

    /// The policy's decision, never below `floor`.
    func decide(_ rule: String, _ severity: Severity, floor: Decision) -> Decision {
        max(policy.decide(rule: rule, severity: severity), floor)
    }

    /// A finding for something that was not checked: always at least `ask`.
    func notice(_ kind: String, _ rule: String, _ path: ScanPath, _ message: String) -> ScanFinding {
        ScanFinding(
            kind: kind, file: path.display, line: 0, ruleID: rule, severity: .medium, description: message, redacted: nil,
            decision: decide(rule, .medium, floor: .ask))
    }
}
