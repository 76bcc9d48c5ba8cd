import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

final class ProposeTests: XCTestCase {
    func testProposeFromWorktreeTakesEditsDeletionsAndNewFilesAndLeavesTheTreeClean() throws {
        let home = TestHome()
        home.commitOnMain("an extra template") { $0.write("prompt_templates/extra.mustache", "{{#user}}x{{/user}}\n") }
        let head = home.head()
        home.write("config.json", #"{"version": 1, "log": {"level": "debug"}}"#)
        home.write("notes/new.md", "new file\n")
        try FileManager.default.removeItem(atPath: home.path + "/prompt_templates/extra.mustache")
        let outcome = try home.engine().propose(ProposalRequest(title: "Debug logging", message: "Why: to see more."))
        XCTAssertEqual(outcome.proposal.id, "0001-debug-logging")
        XCTAssertNil(outcome.autoMerge)
        XCTAssertEqual(Set(outcome.paths.map(\.path)), ["config.json", "notes/new.md", "prompt_templates/extra.mustache"])
        XCTAssertEqual(outcome.paths.first { $0.path == "prompt_templates/extra.mustache" }?.change, "deleted")
        // The work tree is back at head, and the changes live on the branch.
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(home.head(), head)
        XCTAssertFalse(home.directory.exists("notes/new.md"))
        let branch = "proposals/0001-debug-logging"
        XCTAssertTrue(home.git("branch", "--list", branch).stdout.contains(branch))
        XCTAssertEqual(home.git("show", "\(branch):notes/new.md").stdout, "new file\n")
        XCTAssertEqual(home.git("rev-parse", "\(branch)^").stdout.trimmingCharacters(in: .whitespacesAndNewlines), head)
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Proposal-Id"), "0001-debug-logging")
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Proposed-by"), "Test Person <test@example.com>")
        XCTAssertTrue(home.git("log", "-1", "--format=%B", branch).stdout.contains("Why: to see more."))
        XCTAssertTrue(home.activityLog.contains("- INFO - update: proposed 0001-debug-logging by Test Person"))
        GitChecks.assertFsckClean(home.path)
    }

    func testProposeFromAPatchAppliesWhatGitDiffWrote() throws {
        let home = TestHome()
        home.write("config.json", #"{"version": 1, "updates": {"auto_merge": false}}"#)
        home.write("extra.txt", "x\n")
        home.git("add", "-A")
        let patch = home.git("diff", "--cached").stdout
        home.git("reset", "-q", "--hard")
        XCTAssertEqual(GitChecks.status(home.path), "")
        let outcome = try home.engine().propose(ProposalRequest(source: .patch(Array(patch.utf8)), title: "From a patch"))
        XCTAssertEqual(Set(outcome.paths.map(\.path)), ["config.json", "extra.txt"])
        XCTAssertEqual(home.git("show", "proposals/\(outcome.proposal.id):extra.txt").stdout, "x\n")
    }

    /// `diff -u` output (timestamps, no `diff --git` line) and a created file: read as git apply reads them.
    func testProposeFromAPlainUnifiedDiff() throws {
        let home = TestHome()
        let config = try XCTUnwrap(home.read("config.json"))
        let scratch = TemporaryDirectory("plain-diff")
        scratch.write("old/config.json", config)
        scratch.write("new/config.json", config.replacingOccurrences(of: "\"lease_seconds\": 60", with: "\"lease_seconds\": 90"))
        let unified = Shell.run("diff", ["-u", "old/config.json", "new/config.json"], in: scratch.path).stdout
        XCTAssertTrue(unified.hasPrefix("--- old/config.json\t"), unified)
        XCTAssertTrue(unified.contains("+    \"lease_seconds\": 90,"), unified)
        let created = "--- /dev/null\n+++ b/notes/new.md\n@@ -0,0 +1 @@\n+new file\n"
        let outcome = try home.engine().propose(ProposalRequest(source: .patch(Array((unified + created).utf8)), title: "Plain"))
        XCTAssertEqual(Set(outcome.paths.map(\.path)), ["config.json", "notes/new.md"])
        let branch = "proposals/\(outcome.proposal.id)"
        XCTAssertEqual(home.git("show", "\(branch):config.json").stdout, try XCTUnwrap(scratch.read("new/config.json")))
        XCTAssertEqual(home.git("show", "\(branch):notes/new.md").stdout, "new file\n")
        GitChecks.assertFsckClean(home.path)
    }

    func testAPatchOutsideTheHomeIsRefusedWithItsLine() throws {
        let home = TestHome()
        let patch = "Here:\n--- a/../outside.txt\n+++ b/../outside.txt\n@@ -0,0 +1 @@\n+x\n"
        let error = assertMinicError(.badInput) { try home.engine().propose(ProposalRequest(source: .patch(Array(patch.utf8)))) }
        XCTAssertEqual(error?.message, "refusing the patch: line 2: path 'a/../outside.txt' has a '..' component")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
    }

    func testAPatchThatDoesNotApplyIsBadInputAndMakesNoBranch() throws {
        let home = TestHome()
        let patch = "--- a/config.json\n+++ b/config.json\n@@ -1,1 +1,1 @@\n-no such line\n+x\n"
        assertMinicError(.badInput) { try home.engine().propose(ProposalRequest(source: .patch(Array(patch.utf8)))) }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
    }

    func testProposeWholeFiles() throws {
        let home = TestHome()
        let outcome = try home.engine().propose(ProposalRequest(source: .files([("docs/readme.md", Array("hi\n".utf8))]), title: "Docs"))
        XCTAssertEqual(outcome.paths, [ChangedPath(path: "docs/readme.md", change: "added", class: .review, oldPath: nil)])
        assertMinicError(.badInput) { try home.engine().propose(ProposalRequest(source: .files([("../x", [])]))) }
        assertMinicError(.badInput) { try home.engine().propose(ProposalRequest(source: .files([(".git/config", [])]))) }
        assertMinicError(.badInput) { try home.engine().propose(ProposalRequest(source: .files([("/etc/passwd", [])]))) }
    }

    func testAnEmptyChangeIsRefused() throws {
        let home = TestHome()
        assertMinicError(.refused) { try home.engine().propose(ProposalRequest()) }
        let same = home.read("config.json")!
        assertMinicError(.refused) { try home.engine().propose(ProposalRequest(source: .files([("config.json", Array(same.utf8))]))) }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
    }

    func testIdsAreSequentialAcrossStates() throws {
        let home = TestHome()
        let engine = try home.engine()
        let one = try engine.propose(ProposalRequest(source: .files([("a.txt", [1])]), title: "One")).proposal.id
        try engine.reject(one, reason: nil)
        let two = try engine.propose(ProposalRequest(source: .files([("b.txt", [2])]), title: "Two")).proposal.id
        XCTAssertEqual([one, two], ["0001-one", "0002-two"])
    }

    func testAllAutoProposalMergesAtOnce() throws {
        let home = TestHome()
        let head = home.head()
        home.write("prompt_templates/analyze.mustache", "{{#system}}Be brief.{{/system}}{{#user}}{{prompt}}{{/user}}\n")
        let outcome = try home.engine().propose(ProposalRequest(title: "Shorter analyze"))
        let merge = try XCTUnwrap(outcome.autoMerge)
        XCTAssertEqual(home.head(), merge.commit.hex)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Approved-by"), "auto")
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto")
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Proposal-Id"), outcome.proposal.id)
        XCTAssertEqual(GitChecks.revParse(home.path, merge.backup!), head)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged"), ["refs/minic/merged/\(outcome.proposal.id)"])
        XCTAssertEqual(try home.engine().history().first?.kind, .autoMerge)
        XCTAssertTrue(home.activityLog.contains("rule auto"))
        GitChecks.assertFsckClean(home.path)
    }

    func testAutoMergeCanBeTurnedOffAndConfigCanBeAuto() throws {
        let home = TestHome()
        home.commitOnMain("no auto merge") { $0.write("config.json", #"{"version": 1, "updates": {"auto_merge": false}}"#) }
        home.write("prompt_templates/analyze.mustache", "{{#user}}x{{/user}}\n")
        let waiting = try home.engine().propose(ProposalRequest(title: "t"))
        XCTAssertNil(waiting.autoMerge)
        XCTAssertEqual(waiting.proposal.status, .open)

        let other = TestHome()
        other.commitOnMain("config auto") { $0.write("config.json", #"{"version": 1, "updates": {"auto_approve_config": true}}"#) }
        other.write("config.json", #"{"version": 1, "updates": {"auto_approve_config": true}, "log": {"level": "debug"}}"#)
        let merged = try other.engine().propose(ProposalRequest(title: "Debug"))
        XCTAssertEqual(merged.paths.first?.class, .auto)
        XCTAssertNotNil(merged.autoMerge)
        XCTAssertTrue(other.activityLog.contains("config change: config.json"))
    }
}
