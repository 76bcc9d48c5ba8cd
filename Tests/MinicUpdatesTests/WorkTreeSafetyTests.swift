import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// A merge or rollback never overwrites or deletes files git does not track, and a
/// rollback goes only to states that were once in force.
final class WorkTreeSafetyTests: XCTestCase {
    func assertInTheWay(_ refusal: MinicError?, _ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(refusal?.message.contains("git does not track") ?? false, refusal?.message ?? "", file: file, line: line)
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix(path + ": untracked or ignored file") } ?? false, "\(refusal?.details ?? [])", file: file, line: line)
    }

    func testMergeRefusesToOverwriteUntrackedIgnoredOrBlockingFiles() throws {
        let home = TestHome()
        home.commitOnMain("ignore local files") { $0.write(".gitignore", ($0.read(".gitignore") ?? "") + "*.local\n") }
        home.handmadeProposal("adds") {
            $0.write("notes/a.md", "from the proposal\n")
            $0.write("keep.local", "from the proposal\n")
            $0.git("add", "-f", "keep.local")
            $0.write("docs/guide.md", "from the proposal\n")
        }
        let head = home.head()
        // Untracked at the path, ignored at the path, and an untracked file where a directory must go.
        for (path, content) in [("notes/a.md", "mine\n"), ("keep.local", "my ignored file\n"), ("docs", "a file, not a directory\n")] {
            home.write(path, content)
            let refusal = assertMinicError(.refused) { try home.engine().merge("adds") }
            assertInTheWay(refusal, path)
            XCTAssertEqual(home.head(), head)
            XCTAssertEqual(home.read(path), content, "\(path) is kept as it was")
            try FileManager.default.removeItem(atPath: home.path + "/" + path)
        }
        try FileManager.default.removeItem(atPath: home.path + "/notes")
        // A symlink in the way counts too, and is never followed.
        let outside = TemporaryDirectory("outside")
        XCTAssertEqual(symlink(outside.path, home.path + "/notes"), 0)
        let linked = assertMinicError(.refused) { try home.engine().merge("adds") }
        XCTAssertTrue(linked?.details.contains("notes: symlink where notes/a.md needs a directory") ?? false, "\(linked?.details ?? [])")
        XCTAssertFalse(outside.exists("a.md"))
        unlink(home.path + "/notes")
        XCTAssertNoThrow(try home.engine().merge("adds"))
        XCTAssertEqual(home.read("notes/a.md"), "from the proposal\n")
        GitChecks.assertFsckClean(home.path)
    }

    func testRollbackRefusesToOverwriteIgnoredFilesEvenWithForce() throws {
        let home = TestHome()
        home.commitOnMain("ignore local files") { $0.write(".gitignore", ($0.read(".gitignore") ?? "") + "*.local\n") }
        let withFile = home.commitOnMain("a tracked .local file") {
            $0.write("setting.local", "tracked\n")
            $0.git("add", "-f", "setting.local")
        }
        home.commitOnMain("drop it") { $0.git("rm", "-q", "--cached", "setting.local") }
        // Now setting.local is an ignored file on disk (git rm --cached kept it): a person's own copy.
        home.write("setting.local", "my own\n")
        let head = home.head()
        for force in [false, true] {
            let refusal = assertMinicError(.refused) { try home.engine().rollback(to: withFile, options: RollbackOptions(force: force)) }
            assertInTheWay(refusal, "setting.local")
            XCTAssertEqual(home.head(), head)
            XCTAssertEqual(home.read("setting.local"), "my own\n")
        }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups"), [], "nothing was written")
    }

    func testRollbackGoesOnlyToHeadsThatWereInForce() throws {
        let home = TestHome()
        let first = home.head()
        home.write("config.json", #"{"version": 1, "log": {"level": "debug"}}"#)
        let merged = try home.engine().merge(try home.engine().propose(ProposalRequest(title: "debug")).proposal.id)
        let proposalCommit = merged.commit.hex == home.head() ? home.git("rev-parse", "HEAD^2").stdout.trimmingCharacters(in: .whitespacesAndNewlines) : ""
        // A commit put under refs/minic/backups/ by hand, and one made from a proposal's own commit.
        home.handmadeProposal("evil") { $0.write("notes.md", "never approved\n") }
        let evil = GitChecks.revParse(home.path, "proposals/evil") ?? ""
        XCTAssertEqual(home.git("update-ref", "refs/minic/backups/20990101T000000Z-planted", evil).status, 0)
        XCTAssertEqual(home.git("update-ref", "refs/minic/backups/20990101T000000Z-second-parent", proposalCommit).status, 0)
        let head = home.head()
        for target in [evil, "refs/minic/backups/20990101T000000Z-planted", proposalCommit, "proposals/evil"] {
            let refusal = assertMinicError(.refused) { try home.engine().rollback(to: target) }
            XCTAssertTrue(refusal?.message.contains("was never the head") ?? false, "\(target): \(refusal?.message ?? "")")
            XCTAssertEqual(home.head(), head)
        }
        // First-parent history is fine; so is a head that minic's journal recorded.
        let back = try home.engine().rollback(to: first)
        XCTAssertEqual(home.head(), first)
        XCTAssertNoThrow(try home.engine().rollback(to: back.backup ?? ""))
        XCTAssertEqual(home.head(), head)
        // A recorded backup ref moved by hand is judged by its new target, which was never in force.
        XCTAssertEqual(home.git("update-ref", back.backup ?? "", evil).status, 0)
        XCTAssertTrue(assertMinicError(.refused) { try home.engine().rollback(to: back.backup ?? "") }?.message.contains("was never the head") ?? false)
        GitChecks.assertFsckClean(home.path)
    }

    func testRollbackExpectGuardsTheHead() throws {
        let home = TestHome()
        let first = home.head()
        home.commitOnMain("second") { $0.write("notes.md", "x\n") }
        let head = home.head()
        assertMinicError(.badInput) { try home.engine().rollback(to: first, options: RollbackOptions(expect: String(head.prefix(11)))) }
        let moved = assertMinicError(.refused) { try home.engine().rollback(to: first, options: RollbackOptions(expect: String(first.prefix(12)))) }
        XCTAssertTrue(moved?.message.contains("not the expected") ?? false, moved?.message ?? "")
        XCTAssertEqual(home.head(), head)
        XCTAssertNoThrow(try home.engine().rollback(to: first, options: RollbackOptions(expect: String(head.prefix(12)))))
        XCTAssertEqual(home.head(), first)
    }
}

extension WorkTreeSafetyTests {
    /// A tracked directory that the change turns into a file would take the person's
    /// ignored files in it along: refused, naming them.
    func testADirectoryBecomingAFileKeepsIgnoredFilesInside() throws {
        let home = TestHome()
        home.commitOnMain("ignore local files") {
            $0.write(".gitignore", ($0.read(".gitignore") ?? "") + "*.local\n")
            $0.write("notes/readme.md", "tracked\n")
        }
        try home.handmadeProposal("flatten") {
            try FileManager.default.removeItem(atPath: $0.path + "/notes")
            $0.write("notes", "now a file\n")
        }
        home.write("notes/mine.local", "ignored, mine\n")
        let head = home.head()
        let refusal = assertMinicError(.refused) { try home.engine().merge("flatten") }
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix("notes/mine.local: untracked or ignored file would be deleted") } ?? false, "\(refusal?.details ?? [])")
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(home.read("notes/mine.local"), "ignored, mine\n")
    }
}
