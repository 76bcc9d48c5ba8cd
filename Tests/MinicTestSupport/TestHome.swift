import Foundation

/// A minic home made by `minic init` in a temporary directory, for tests.
public final class TestHome {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }

    public init() {
        directory = TemporaryDirectory("minic-home")
        let result = Shell.run(Shell.minicBinary, ["init", directory.path], environment: Shell.testEnvironment)
        precondition(result.status == 0, "minic init failed: \(result.stderr)")
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
}
