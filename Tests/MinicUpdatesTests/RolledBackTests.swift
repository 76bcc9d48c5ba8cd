import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// A merged proposal whose merge a rollback took out of main's history is shown as rolled back.
final class RolledBackTests: XCTestCase {
    /// Merges proposals changing `files`, returning their ids and main after each merge.
    func merge(_ home: TestHome, _ files: [String]) throws -> [(id: String, head: String)] {
        try files.map { file in
            home.write(file, file + "\n")
            let id = try home.engine().propose(ProposalRequest(title: "Add \(file)", allowAutoMerge: false)).proposal.id
            _ = try home.engine().merge(id)
            return (id, home.head())
        }
    }

    func firstParents(_ home: TestHome) -> [String] {
        home.git("log", "--first-parent", "--format=%H", "main").stdout.split(separator: "\n").map(String.init)
    }

    func testARollbackBeforeAMergeMarksItsProposal() throws {
        let home = TestHome()
        let merged = try merge(home, ["a.md", "b.md", "c.md"])
        _ = try home.engine().rollback(to: merged[0].head)
        // As git sees it: the merges of b and c are gone from main's first parents, a's is there.
        XCTAssertTrue(firstParents(home).contains(merged[0].head))
        XCTAssertFalse(firstParents(home).contains(merged[1].head))
        XCTAssertFalse(firstParents(home).contains(merged[2].head))
        let listed = Dictionary(uniqueKeysWithValues: try home.engine().list(all: true).map { ($0.proposal.id, $0) })
        XCTAssertEqual(listed.mapValues(\.rolledBack), [merged[0].id: false, merged[1].id: true, merged[2].id: true])
        XCTAssertEqual(listed.mapValues(\.proposal.status), [merged[0].id: .merged, merged[1].id: .merged, merged[2].id: .merged])
        XCTAssertEqual(try home.engine().review("2").rolledBackCommit?.hex, merged[1].head, "the merge commit that is gone")
        XCTAssertNil(try home.engine().review("1").rolledBackCommit)
        XCTAssertEqual(try home.engine().list().count, 0, "open ones only: none")

        // Forward again (to the head before the rollback): nothing is rolled back any more.
        _ = try home.engine().rollback(to: merged[2].head)
        XCTAssertTrue(firstParents(home).contains(merged[2].head))
        XCTAssertEqual(try home.engine().list(all: true).filter(\.rolledBack).count, 0)
        XCTAssertNil(try home.engine().review("3").rolledBackCommit)
    }

    func testOpenAndRejectedProposalsAreNeverRolledBack() throws {
        let home = TestHome()
        let merged = try merge(home, ["a.md"])
        home.write("b.md", "b\n")
        let rejected = try home.engine().propose(ProposalRequest(title: "No", allowAutoMerge: false)).proposal.id
        try home.engine().reject(rejected, reason: nil)
        home.write("c.md", "c\n")
        let open = try home.engine().propose(ProposalRequest(title: "Later", allowAutoMerge: false)).proposal.id
        let before = GitChecks.revParse(home.path, "main~1") ?? ""
        _ = try home.engine().rollback(to: before)
        let listed = Dictionary(uniqueKeysWithValues: try home.engine().list(all: true).map { ($0.proposal.id, $0.rolledBack) })
        XCTAssertEqual(listed, [merged[0].id: true, rejected: false, open: false])
    }

    func testABranchMergedByPlainGitAndResetAwayIsRolledBack() throws {
        let home = TestHome()
        let base = home.head()
        let tip = home.handmadeProposal("0004-by-hand") { $0.write("x.md", "x\n") }
        XCTAssertEqual(home.git("merge", "-q", "--no-ff", "-m", "by hand", "proposals/0004-by-hand").status, 0)
        // Recorded as merged without a journal entry (a ref moved by hand), then main reset by hand.
        home.git("update-ref", "refs/minic/merged/0004-by-hand", tip)
        home.git("branch", "-D", "proposals/0004-by-hand")
        XCTAssertEqual(try home.engine().list(all: true).first?.rolledBack, false)
        home.git("reset", "-q", "--hard", base)
        XCTAssertEqual(try home.engine().list(all: true).first?.rolledBack, true)
        XCTAssertEqual(try home.engine().review("4").rolledBackCommit?.hex, tip, "no recorded merge: its own head is what main lacks")
    }
}
