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
            action is block, 0 otherwise. Directories are walked (.git skipped); binary files are scanned for secrets too. \
            What cannot be checked is reported with decision ask, never skipped in silence: files that cannot be read \
            (permissions, FIFOs and other special files, directories that cannot be listed; kind unreadable), symlinks met \
            in a walk (not followed; kind symlink), files over 10 MB (kind too-large), and text the secret scanner could \
            not finish (rule secret-unscanned). File names that are not UTF-8 are read all the same; names are shown with \
            control characters, bytes that are not UTF-8 and backslashes escaped (\\n, \\xFF, \\\\). A config.json (or MINIC_CONFIG \
            file) that does not load is an error (exit 2).
            """)

    @Argument(help: "Files or directories.") var paths: [String]
    @Option(help: ArgumentHelp("Run only one kind of check: secrets or code.", valueName: "kind")) var only: String?
    @Option(help: ArgumentHelp("Processes for Python analysis (default: one per core).", valueName: "n")) var jobs: Int?

    func validate() throws {
        if let only, !["secrets", "code"].contains(only) { throw ValidationError("--only \(only): expected secrets or code") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let config = try homeOptions.guardrailConfig().config.security
        var scanner = PathScanner(
            policy: SecurityPolicy(config), analyzer: CodeAnalyzer(python: PythonAnalyzer(workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)))
        scanner.secrets = only != "code"
        scanner.code = only != "secrets"
        // By their raw bytes: a name that is not UTF-8 is still a file to read.
        let findings = try scanner.scan(paths: RawArguments.bytes(of: paths).map { ScanPath(bytes: $0) })
        if output.json {
            try Output.json(findings)
        } else {
            for finding in findings {
                let detail = finding.redacted.map { " (\(Output.safe($0)))" } ?? ""
                print(
                    "\(Output.safe(finding.file)):\(finding.line): \(finding.severity.rawValue) \(finding.ruleID): \(Output.safe(finding.description))\(detail) [\(finding.decision.rawValue)]"
                )
            }
        }
        if findings.contains(where: { $0.decision == .block }) { throw ExitCode(1) }
    }
}
