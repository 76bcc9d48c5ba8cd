import ArgumentParser
import Foundation
import MinicCore
import MinicGuard

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan files and directories for secrets and dangerous operations.",
        discussion: """
            Runs the secret scanner on every file and the code analysers (Python, shell, Swift: language from the extension \
            or the shebang) on code, and prints each finding: file, line, severity, rule id, message (secrets redacted), and \
            the policy's decision. Exit 1 when a finding is at or above security.block_severity (default high) or a rule's \
            action is block, 0 otherwise. Directories are walked; .git, binary files and files over 10 MB are skipped.
            """)

    @Argument(help: "Files or directories.") var paths: [String]
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let config = (try? Home(openAt: homeOptions.path).config().security) ?? SecurityConfig()
        let findings = try PathScanner(policy: SecurityPolicy(config)).scan(paths)
        if output.json {
            try Output.json(findings)
        } else {
            for finding in findings {
                let detail = finding.redacted.map { " (\(Output.safe($0)))" } ?? ""
                print("\(Output.safe(finding.file)):\(finding.line): \(finding.severity.rawValue) \(finding.ruleID): \(Output.safe(finding.description))\(detail) [\(finding.decision.rawValue)]")
            }
        }
        if findings.contains(where: { $0.decision == .block }) { throw ExitCode(1) }
    }
}
