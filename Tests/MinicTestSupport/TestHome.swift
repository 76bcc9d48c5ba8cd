import Foundation
import XCTest

/// A minic home made by `minic init` in a temporary directory, for tests.
public final class TestHome {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }

    public init() {
        directory = TemporaryDirectory("minic-home")
        let result = Shell.run(Shell.minicBinary, ["init", directory.path], environment: Shell.testEnvironment)
        precondition(result.status == 0, "minic init failed: \(result.stderr)")
    }

    /// A signed home: `minic init --signing-key key` (the key becomes its admin and signs the first commit).
    public init(signingKey: String) {
        directory = TemporaryDirectory("minic-home")
        let result = Shell.run(Shell.minicBinary, ["init", directory.path, "--signing-key", signingKey], environment: Shell.testEnvironment)
        precondition(result.status == 0, "minic init --signing-key failed: \(result.stderr)")
    }

    /// A home made by `minic init --from url` (a clone of an origin home) in a temporary directory.
    public init(cloning url: String) {
        directory = TemporaryDirectory("minic-clone")
        let result = Shell.run(Shell.minicBinary, ["init", "--from", url, directory.path], environment: Shell.testEnvironment)
        precondition(result.status == 0, "minic init --from failed: \(result.stderr)")
    }

    /// Changes `file` on a proposal and merges it with the CLI, as people do at an origin.
    /// - Returns: the merge commit.
    @discardableResult
    public func mergeChange(_ file: String, appending line: String, title: String) -> String {
        mergeChange(file, title: title) { $0 + line + "\n" }
    }

    /// Changes `file` by `transform` on a proposal and merges it with the CLI.
    /// - Returns: the merge commit.
    @discardableResult
    public func mergeChange(_ file: String, title: String, _ transform: (String) -> String) -> String {
        write(file, transform(read(file) ?? ""))
        let proposed = minic("update", "propose", "--title", title, "--no-auto-merge")
        precondition(proposed.status == 0, "propose failed: \(proposed.stderr)")
        let merged = minic("update", "merge", proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--yes")
        precondition(merged.status == 0, "merge failed: \(merged.stderr)")
        return head()
    }

    /// Runs the built `minic` with `--home` set to this home.
    @discardableResult
    public func minic(_ arguments: String..., input: Data? = nil, environment: [String: String] = [:]) -> CommandResult {
        var env = Shell.testEnvironment
        for (key, value) in environment { env[key] = value }
        var args = arguments
        // --home goes after the subcommand path; find where options start.
        args.append(contentsOf: ["--home", path])
        return Shell.run(Shell.minicBinary, args, in: path, environment: env, input: input)
    }

    public func write(_ relative: String, _ content: String, executable: Bool = false) { directory.write(relative, content, executable: executable) }
    public func read(_ relative: String) -> String? { directory.read(relative) }
    @discardableResult
    public func git(_ arguments: String...) -> CommandResult { Shell.run("git", ["-C", path] + arguments, environment: Shell.testEnvironment) }
    public func head() -> String { GitChecks.revParse(path, "HEAD") ?? "" }

    /// Commits straight to main with the git CLI (a person changing rules or hooks by hand).
    @discardableResult
    public func commitOnMain(_ message: String, _ change: (TestHome) throws -> Void) rethrows -> String {
        try change(self)
        return GitChecks.commitAll(path, message)
    }

    public func shell(_ command: String) {
        let result = Shell.run("sh", ["-c", command], in: path, environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
    }

    public var activityLog: String { read("state/activity.log") ?? "" }
}
