import Foundation
import MinicTestSupport
import XCTest

/// `init --from`, `home pull|status` and `worker` against hostile origins, through the binary.
final class HomeAttackCLITests: XCTestCase {
    var hole: BlackHole?

    override func tearDown() {
        hole?.stop()
        hole = nil
        super.tearDown()
    }

    func blackHole() throws -> BlackHole {
        guard let hole = BlackHole() else { throw XCTSkip("python3 cannot listen on loopback") }
        self.hole = hole
        return hole
    }

    func lines(_ text: String) -> Int { text.split(separator: "\n").count }

    // A: an origin that accepts and never answers makes no command hang.
    func testABlackHoleOriginMakesNoCommandHang() throws {
        let hole = try blackHole()
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        XCTAssertEqual(clone.git("remote", "set-url", "origin", hole.url).status, 0)
        XCTAssertEqual(clone.minic("submit", "--type", "explain", "x").status, 0)

        // The worker's first pull is in the background: it claims meanwhile, and drains.
        var started = Date()
        let drained = clone.minic("worker", "--drain", "--grace", "1", "--json")
        XCTAssertEqual(drained.status, 0, drained.stderr)
        XCTAssertTrue(drained.stdout.contains("\"succeeded\" : 1"), drained.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)

        // SIGTERM ends a worker within its grace while its pull is stuck.
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        worker.arguments = ["worker", "--grace", "1", "--pull-every", "1", "--home", clone.path]
        worker.environment = Shell.testEnvironment
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        usleep(1_500_000)
        started = Date()
        worker.terminate()
        let deadline = Date().addingTimeInterval(10)
        while worker.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(worker.isRunning, "SIGTERM was ignored")
        if worker.isRunning { kill(worker.processIdentifier, SIGKILL) }
        worker.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(worker.terminationStatus, 0)

        // home pull / status: one line, exit 2, at the deadline.
        for arguments in [["home", "pull", "--timeout", "1"], ["home", "status", "--timeout", "1"], ["home", "status", "--json", "--timeout", "1"]] {
            started = Date()
            let result = Shell.run(Shell.minicBinary, arguments + ["--home", clone.path], environment: Shell.testEnvironment)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(lines(result.stderr), 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("did not answer within 1 s"), result.stderr)
            XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        }

        // init --from: exit 2, nothing left behind, its staging directory included.
        let scratch = TemporaryDirectory("black-hole-init")
        started = Date()
        let made = Shell.run(Shell.minicBinary, ["init", "--from", hole.url, scratch.path + "/new/home", "--timeout", "1"], environment: Shell.testEnvironment)
        XCTAssertEqual(made.status, 2, made.stderr)
        XCTAssertEqual(lines(made.stderr), 1, made.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "left behind")
    }

    // D: an origin whose tree holds `state` (a symlink, or a directory) is not a usable home: exit 2, nothing left.
    func testAnOriginWhoseTreeHoldsStateIsRefusedAndLeavesNothing() throws {
        let origin = TestHome()
        let scratch = TemporaryDirectory("state-in-tree")
        for (name, make) in [("link", "ln -s /tmp state"), ("dir", "mkdir state && echo queued > state/queue.sqlite3")] {
            let hostile = scratch.path + "/hostile-" + name
            XCTAssertEqual(Shell.run("git", ["clone", "-q", origin.path, hostile], environment: Shell.testEnvironment).status, 0)
            XCTAssertEqual(Shell.run("sh", ["-c", make], in: hostile).status, 0)
            Shell.git(hostile, "add", "-f", "state")
            XCTAssertEqual(Shell.git(hostile, "commit", "-qm", "state of its own").status, 0)
            let target = scratch.path + "/clone"
            let result = Shell.run(Shell.minicBinary, ["init", "--from", hostile, target], environment: Shell.testEnvironment)
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            XCTAssertEqual(lines(result.stderr), 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("not a minic home"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: target), "\(name): the home was left in place")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), ["hostile-dir", "hostile-link"])
    }

    // E: no spelling of an origin URL shows its password: stderr, stdout (--json) or the activity log.
    func testNoSpellingOfTheOriginURLShowsThePassword() throws {
        let password = "hunter2-Xq9"
        let encoded = "hunter2%2DXq9"
        let spellings = [
            "bob:\(password)@127.0.0.1:x", "ssh://bob:\(password)@127.0.0.1:9/origin", "git://bob:\(password)@127.0.0.1:9/origin",
            "http://bob:\(password)@127.0.0.1:9/origin", "https://bob:\(password)@127.0.0.1:9/origin", "file://bob:\(password)@localhost/nowhere",
            "https://bob:\(encoded)@127.0.0.1:9/origin", "bob:\(encoded)@127.0.0.1:x",
        ]
        let scratch = TemporaryDirectory("url-spellings")
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        for url in spellings {
            let made = Shell.run(Shell.minicBinary, ["init", "--from", url, scratch.path + "/clone", "--timeout", "5", "--json"], environment: Shell.testEnvironment)
            XCTAssertNotEqual(made.status, 0, url)
            XCTAssertFalse((made.stdout + made.stderr).contains(password), "\(url): \(made.stderr)")
            XCTAssertFalse((made.stdout + made.stderr).contains(encoded), "\(url): \(made.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/clone"))

            XCTAssertEqual(clone.git("remote", "set-url", "origin", url).status, 0)
            for arguments in [["home", "status", "--json", "--timeout", "5"], ["home", "pull", "--json", "--timeout", "5"], ["home", "status", "--no-fetch", "--json"], ["home", "status", "--no-fetch"]] {
                let result = Shell.run(Shell.minicBinary, arguments + ["--home", clone.path], environment: Shell.testEnvironment)
                XCTAssertFalse((result.stdout + result.stderr).contains(password), "\(url) \(arguments): \(result.stdout) \(result.stderr)")
                XCTAssertFalse((result.stdout + result.stderr).contains(encoded), "\(url) \(arguments): \(result.stdout) \(result.stderr)")
            }
            let shown = clone.minic("home", "status", "--no-fetch", "--json")
            XCTAssertTrue(shown.stdout.contains("bob:***@"), shown.stdout)
        }
        XCTAssertFalse(clone.activityLog.contains(password))
        XCTAssertFalse(clone.activityLog.contains(encoded))
    }
}
