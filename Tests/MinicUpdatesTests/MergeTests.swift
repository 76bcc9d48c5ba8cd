import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

final class MergeTests: XCTestCase {
    /// A review proposal changing config.json.
    func proposeConfigChange(_ home: TestHome, level: String = "debug") throws -> ProposeOutcome {
        home.write("config.json", #"{"version": 1, "log": {"level": "\#(level)"}}"#)
        return try home.engine().propose(ProposalRequest(title: "Log at \(level)"))
    }

    func testMergeMakesANoFastForwardMergeCommitWithTrailersAndABackup() throws {
        let home = TestHome()
        let oldHead = home.head()
        let proposal = try proposeConfigChange(home)
        var asked = false
        let outcome = try home.engine().merge(
            proposal.proposal.id,
            options: MergeOptions(confirm: { plan in
                asked = true
                XCTAssertEqual(plan.paths.map(\.path), ["config.json"])
                return true
            }))
        XCTAssertTrue(asked)
        let parents = home.git("rev-list", "--parents", "-n", "1", "HEAD").stdout.split(separator: " ").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(parents, [outcome.commit.hex, oldHead, proposal.proposal.head.hex])
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Proposal-Id"), proposal.proposal.id)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Approved-by"), "Test Person <test@example.com>")
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "review")
        let backup = try XCTUnwrap(outcome.backup)
        XCTAssertNotNil(backup.range(of: #"^refs/minic/backups/\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{7}$"#, options: .regularExpression), backup)
        XCTAssertEqual(GitChecks.revParse(home.path, backup), oldHead)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Backup"), backup)
        // The work tree and index follow; the proposal is marked merged.
        XCTAssertTrue(home.read("config.json")!.contains("debug"))
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged"), ["refs/minic/merged/\(proposal.proposal.id)"])
        XCTAssertEqual(try home.engine().list(all: true).first?.proposal.status, .merged)
        XCTAssertEqual(try Home(openAt: home.path).config().log.level, "debug")
        // Hooks ran: the default pre-merge validated, the default post-merge reported.
        XCTAssertEqual(outcome.preMerge?.succeeded, true)
        XCTAssertTrue(outcome.preMerge?.output.contains("ok: config.json") ?? false, outcome.preMerge?.output ?? "")
        XCTAssertTrue(outcome.postMerge?.output.contains("merged as \(outcome.commit.short)") ?? false)
        let log = home.activityLog
        XCTAssertTrue(log.contains("update: merged \(proposal.proposal.id) by Test Person <test@example.com> rule review"))
        XCTAssertTrue(log.contains("update: backup created \(backup)"))
        XCTAssertTrue(log.contains("system: config change: config.json"))
        GitChecks.assertFsckClean(home.path)
    }

    func testDeclinedConfirmationChangesNothing() throws {
        let home = TestHome()
        let head = home.head()
        let proposal = try proposeConfigChange(home)
        assertMinicError(.refused) { try home.engine().merge(proposal.proposal.id, options: MergeOptions(confirm: { _ in false })) }
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups"), [])
    }

    func testExpectGuardsTheReviewedCommit() throws {
        let home = TestHome()
        let proposal = try proposeConfigChange(home)
        let head = home.head()
        let refusal = assertMinicError(.refused) { try home.engine().merge(proposal.proposal.id, options: MergeOptions(expect: "000000000000")) }
        XCTAssertTrue(refusal?.message.contains("not the reviewed") ?? false)
        // Fewer than 12 hex digits, or not hex, is bad input: a short prefix is too easy to collide with.
        for short in [String(proposal.proposal.head.hex.prefix(11)), String(proposal.proposal.head.hex.prefix(4)), "", "zzzzzzzzzzzzzz", proposal.proposal.head.hex + "0", String(proposal.proposal.head.hex.prefix(12)) + "\n"] {
            let bad = assertMinicError(.badInput) { try home.engine().merge(proposal.proposal.id, options: MergeOptions(expect: short)) }
            XCTAssertTrue(bad?.message.contains("12 to 40 hex digits") ?? false, bad?.message ?? "")
        }
        XCTAssertEqual(home.head(), head)
        XCTAssertNoThrow(try home.engine().merge(proposal.proposal.id, options: MergeOptions(expect: String(proposal.proposal.head.hex.prefix(12).uppercased()))))
    }

    /// The branch moves while the person is confirming: the merge must be refused, not overwrite it.
    func testAHeadThatMovedMeanwhileIsRefusedNotOverwritten() throws {
        let home = TestHome()
        let proposal = try proposeConfigChange(home)
        var moved = ""
        assertMinicError(.refused) {
            try home.engine().merge(
                proposal.proposal.id,
                options: MergeOptions(confirm: { _ in
                    moved = home.commitOnMain("concurrent change") { $0.write("notes.txt", "meanwhile\n") }
                    return true
                }))
        }
        XCTAssertEqual(home.head(), moved)
        XCTAssertEqual(home.git("rev-list", "--count", "--merges", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups"), [], "the backup of a merge that did not happen is removed")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), ["refs/heads/proposals/\(proposal.proposal.id)"])
        GitChecks.assertFsckClean(home.path)
    }

    func testProposalsMadeOnTheSameHeadMergeOneAfterAnother() throws {
        let home = TestHome()
        let first = try proposeConfigChange(home)
        home.write("notes/readme.md", "notes\n")
        let second = try home.engine().propose(ProposalRequest(title: "Notes")).proposal
        _ = try home.engine().merge(first.proposal.id)
        let outcome = try home.engine().merge(second.id)
        XCTAssertTrue(home.read("config.json")!.contains("debug"))
        XCTAssertEqual(home.read("notes/readme.md"), "notes\n")
        XCTAssertEqual(GitChecks.status(home.path), "")
        // The tree is what git's own merge makes of the two.
        let gitMerge = home.git("merge-tree", "--write-tree", outcome.previousHead.hex, second.head.hex).stdout.split(separator: "\n").first.map(String.init)
        XCTAssertEqual(home.git("rev-parse", "HEAD^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines), gitMerge)
        GitChecks.assertFsckClean(home.path)
    }

    func testAConflictIsRefusedNamingThePaths() throws {
        let home = TestHome()
        let proposal = try proposeConfigChange(home, level: "debug")
        home.commitOnMain("other change") { $0.write("config.json", #"{"version": 1, "log": {"level": "error"}}"#) }
        let head = home.head()
        let refusal = assertMinicError(.refused) { try home.engine().merge(proposal.proposal.id) }
        XCTAssertEqual(refusal?.details, ["config.json: conflict"])
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(try home.engine().review(proposal.proposal.id).conflicts, ["config.json"])
    }

    func testAFailingPreMergeHookBlocksTheMerge() throws {
        let home = TestHome()
        home.commitOnMain("strict hook") { $0.write("hooks/pre-merge", "#!/bin/sh\necho \"no merges today: $1\"\nexit 7\n", executable: true) }
        let head = home.head()
        let proposal = try proposeConfigChange(home)
        let refusal = assertMinicError(.refused) { try home.engine().merge(proposal.proposal.id) }
        XCTAssertTrue(refusal?.message.contains("pre-merge hook exited 7") ?? false)
        XCTAssertEqual(refusal?.details, ["no merges today: \(proposal.proposal.id)"])
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups"), [])
        XCTAssertTrue(home.activityLog.contains("pre-merge hook exited 7: no merges today"))
    }

    func testTheDefaultPreMergeHookBlocksAConfigThatWouldNotLoad() throws {
        let home = TestHome()
        let head = home.head()
        // propose runs the same checks at once: a config that would not load is never proposed.
        home.write("config.json", #"{"version": 1, "updates": {"auto_merge": "sometimes"}}"#)
        let early = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "Bad config")) }
        XCTAssertTrue(early?.details.joined().contains("updates.auto_merge: expected a boolean") ?? false, "\(early?.details ?? [])")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        home.git("checkout", "-q", "config.json")
        // A branch made by hand meets the pre-merge hook.
        home.handmadeProposal("bad-config") { $0.write("config.json", #"{"version": 1, "updates": {"auto_merge": "sometimes"}}"#) }
        let refusal = assertMinicError(.refused) { try home.engine().merge("bad-config") }
        XCTAssertTrue(refusal?.details.joined().contains("updates.auto_merge: expected a boolean") ?? false, "\(refusal?.details ?? [])")
        XCTAssertEqual(home.head(), head)
    }

    func testTheHookInForceIsTheCommittedOneNotTheWorkTreeCopy() throws {
        let home = TestHome()
        let proposal = try proposeConfigChange(home)
        // An uncommitted edit to the hook has no effect.
        home.write("hooks/pre-merge", "#!/bin/sh\nexit 1\n", executable: true)
        XCTAssertNoThrow(try home.engine().merge(proposal.proposal.id))
    }

    func testUncommittedChangesToMergedPathsAreRefused() throws {
        let home = TestHome()
        let proposal = try proposeConfigChange(home)
        home.write("config.json", "{\"version\": 1}\n")
        let refusal = assertMinicError(.refused) { try home.engine().merge(proposal.proposal.id) }
        XCTAssertEqual(refusal?.details, ["config.json: changed in the work tree"])
        XCTAssertEqual(home.read("config.json"), "{\"version\": 1}\n", "the local edit is kept")
    }

    func testAHandmadeProposalIsListedAndMergeable() throws {
        let home = TestHome()
        home.handmadeProposal("by-hand") { $0.write("notes.md", "hello\n") }
        let listed = try home.engine().list()
        XCTAssertEqual(listed.map(\.proposal.id), ["by-hand"])
        XCTAssertEqual(listed.first?.counts[.review], 1)
        let outcome = try home.engine().merge("by-hand")
        XCTAssertEqual(home.read("notes.md"), "hello\n")
        XCTAssertEqual(GitChecks.trailer(home.path, outcome.commit.hex, "Proposal-Id"), "by-hand")
        GitChecks.assertFsckClean(home.path)
    }

    func testAProposalMergedWithPlainGitShowsAsMerged() throws {
        let home = TestHome()
        home.handmadeProposal("plain") { $0.write("notes.md", "x\n") }
        XCTAssertEqual(home.git("merge", "-q", "--no-ff", "-m", "merge by hand", "proposals/plain").status, 0)
        XCTAssertEqual(try home.engine().list().count, 0)
        XCTAssertEqual(try home.engine().list(all: true).first?.proposal.status, .merged)
        XCTAssertTrue(try home.engine().merge("plain").alreadyMerged)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged"), ["refs/minic/merged/plain"])
    }

    func testAProposalBranchCheckedOutIsNeverTheTarget() throws {
        let home = TestHome()
        home.handmadeProposal("wip") { $0.write("notes.md", "x\n") }
        home.git("checkout", "-q", "proposals/wip")
        let refusal = assertMinicError(.refused) { try home.engine().merge("wip") }
        XCTAssertTrue(refusal?.message.contains("switch back") ?? false)
        assertMinicError(.refused) { try home.engine().rollback(to: "HEAD~1") }
    }

    func testAFailingPostMergeHookIsReportedNotEnforced() throws {
        let home = TestHome()
        home.commitOnMain("noisy post-merge") { $0.write("hooks/post-merge", "#!/bin/sh\necho cleanup failed\nexit 5\n", executable: true) }
        let proposal = try proposeConfigChange(home)
        let outcome = try home.engine().merge(proposal.proposal.id)
        XCTAssertEqual(outcome.postMerge?.status, 5)
        XCTAssertEqual(home.head(), outcome.commit.hex)
        XCTAssertTrue(home.activityLog.contains("post-merge hook after \(proposal.proposal.id) exited 5: cleanup failed"))
    }

    func testUnknownProposalIsBadInput() throws {
        let home = TestHome()
        assertMinicError(.badInput) { try home.engine().merge("9999-nope") }
        assertMinicError(.badInput) { try home.engine().merge("bad..name") }
    }
}
