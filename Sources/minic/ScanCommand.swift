import ArgumentParser
import Foundation
import MinicCore
import MinicGuard

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan files and directories for secrets.",
        discussion: """
            Prints each finding (rule id, severity, file, line, the secret redacted). Exit 1 when a finding is at or above \
            security.block_severity (default high), 0 otherwise. Directories are walked; .git, binary files and files over \
            10 MB are skipped. (The code analysers join this command with the rest of the guardrails.)
            """)

    @Argument(help: "Files or directories.") var paths: [String]
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let threshold = Severity(rawValue: (try? Home(openAt: homeOptions.path).config().security.blockSeverity) ?? "high") ?? .high
        let scanner = SecretScanner()
        var results: [ScanFindingView] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MinicError.badInput("\(path): no such file") }
            let files = isDirectory.boolValue ? Scan.files(under: path) : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file), data.count <= 10 << 20, !data.contains(0) else { continue }
                for finding in scanner.scan(String(decoding: data, as: UTF8.self)) { results.append(ScanFindingView(file: file, finding: finding)) }
            }
        }
        if output.json {
            try Output.json(results)
        } else {
            for result in results {
                print(
                    "\(Output.safe(result.file)):\(result.line): \(result.severity) \(result.ruleID): \(result.description) (\(Output.safe(result.redacted)))")
            }
        }
        if results.contains(where: { (Severity(rawValue: $0.severity) ?? .low) >= threshold }) {
            throw ExitCode(1)
        }
    }

    static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative == ".git" || relative.hasSuffix("/.git") || relative.contains("/.git/") || relative.hasPrefix(".git/") {
                walker.skipDescendants()
                continue
            }
            let full = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(full) }
        }
        return files.sorted()
    }
}

struct ScanFindingView: Encodable {
    let file: String
    let line: Int
    let ruleID: String
    let severity: String
    let description: String
    let redacted: String

    init(file: String, finding: SecretFinding) {
        self.file = file
        line = finding.line
        ruleID = finding.ruleID
        severity = finding.severity.rawValue
        description = finding.description
        redacted = finding.redacted
    }

    enum CodingKeys: String, CodingKey {
        case file, line, severity, description, redacted
        case ruleID = "rule_id"
    }
}
