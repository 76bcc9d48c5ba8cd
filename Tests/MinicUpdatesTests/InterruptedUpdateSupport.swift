import Foundation
import MinicTestSupport
import XCTest

/// A `minic` process started in the background, for kill tests.
final class BackgroundMinic {
    let process = Process()
    private let errorFile: String

    init(_ home: TestHome, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = arguments + ["--home", home.path]
        var env = Shell.testEnvironment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        errorFile = home.path + "/../" + "stderr-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
    }

    deinit { try? FileManager.default.removeItem(atPath: errorFile) }

    var pid: Int32 { process.processIdentifier }

    /// Waits until the process stopped itself (MINIC_TEST_PAUSE_AT) or exited; true when stopped.
    func waitUntilStopped(timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { return false }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                stat[stat.index(close, offsetBy: 2)] == "T"
            {
                return true
            }
            usleep(5_000)
        }
        return false
    }

    func kill() {
        Glibc.kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// Exit status and stderr once it ends.
    func finish() -> (status: Int32, stderr: String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "")
    }
}

extension TestHome {
    /// Journal entries as git reads them: `(from, to)` per entry, newest first.
    func journal() -> [(from: String, to: String)] {
        let log = git("log", "--format=%(trailers:key=From,valueonly,separator=)|%(trailers:key=To,valueonly,separator=)", "refs/minic/journal").stdout
        return log.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
    }

    /// Writes `count` files under `directory` with content derived from `version`.
    func writeMany(_ directory: String, count: Int, version: String) {
        let base = path + "/" + directory
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for index in 0..<count {
            _ = FileManager.default.createFile(atPath: base + "/f\(index).txt", contents: Data("\(version) line for file \(index)\n".utf8))
        }
    }
}
