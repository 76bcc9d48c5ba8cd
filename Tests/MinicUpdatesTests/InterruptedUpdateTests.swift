import Foundation
import MinicTestSupport
import XCTest

/// A merge or rollback killed at any moment (SIGKILL) is finished, or dropped, by the
/// next minic command, on a home with thousands of files: afterwards `git fsck` is
/// clean, `git status` is clean, the journal has one entry per head move, and nothing
/// is reverted (a proposal from the work tree finds no change).
final class InterruptedUpdateTests: XCTestCase {
    static let files = 1200

    /// A home with `files` files under notes/ and hooks that record each run in state/hooks.log.
    func makeHome(files: Int = files) -> TestHome {
        let home = TestHome()
        home.commitOnMain("many files and recording hooks") {
            $0.writeMany("notes", count: files, version: "v0")
            for hook in ["post-merge", "post-rollback"] {
                $0.write("hooks/\(hook)", "#!/bin/sh\necho \"\(hook) $*\" >> \"$MINIC_HOME/state/hooks.log\"\n", executable: true)
            }
        }
        return home
    }

    /// A proposal branch rewriting every file under notes/, made with the git CLI (fast), and its id.
    func proposeVersion(_ home: TestHome, _ version: String, files: Int = files) -> String {
        home.handmadeProposal(version) { $0.writeMany("notes", count: files, version: version) }
        return version
    }

    /// Starts `arguments` and SIGKILLs it a random moment after it wrote its intent record
    /// (its checks done, about to move main), within `window` seconds.
    func killAtRandom(_ home: TestHome, _ arguments: [String], window: TimeInterval) throws {
        let process = try BackgroundMinic(home, arguments)
        let deadline = Date().addingTimeInterval(30)
        while process.process.isRunning && !home.directory.exists("state/update-intent.json") && Date() < deadline { usleep(1_000) }
        usleep(UInt32(Double.random(in: 0...window) * 1_000_000))
        process.kill()
    }

    /// The checks after the command that follows a kill.
    func assertSettled(_ home: TestHome, events: Int, file: StaticString = #filePath, line: UInt = #line) {
        GitChecks.assertFsckClean(home.path, file: file, line: line)
        XCTAssertEqual(GitChecks.status(home.path), "", "git status after the next command", file: file, line: line)
        let journal = home.journal()
        XCTAssertEqual(journal.count, events, "one journal entry per head move", file: file, line: line)
        XCTAssertEqual(journal.first?.to, home.head(), "the newest entry names the head", file: file, line: line)
        XCTAssertFalse(home.directory.exists("state/update-intent.json"), file: file, line: line)
        let propose = home.minic("update", "propose", "--title", "anything left?")
        XCTAssertEqual(propose.status, 1, file: file, line: line)
        XCTAssertTrue(propose.stderr.contains("empty change"), "nothing to revert: \(propose.stderr)", file: file, line: line)
    }

    /// Runs the next command and checks it printed at most one line, saying what it did.
    @discardableResult
    func nextCommand(_ home: TestHome, file: StaticString = #filePath, line: UInt = #line) -> String {
        let next = home.minic("update", "list")
        XCTAssertEqual(next.status, 0, next.stderr, file: file, line: line)
        let lines = next.stderr.split(separator: "\n").filter { $0.hasPrefix("minic:") }
        XCTAssertLessThanOrEqual(lines.count, 1, next.stderr, file: file, line: line)
        if let first = lines.first { XCTAssertTrue(first.hasPrefix("minic: finished the") || first.hasPrefix("minic: dropped the"), String(first), file: file, line: line) }
        return next.stderr
    }

    func testMergesAndRollbacksKilledAtRandomMomentsAreFinishedByTheNextCommand() throws {
        let home = makeHome()
        var events = 0
        // A first merge, not killed, to learn how long the part after the record takes here.
        let first = proposeVersion(home, "v1")
        let merge = try BackgroundMinic(home, ["update", "merge", first, "--yes"])
        while merge.process.isRunning && !home.directory.exists("state/update-intent.json") { usleep(1_000) }
        let started = Date()
        XCTAssertEqual(merge.finish().status, 0)
        let window = max(0.05, Date().timeIntervalSince(started) * 1.2)
        events += 1
        for round in 2...3 {
            let before = home.head()
            let contentBefore = home.read("notes/f0.txt")
            let id = proposeVersion(home, "v\(round)")
            try killAtRandom(home, ["update", "merge", id, "--yes"], window: window)
            let said = nextCommand(home)
            if home.head() != before {
                events += 1
                XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged/\(id)"), ["refs/minic/merged/\(id)"])
                XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/\(id)"), [])
                XCTAssertTrue(home.read("state/hooks.log")?.contains("post-merge \(id) \(home.head())") ?? false, "post-merge ran (\(said))")
                XCTAssertEqual(home.read("notes/f\(Self.files - 1).txt"), "v\(round) line for file \(Self.files - 1)\n")
            } else {
                XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/\(id)"), ["refs/heads/proposals/\(id)"], said)
                XCTAssertEqual(home.minic("update", "merge", id, "--yes").status, 0)
                events += 1
            }
            assertSettled(home, events: events)

            let merged = home.head()
            try killAtRandom(home, ["update", "rollback", before, "--yes"], window: window)
            nextCommand(home)
            if home.head() != merged {
                XCTAssertEqual(home.head(), before)
                events += 1
                XCTAssertEqual(home.read("notes/f0.txt"), contentBefore)
            }
            assertSettled(home, events: events)
            XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups/").filter { $0.hasSuffix("-worktree") }, [], "no work-tree backup")
        }
    }

    func testKillsAtEachStepOfMergeAndRollback() throws {
        // Paused at each step, not killed at random: a few hundred files show a half-done checkout as well as thousands.
        let files = 300
        let home = makeHome(files: files)
        var events = 0
        for (round, point) in ["after-intent", "after-ref", "after-checkout", "before-hook"].enumerated() {
            let before = home.head()
            let id = proposeVersion(home, "m\(round)", files: files)
            let merge = try BackgroundMinic(home, ["update", "merge", id, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": point])
            XCTAssertTrue(merge.waitUntilStopped(), "merge never reached \(point)")
            XCTAssertTrue(home.directory.exists("state/update-intent.json"))
            merge.kill()
            let said = nextCommand(home)
            if point == "after-intent" {
                XCTAssertTrue(said.contains("minic: dropped the merge of \(id) interrupted at "), said)
                XCTAssertEqual(home.head(), before)
                XCTAssertEqual(home.minic("update", "merge", id, "--yes").status, 0)
            } else {
                XCTAssertTrue(said.contains("minic: finished the merge of \(id) interrupted at "), said)
                XCTAssertTrue(home.activityLog.contains("finished the merge of \(id)"))
            }
            events += 1
            assertSettled(home, events: events)
            XCTAssertEqual(home.read("notes/f7.txt"), "m\(round) line for file 7\n")
            XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/"), [])

            let merged = home.head()
            let rollback = try BackgroundMinic(home, ["update", "rollback", before, "--yes"], environment: ["MINIC_TEST_PAUSE_AT": point])
            XCTAssertTrue(rollback.waitUntilStopped(), "rollback never reached \(point)")
            rollback.kill()
            let undone = nextCommand(home)
            if point == "after-intent" {
                XCTAssertTrue(undone.contains("minic: dropped the rollback to \(before.prefix(7))"), undone)
                XCTAssertEqual(home.head(), merged)
            } else {
                XCTAssertTrue(undone.contains("minic: finished the rollback to \(before.prefix(7))"), undone)
                XCTAssertEqual(home.head(), before)
                XCTAssertTrue(home.read("state/hooks.log")?.contains("post-rollback \(merged) \(before)") ?? false)
                events += 1
            }
            assertSettled(home, events: events)
        }
        // A backup made for a move that never happened is dropped with its record.
        let backups = GitChecks.refs(home.path, "refs/minic/backups/")
        XCTAssertEqual(backups.count, events, "one backup per head move: \(backups)")
    }
}
