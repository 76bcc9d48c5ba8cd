import Foundation
import MinicTestSupport
import XCTest

/// An intent record planted or edited in `state/` makes minic do nothing a person did not:
/// it cannot delete other references, mark a pending proposal merged, add journal heads
/// that widen the rollback targets, or name paths outside the home.
final class ForgedIntentTests: XCTestCase {
    func plant(_ home: TestHome, _ fields: [String: Any]) throws {
        var record: [String: Any] = [
            "operation": "merge", "branch": "refs/heads/main", "backup": "refs/minic/backups/20260101T000000.000000Z-0000000",
            "actor": "Mallory <m@example.com>", "uncommitted": [String](), "remaining": ["journal"], "pid": 1, "started": "2026-01-01T00:00:00Z",
        ]
        for (key, value) in fields { record[key] = value }
        let data = try JSONSerialization.data(withJSONObject: record)
        home.write("state/update-intent.json", String(decoding: data, as: UTF8.self))
    }

    func assertRefused(_ home: TestHome, file: StaticString = #filePath, line: UInt = #line) {
        let result = home.minic("update", "list")
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("does not match the home's history"), result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
    }

    func testARecordNamingAnotherReferenceAsItsBackupDeletesNothing() throws {
        let home = TestHome()
        let head = home.head()
        for backup in ["refs/heads/main", "refs/minic/journal", "refs/minic/backups/../../heads/main", "refs/minic/backups/x\u{1b}[2J"] {
            try plant(home, ["old_head": head, "new_head": String(repeating: "1", count: 40), "backup": backup])
            assertRefused(home)
        }
        XCTAssertEqual(home.head(), head)
        GitChecks.assertFsckClean(home.path)
    }

    func testADroppedRecordDeletesOnlyABackupOfItsOldHead() throws {
        let home = TestHome()
        let head = home.head()
        let other = home.commitOnMain("second") { $0.write("notes/a.md", "a\n") }
        let kept = "refs/minic/backups/20260101T000000.000000Z-keepme"
        XCTAssertEqual(home.git("update-ref", kept, head).status, 0)
        // The branch is at `other`, the record's old head: the record is dropped, and its
        // "backup" points at another commit, so it stays.
        try plant(home, ["old_head": other, "new_head": head, "backup": kept])
        let result = home.minic("update", "list")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("dropped"), result.stderr)
        XCTAssertEqual(GitChecks.revParse(home.path, kept), head)
    }

    func testAMergeRecordForAPlainCommitMarksNoProposalMerged() throws {
        let home = TestHome()
        let proposalHead = home.handmadeProposal("pending") { $0.write("notes/p.md", "p\n") }
        let old = home.head()
        let new = home.commitOnMain("a person's commit") { $0.write("notes/b.md", "b\n") }
        let journal = home.journal().count
        try plant(home, ["old_head": old, "new_head": new, "proposal_id": "pending", "proposal_head": proposalHead, "rule": "review"])
        assertRefused(home)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/"), ["refs/heads/proposals/pending"])
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged/"), [])
        XCTAssertEqual(home.journal().count, journal)
    }

    func testARollbackRecordCannotAddAHeadThatWasNeverInForce() throws {
        let home = TestHome()
        let head = home.head()
        // A commit on top of main that main never pointed at.
        let planted = home.handmadeProposal("planted") { $0.write("hooks/pre-merge", "#!/bin/sh\nexit 0\n", executable: true) }
        let journal = home.journal().count
        try plant(home, ["operation": "rollback", "old_head": planted, "new_head": head])
        assertRefused(home)
        XCTAssertEqual(home.journal().count, journal)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.path + "/state/update-intent.json"))
        try FileManager.default.removeItem(atPath: home.path + "/state/update-intent.json")
        let rollback = home.minic("update", "rollback", planted, "--yes")
        XCTAssertEqual(rollback.status, 1, rollback.stderr)
        XCTAssertEqual(home.head(), head)
    }

    func testUncommittedPathsOutsideTheHomeOrWithoutTheirBackupAreRefused() throws {
        let home = TestHome()
        let head = home.head()
        let base = try XCTUnwrap(GitChecks.revParse(home.path, "HEAD~0"))
        for paths in [["../outside"], [".git/config"], ["/etc/passwd"], ["a/./b"]] {
            try plant(home, ["operation": "rollback", "old_head": base, "new_head": String(repeating: "2", count: 40), "uncommitted": paths])
            assertRefused(home)
        }
        XCTAssertEqual(home.head(), head)
    }

    /// A record captured from a finished `rollback --force` and put back later, after the person
    /// kept working: the journal already holds the move, so nothing is checked out again.
    func testAReplayedRollbackRecordLeavesLaterWorkAlone() throws {
        let home = TestHome()
        let first = home.head()
        home.commitOnMain("second") { $0.write("notes/a.md", "a\n") }
        home.write("notes/a.md", "uncommitted before the rollback\n")
        let rollback = try BackgroundMinic(home, ["update", "rollback", first, "--force", "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "before-hook"])
        XCTAssertTrue(rollback.waitUntilStopped())
        let record = try XCTUnwrap(home.read("state/update-intent.json"))
        kill(rollback.pid, SIGCONT)
        XCTAssertEqual(rollback.finish().status, 0)
        let journal = home.journal().count
        // At the very path the rollback saved and removed.
        home.write("notes/a.md", "a person's later work\n")
        home.write("state/update-intent.json", record)
        let next = home.minic("update", "history")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertEqual(home.read("notes/a.md"), "a person's later work\n")
        XCTAssertEqual(home.journal().count, journal)
        GitChecks.assertFsckClean(home.path)
    }

    /// A merge record replayed with another approver and rule adds no entry and logs no such merge.
    func testAReplayedMergeRecordWithAForgedApproverChangesNoHistory() throws {
        let home = TestHome()
        home.handmadeProposal("dbg") { $0.write("notes/d.md", "d\n") }
        let merge = try BackgroundMinic(home, ["update", "merge", "dbg", "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "before-hook"])
        XCTAssertTrue(merge.waitUntilStopped())
        var record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((home.read("state/update-intent.json") ?? "").utf8)) as? [String: Any])
        kill(merge.pid, SIGCONT)
        XCTAssertEqual(merge.finish().status, 0)
        let journal = home.journal().count
        record["actor"] = "Mallory <boss@example.com>"
        record["rule"] = "auto"
        let tip = GitChecks.revParse(home.path, "refs/minic/journal")
        record["journal_tip"] = tip
        try plant(home, record)
        let next = home.minic("update", "history")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertEqual(home.journal().count, journal)
        XCTAssertFalse(next.stdout.contains("Mallory"), next.stdout)
        XCTAssertFalse(home.activityLog.contains("Mallory"), home.activityLog)
    }

    /// Dropping a record (main still at its old head) keeps a backup the journal names.
    func testADroppedRecordKeepsABackupTheJournalNames() throws {
        let home = TestHome()
        let base = home.head()
        home.handmadeProposal("keep") { $0.write("notes/k.md", "k\n") }
        XCTAssertEqual(home.minic("update", "merge", "keep", "--yes").status, 0)
        let backups = GitChecks.refs(home.path, "refs/minic/backups/")
        XCTAssertEqual(backups.count, 1)
        XCTAssertEqual(home.minic("update", "rollback", base, "--yes").status, 0)
        let named = try XCTUnwrap(backups.first)
        try plant(home, ["operation": "rollback", "old_head": base, "new_head": String(repeating: "3", count: 40), "backup": named])
        let next = home.minic("tasks", "list")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertEqual(GitChecks.revParse(home.path, named), base)
    }

    /// A hand-made proposal whose name git accepts but is not ASCII is finished like any other.
    func testAnInterruptedMergeOfANonASCIIProposalNameIsFinished() throws {
        let home = TestHome()
        home.handmadeProposal("café-change") { $0.write("notes/c.md", "c\n") }
        let merge = try BackgroundMinic(home, ["update", "merge", "café-change", "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        merge.kill()
        let next = home.minic("update", "list")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("finished the merge of café-change"), next.stderr)
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged/"), ["refs/minic/merged/café-change"])
    }

    /// Names with controls never reach commit headers or a merge's subject.
    func testControlsInNamesNeverReachCommits() throws {
        let home = TestHome()
        home.write("notes/x.md", "x\n")
        let propose = home.minic("update", "propose", "--from-worktree", "--title", "x", environment: ["MINIC_USER": "Ev\u{1b}[31mil\u{9b}2J\u{202e}X <e\u{1b}[0m@x>"])
        XCTAssertEqual(propose.status, 0, propose.stderr)
        let raw = home.git("cat-file", "-p", "refs/heads/proposals/" + (GitChecks.refs(home.path, "refs/heads/proposals/").first ?? "").replacingOccurrences(of: "refs/heads/proposals/", with: "")).stdout
        XCTAssertFalse(raw.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x9b || $0.value == 0x202e }, raw)
        home.handmadeProposal("evil\u{202e}txt.exe") { $0.write("notes/e.md", "e\n") }
        let merge = home.minic("update", "merge", "evil\u{202e}txt.exe", "--yes")
        XCTAssertEqual(merge.status, 1, merge.stderr)
        XCTAssertTrue(merge.stderr.contains("control or bidirectional characters"), merge.stderr)
    }

    /// A genuine interrupted merge whose record is edited to name uncommitted paths (a whole
    /// directory) removes nothing: a merge saves no uncommitted files, so the record is refused.
    func testAMergeRecordNamingUncommittedPathsIsRefused() throws {
        let home = TestHome()
        home.handmadeProposal("p12") { $0.write("notes/p.md", "p\n") }
        home.write("prompt_templates/mine.txt", "a person's untracked file\n")
        let merge = try BackgroundMinic(home, ["update", "merge", "p12", "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        var record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((home.read("state/update-intent.json") ?? "").utf8)) as? [String: Any])
        record["uncommitted"] = ["prompt_templates"]
        try plant(home, record)
        merge.kill()
        assertRefused(home)
        XCTAssertEqual(home.read("prompt_templates/mine.txt"), "a person's untracked file\n")
    }

    /// A move of main made by hand (git commit, git reset) is not a rollback minic made:
    /// a record claiming it adds no journal entry and no rollback target.
    func testARollbackRecordForAMoveMadeByHandIsRefused() throws {
        let home = TestHome()
        let head = home.head()
        let unreviewed = home.commitOnMain("unreviewed") { $0.write("config.json.x", "x\n") }
        XCTAssertEqual(home.git("reset", "-q", "--hard", head).status, 0)
        let journal = home.journal().count
        try plant(home, ["operation": "rollback", "old_head": unreviewed, "new_head": head, "actor": "CEO <ceo@corp.example>"])
        assertRefused(home)
        try FileManager.default.removeItem(atPath: home.path + "/state/update-intent.json")
        XCTAssertEqual(home.journal().count, journal)
        XCTAssertEqual(home.minic("update", "rollback", unreviewed, "--yes").status, 1)
    }

    /// A directory swapped for a symlink while a merge was interrupted: finishing it writes nothing outside the home.
    func testFinishingNeverWritesThroughASymlinkedDirectory() throws {
        let home = TestHome()
        let outside = TemporaryDirectory("forged-outside")
        outside.write("p.md", "outside\n")
        home.write("notes/keep.md", "k\n")
        GitChecks.commitAll(home.path, "notes")
        home.handmadeProposal("sym") { $0.write("notes/p.md", "from the proposal\n") }
        let merge = try BackgroundMinic(home, ["update", "merge", "sym", "--yes"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(merge.waitUntilStopped())
        merge.kill()
        try FileManager.default.removeItem(atPath: home.path + "/notes")
        try FileManager.default.createSymbolicLink(atPath: home.path + "/notes", withDestinationPath: outside.path)
        let next = home.minic("update", "list")
        XCTAssertNotEqual(next.status, 0, next.stderr)
        XCTAssertEqual(outside.read("p.md"), "outside\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.path + "/state/update-intent.json"), "the record stays for the next command")
    }
}
