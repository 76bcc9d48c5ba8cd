import Foundation

/// The result of a command run by a test.
public struct CommandResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs programs for tests: the `git` CLI as an independent checker, and the built `minic` binary.
public enum Shell {
    /// Runs `executable` (a path, or a name looked up in PATH) and waits.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil, input: Data? = nil
    ) -> CommandResult {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = environment ?? ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        do {
            try process.run()
        } catch {
            return CommandResult(status: 127, stdout: "", stderr: "\(error)")
        }
        if let input { inPipe.fileHandleForWriting.write(input) }
        try? inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Runs `git -C directory ...` and returns stdout; records a test failure message on error through the result.
    @discardableResult
    public static func git(_ directory: String, _ arguments: String..., input: Data? = nil) -> CommandResult {
        run("git", ["-C", directory] + arguments, environment: testEnvironment, input: input)
    }

    /// An environment with a fixed identity and no user or system git config.
    public static var testEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_NAME"] = "Test Person"
        env["GIT_AUTHOR_EMAIL"] = "test@example.com"
        env["GIT_COMMITTER_NAME"] = "Test Person"
        env["GIT_COMMITTER_EMAIL"] = "test@example.com"
        env["MINIC_USER"] = "Test Person <test@example.com>"
        env["HOME"] = NSTemporaryDirectory()
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env.removeValue(forKey: "MINIC_HOME")
        env.removeValue(forKey: "MINIC_CONFIG")
        env["MINIC_BIN"] = minicBinary
        return env
    }

    /// The `minic` binary built next to the test bundle.
    public static var minicBinary: String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (own as NSString).deletingLastPathComponent
        // The test runner lives in <build>/debug or inside <build>/debug/X.xctest/...
        while !directory.isEmpty && directory != "/" {
            let candidate = directory + "/minic"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return "minic"
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
