import Foundation
import MinicTestSupport
import XCTest

/// The edges of finishing interrupted updates: a live operation, two merges at once,
/// a full disk, a person's file in the way, `rollback --force`, an unreadable record.
final class InterruptedUpdateEdgeTests: XCTestCase {
    func proposeNote(_ home: TestHome, _ name: String, _ content: String = "text\n") -> String {
        home.handmadeProposal(name) { $0.write("notes/\(name).md", content) }
        return name
    }

    func testALiveOperationsRecordIsLeftToIt() throws {
        let home = TestHome()
        let id = proposeNote(home, "live")
        let merge = try BackgroundMinic(home, ["update", "merge", id, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        let reader = home.minic("update", "list")
        XCTAssertEqual(reader.status, 0, reader.stderr)
        XCTAssertFalse(reader.stderr.contains("minic: "), "a live merge is not finished by another process: \(reader.stderr)")
        XCTAssertTrue(home.directory.exists("state/update-intent.json"))
        kill(merge.pid, SIGCONT)
        let (status, stderr) = merge.finish()
        XCTAssertEqual(status, 0, stderr)
        XCTAssertFalse(home.directory.exists("state/update-intent.json"))
        XCTAssertEqual(home.journal().count, 1)
        XCTAssertEqual(GitChecks.status(home.path), "")
    }

    func testTwoMergesAtOnceOneWinsTheOtherIsRefusedWithExitOne() throws {
        let home = TestHome()
        let first = proposeNote(home, "first")
        let second = proposeNote(home, "second")
        // Deterministic: the loser has done its checks against the old head when the winner moves it.
        let loser = try BackgroundMinic(home, ["update", "merge", second, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "before-lock"])
        XCTAssertTrue(loser.waitUntilStopped())
        XCTAssertEqual(home.minic("update", "merge", first, "--yes").status, 0)
        kill(loser.pid, SIGCONT)
        let (status, stderr) = loser.finish()
        XCTAssertEqual(status, 1, stderr)
        XCTAssertTrue(stderr.contains("head moved; try again"), stderr)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/\(second)"), ["refs/heads/proposals/\(second)"])
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups/").count, 1, "the loser's backup is gone")
        // And truly at once, several times: never exit 3, every success journaled once.
        var merged = 1
        for round in 0..<3 {
            let (left, right) = (proposeNote(home, "a\(round)"), proposeNote(home, "b\(round)"))
            let a = try BackgroundMinic(home, ["update", "merge", left, "--yes"])
            let b = try BackgroundMinic(home, ["update", "merge", right, "--yes"])
            for result in [a.finish(), b.finish()] {
                XCTAssertTrue([0, 1].contains(result.status), result.stderr)
                if result.status == 0 { merged += 1 }
                if result.status == 1 { XCTAssertTrue(result.stderr.contains("try again"), result.stderr) }
            }
        }
        XCTAssertEqual(home.journal().count, merged)
        XCTAssertEqual(GitChecks.status(home.path), "")
        GitChecks.assertFsckClean(home.path)
        let backups = GitChecks.refs(home.path, "refs/minic/backups/")
        XCTAssertEqual(Set(backups).count, merged, "distinct backup names: \(backups)")
    }

    /// A full disk while the work tree is written: RLIMIT_FSIZE makes writing a file past
    /// the limit fail (EFBIG, SIGXFSZ ignored) exactly where ENOSPC would, in libgit2's
    /// checkout after the branch moved; lifting the limit is the space coming back.
    func testAFullDiskMidMergeIsFinishedOnceSpaceIsBack() throws {
        let home = TestHome()
        let big = String(repeating: "0123456789abcdef\n", count: 16_000)  // 272 kB
        home.write("notes/big.txt", big)
        let proposed = home.minic("update", "propose", "--title", "Big", "--json")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(proposed.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let before = home.head()
        let limited = Shell.run(
            "python3",
            [
                "-c",
                "import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); resource.setrlimit(resource.RLIMIT_FSIZE, (131072, 131072)); os.execv(sys.argv[1], sys.argv[1:])",
                Shell.minicBinary, "update", "merge", id, "--yes", "--home", home.path,
            ], environment: Shell.testEnvironment)
        XCTAssertEqual(limited.status, 3, limited.stderr)
        XCTAssertEqual(limited.stderr.split(separator: "\n").count, 1, limited.stderr)
        XCTAssertTrue(limited.stderr.contains("the next minic command finishes it"), limited.stderr)
        XCTAssertNotEqual(home.head(), before)
        XCTAssertTrue(home.directory.exists("state/update-intent.json"))

        let next = home.minic("update", "history")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("minic: finished the merge of \(id)"), next.stderr)
        XCTAssertEqual(home.read("notes/big.txt"), big)
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(home.journal().count, 1)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged/"), ["refs/minic/merged/\(id)"])
        GitChecks.assertFsckClean(home.path)
    }

    func testAPersonsFileAtAnInterruptedPathIsBackedUpNotClobbered() throws {
        let home = TestHome()
        let id = proposeNote(home, "mine", "from the proposal\n")
        let merge = try BackgroundMinic(home, ["update", "merge", id, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        merge.kill()
        home.write("notes/mine.md", "a person's own words\n")
        let next = home.minic("update", "list")
        XCTAssertTrue(next.stderr.contains("minic: finished the merge of \(id)"), next.stderr)
        XCTAssertEqual(home.read("notes/mine.md"), "from the proposal\n")
        let saved = GitChecks.refs(home.path, "refs/minic/backups/").filter { $0.hasSuffix("-worktree") }
        XCTAssertEqual(saved.count, 1)
        XCTAssertEqual(home.git("show", "\(saved.first ?? ""):notes/mine.md").stdout, "a person's own words\n")
        XCTAssertEqual(GitChecks.status(home.path), "")
    }

    func testRollbackForceAfterAnInterruptedMergeBacksUpNoHalfWrittenTree() throws {
        let home = TestHome()
        let before = home.head()
        home.writeMany("notes", count: 500, version: "x")
        XCTAssertEqual(home.minic("update", "propose", "--title", "Many").status, 0)
        let id = try XCTUnwrap(GitChecks.refs(home.path, "refs/heads/proposals/").first).replacingOccurrences(of: "refs/heads/proposals/", with: "")
        let merge = try BackgroundMinic(home, ["update", "merge", id, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        merge.kill()
        let rollback = home.minic("update", "rollback", before, "--force", "--yes")
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertTrue(rollback.stderr.hasPrefix("minic: finished the merge of \(id)"), rollback.stderr)
        XCTAssertEqual(home.head(), before)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups/").filter { $0.hasSuffix("-worktree") }, [])
        XCTAssertEqual(home.journal().count, 2)
        XCTAssertEqual(GitChecks.status(home.path), "")
    }

    func testAnUnreadableRecordStopsEveryCommandWithOneLine() {
        let home = TestHome()
        home.write("state/update-intent.json", "{ not json")
        for command in [["update", "list"], ["tasks", "list"], ["scan", "--help-never"]] where command[0] != "scan" {
            let result = Shell.run(Shell.minicBinary, command + ["--home", home.path], environment: Shell.testEnvironment)
            XCTAssertEqual(result.status, 3, result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("update-intent.json records an interrupted merge or rollback"), result.stderr)
        }
    }
}
