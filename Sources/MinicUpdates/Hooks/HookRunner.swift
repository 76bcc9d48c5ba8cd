import Foundation
import MinicCore
import MinicGit

/// The outcome of one hook run.
public struct HookOutcome: Sendable {
    public let name: String
    public let status: Int32
    public let output: String
    public let timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs `hooks/<name>` as committed in a given tree, never the work-tree copy,
/// so a hook takes effect only once it is approved.
///
/// The hook's blob is written to a private temporary file and run with the home
/// as working directory, its arguments, and `MINIC_BIN`, `MINIC_HOME` and the
/// given extra variables in its environment, under the configured timeout.
struct HookRunner {
    let home: Home
    let timeout: Double

    /// Runs the hook if the tree has it as an executable file; `nil` when it has none.
    func run(_ name: String, tree: OID, arguments: [String], extraEnvironment: [String: String] = [:]) throws(MinicError) -> HookOutcome? {
        let path = "hooks/" + name
        let entry = try git("reading \(path)") { () throws(GitError) in try home.repository.tree(tree).entry(atPath: path) }
        guard let entry, entry.mode == .executable else { return nil }
        let script = try git("reading \(path)") { () throws(GitError) in try home.repository.blobData(entry.id) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minic-hook-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .internal("cannot make a directory for \(path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/" + name
        guard FileManager.default.createFile(atPath: file, contents: Data(script), attributes: [.posixPermissions: 0o700]) else {
            throw .internal("cannot write \(path) to \(directory)")
        }
        var environment = home.environment
        environment["MINIC_HOME"] = home.path
        if environment["MINIC_BIN"]?.isEmpty ?? true { environment["MINIC_BIN"] = HookRunner.executablePath }
        environment["MINIC_HOOK"] = name
        for (key, value) in extraEnvironment { environment[key] = value }
        let result = try ProcessRunner.run(executable: file, arguments: arguments, environment: environment, directory: home.path, timeout: timeout)
        return HookOutcome(name: name, status: result.status, output: result.outputText, timedOut: result.timedOut)
    }

    /// The `minic` binary hooks call back into: this process when it is minic,
    /// else `minic` from `PATH` (a library user can set `MINIC_BIN` in the home's environment).
    static var executablePath: String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (own as NSString).lastPathComponent == "minic" ? own : "minic"
    }
}
