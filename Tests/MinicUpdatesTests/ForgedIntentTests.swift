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
}
