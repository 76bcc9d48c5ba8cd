import Foundation
import MinicTestSupport
import XCTest

/// An origin home served by `git daemon` over `git://` on a loopback port: clone, pull and push through it.
final class GitDaemonTests: XCTestCase {
    var daemon: Process?
    var served: TemporaryDirectory?

    override func tearDown() {
        if let daemon, daemon.isRunning {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        daemon = nil
        super.tearDown()
    }

    /// A free loopback port, from the kernel.
    func freePort() throws -> Int {
        let result = Shell.run("python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return try XCTUnwrap(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Starts `git daemon` serving the repository `base/name` only (receive-pack on) and waits until it answers.
    func serve(_ base: String, name: String) throws -> String {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--export-all", "--base-path=\(base)", "--enable=receive-pack", base + "/" + name,
        ]
        process.environment = Shell.testEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        daemon = process
        let url = "git://127.0.0.1:\(port)/\(name)"
        let deadline = Date().addingTimeInterval(10)
        while Shell.run("git", ["ls-remote", url], environment: Shell.testEnvironment).status != 0 {
            guard Date() < deadline else { throw XCTSkip("git daemon did not answer on port \(port)") }
            usleep(50_000)
        }
        return url
    }

    func testAnOriginOverGitProtocolIsClonedPulledAndReceivesProposals() throws {
        let origin = TestHome()
        let base = (origin.path as NSString).deletingLastPathComponent
        let url = try serve(base, name: (origin.path as NSString).lastPathComponent)
        let scratch = TemporaryDirectory("git-daemon-clone")
        let clonePath = scratch.path + "/worker"
        let made = Shell.run(Shell.minicBinary, ["init", "--from", url, clonePath], environment: Shell.testEnvironment)
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(GitChecks.revParse(clonePath, "HEAD"), origin.head())

        // Pull over git://.
        let merged = origin.mergeChange("prompt_templates/explain.mustache", appending: "over git://", title: "Over the daemon")
        let pull = Shell.run(Shell.minicBinary, ["home", "pull", "--home", clonePath], environment: Shell.testEnvironment)
        XCTAssertEqual(pull.status, 0, pull.stderr)
        XCTAssertEqual(GitChecks.revParse(clonePath, "HEAD"), merged)

        // Push a proposal over git:// (receive-pack): it lands as proposals/<id>, main untouched.
        _ = FileManager.default.createFile(
            atPath: clonePath + "/prompt_templates/analyze.mustache",
            contents: Data(((try? String(contentsOfFile: clonePath + "/prompt_templates/analyze.mustache", encoding: .utf8)) ?? "").appending("pushed\n").utf8))
        let proposed = Shell.run(Shell.minicBinary, ["update", "propose", "--title", "Pushed over git", "--home", clonePath], environment: Shell.testEnvironment)
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        XCTAssertTrue(proposed.stderr.contains("pushed to origin"), proposed.stderr)
        let id = proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(GitChecks.revParse(origin.path, "proposals/\(id)"), GitChecks.revParse(clonePath, "proposals/\(id)"))
        XCTAssertEqual(origin.head(), merged)
        GitChecks.assertFsckClean(origin.path)
    }
}
