import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

final class RejectRollbackTests: XCTestCase {
    func testRejectKeepsTheCommitsUnderARejectedRef() throws {
        let home = TestHome()
        home.write("notes.md", "idea\n")
        let proposal = try home.engine().propose(ProposalRequest(title: "An idea")).proposal
        let event = try home.engine().reject(proposal.id, reason: "not now")
        XCTAssertEqual(event.kind, .reject)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertEqual(GitChecks.revParse(home.path, "refs/minic/rejected/\(proposal.id)"), proposal.head.hex)
        XCTAssertEqual(home.git("show", "refs/minic/rejected/\(proposal.id):notes.md").stdout, "idea\n")
        XCTAssertEqual(try home.engine().list(all: true).first?.proposal.status, .rejected)
        XCTAssertEqual(try home.engine().list().count, 0)
        XCTAssertTrue(home.activityLog.contains("update: rejected \(proposal.id) by Test Person <test@example.com>: not now"))
        assertMinicError(.refused) { try home.engine().merge(proposal.id) }
        assertMinicError(.refused) { try home.engine().reject(proposal.id, reason: nil) }
        GitChecks.assertFsckClean(home.path)
    }

    /// Three merged proposals, returning the head after each.
    func historyOfThree(_ home: TestHome) throws -> [String] {
        var heads = [home.head()]
        for level in ["debug", "notice", "error"] {
            home.write("config.json", #"{"version": 1, "log": {"level": "\#(level)"}}"#)
            let id = try home.engine().propose(ProposalRequest(title: level)).proposal.id
            _ = try home.engine().merge(id)
            heads.append(home.head())
        }
        return heads
    }

    func testRollbackResetsBranchIndexAndWorkTreeAfterABackup() throws {
        let home = TestHome()
        let heads = try historyOfThree(home)
        let outcome = try home.engine().rollback(to: String(heads[1].prefix(8)))
        XCTAssertEqual(home.head(), heads[1])
        XCTAssertTrue(home.read("config.json")!.contains("debug"))
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(GitChecks.revParse(home.path, outcome.backup!), heads[3])
        XCTAssertEqual(try Home(openAt: home.path).config().log.level, "debug")
        let history = try home.engine().history()
        XCTAssertEqual(history.map(\.kind), [.rollback, .merge, .merge, .merge])
        XCTAssertEqual(history.first?.backup, outcome.backup)
        XCTAssertTrue(home.activityLog.contains("update: rolled back refs/heads/main from \(heads[3].prefix(7)) to \(heads[1].prefix(7))"))
        // And forward again, to the backup by its ref name.
        _ = try home.engine().rollback(to: outcome.backup!)
        XCTAssertEqual(home.head(), heads[3])
        let backups = try home.engine().backups()
        XCTAssertTrue(backups.contains { $0.reference == outcome.backup && $0.reason.hasPrefix("before rollback") })
        XCTAssertTrue(backups.contains { $0.reason.hasPrefix("before merge") })
        GitChecks.assertFsckClean(home.path)
    }

    func testRollbackRefusesUncommittedChangesUnlessForced() throws {
        let home = TestHome()
        let heads = try historyOfThree(home)
        home.write("config.json", "{\"version\": 1, \"local\": true}\n")
        home.write("scratch.txt", "draft\n")
        let refusal = assertMinicError(.refused) { try home.engine().rollback(to: heads[0]) }
        XCTAssertEqual(Set(refusal?.details ?? []), ["config.json: changed", "scratch.txt: untracked"])
        XCTAssertEqual(home.head(), heads[3])
        XCTAssertEqual(home.read("scratch.txt"), "draft\n")

        let outcome = try home.engine().rollback(to: heads[0], options: RollbackOptions(force: true))
        XCTAssertEqual(home.head(), heads[0])
        XCTAssertEqual(GitChecks.status(home.path), "")
        let saved = try XCTUnwrap(outcome.worktreeBackup)
        XCTAssertTrue(saved.hasSuffix("-worktree"))
        XCTAssertEqual(home.git("show", "\(saved):scratch.txt").stdout, "draft\n")
        XCTAssertEqual(home.git("show", "\(saved):config.json").stdout, "{\"version\": 1, \"local\": true}\n")
        XCTAssertEqual(home.git("rev-parse", "\(saved)^").stdout.trimmingCharacters(in: .whitespacesAndNewlines), heads[3])
        // Unapproved work-tree state is kept, but is no rollback target.
        assertMinicError(.refused) { try home.engine().rollback(to: saved) }
        GitChecks.assertFsckClean(home.path)
    }

    /// The one-pass check (no question asked, no --force) sees every kind of local change.
    func testRollbackRefusesStagedAndDeletedAndUntrackedChanges() throws {
        let home = TestHome()
        let heads = try historyOfThree(home)
        let cases: [(String, (TestHome) -> Void, (TestHome) -> Void)] = [
            (
                "staged",
                {
                    $0.write("notes.md", "staged\n"); $0.git("add", "notes.md")
                },
                {
                    $0.git("rm", "-q", "--cached", "notes.md"); $0.shell("rm notes.md")
                }
            ),
            ("deleted", { $0.shell("rm prompt_templates/explain.mustache") }, { $0.git("checkout", "--", "prompt_templates/explain.mustache") }),
            ("untracked deep", { $0.write("a/b/c.txt", "x\n") }, { $0.shell("rm -r a") }),
            ("mode", { $0.shell("chmod +x config.json") }, { $0.shell("chmod -x config.json") }),
        ]
        for (name, dirty, clean) in cases {
            dirty(home)
            let before = GitChecks.status(home.path)
            XCTAssertFalse(before.isEmpty, name)
            assertMinicError(.refused) { try home.engine().rollback(to: heads[0]) }
            XCTAssertEqual(home.head(), heads[3], name)
            XCTAssertEqual(GitChecks.status(home.path), before, "\(name): the work tree was touched")
            XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups").count, 3, "\(name): a stray backup was left")
            clean(home)
            XCTAssertEqual(GitChecks.status(home.path), "", name)
        }
    }

    func testRollbackRefusesCommitsOutsideApprovedHistory() throws {
        let home = TestHome()
        home.write("notes.md", "unreviewed\n")
        let proposal = try home.engine().propose(ProposalRequest(title: "x")).proposal
        let head = home.head()
        assertMinicError(.refused) { try home.engine().rollback(to: proposal.head.hex) }
        assertMinicError(.badInput) { try home.engine().rollback(to: "no-such-ref") }
        XCTAssertEqual(home.head(), head)
        XCTAssertTrue(try home.engine().rollback(to: "HEAD").unchanged)
    }

    func testRollbackRunsThePostRollbackHookOfTheTarget() throws {
        let home = TestHome()
        let first = home.commitOnMain("add post-rollback") {
            $0.write("hooks/post-rollback", "#!/bin/sh\necho \"from $1 to $2\" > state/rolled\n", executable: true)
        }
        home.commitOnMain("later") { $0.write("notes.md", "later\n") }
        let outcome = try home.engine().rollback(to: first)
        XCTAssertEqual(outcome.postRollback?.succeeded, true)
        XCTAssertTrue(home.read("state/rolled")?.contains("to \(first)") ?? false)
    }
}
