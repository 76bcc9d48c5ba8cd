import Foundation
import MinicCore
import MinicGit
import MinicTestSupport
import MinicUpdates
import XCTest

/// `UpdateEngine.proposeRevert` and the `auto-revert` merge rule, on a real home read back with the git CLI.
final class RevertTests: XCTestCase {
    /// A home with a merged template change; returns it and the merge.
    func mergedHome() -> (TestHome, String) {
        let home = TestHome()
        let merge = home.mergeChange("prompt_templates/explain.mustache", appending: "Merged line.", title: "Template change")
        return (home, merge)
    }

    func oid(_ hex: String) throws -> OID { try XCTUnwrap(OID(hex: hex)) }

    func testLatestMergeIsReadFromMainsFirstParentHistory() throws {
        let (home, merge) = mergedHome()
        let later = home.commitOnMain("later") { $0.write("prompt_templates/analyze.mustache", "Later.\n") }
        let watched = try XCTUnwrap(try home.engine().latestMerge())
        XCTAssertEqual(watched.commit.hex, merge)
        XCTAssertEqual(watched.firstParent.hex, GitChecks.revParse(home.path, "\(merge)^1"))
        XCTAssertEqual(watched.since.map(\.hex), [later, merge])
        XCTAssertNil(watched.reverts)
        let fresh = TestHome()
        XCTAssertNil(try fresh.engine().latestMerge(), "a fresh home has no merge")
    }

    /// Later changes to the lines the merge changed: the revert would undo them too, so it is refused, nothing proposed.
    func testARevertThatConflictsIsRefusedCleanly() throws {
        let (home, merge) = mergedHome()
        home.commitOnMain("edit the merged line") {
            $0.write(
                "prompt_templates/explain.mustache",
                ($0.read("prompt_templates/explain.mustache") ?? "").replacingOccurrences(of: "Merged line.", with: "Edited line."))
        }
        let error = assertMinicError(.refused) { try home.engine().proposeRevert(merge: try self.oid(merge), reason: "test") }
        XCTAssertTrue(error?.message.contains("do not revert cleanly") == true, error?.message ?? "")
        XCTAssertEqual(error?.details, ["prompt_templates/explain.mustache: conflict"])
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals").count, 0, "nothing proposed")
    }

    func testOnlyAMergeOnMainCanBeReverted() throws {
        let (home, merge) = mergedHome()
        let proposalHead = try XCTUnwrap(GitChecks.revParse(home.path, "\(merge)^2"))
        assertMinicError(.refused) { try home.engine().proposeRevert(merge: try self.oid(proposalHead), reason: "not on main") }
        let side = home.handmadeProposal("side") { $0.write("prompt_templates/explain.mustache", "side\n") }
        home.git("checkout", "-q", "-b", "elsewhere", side)
        home.git("merge", "-q", "--no-ff", "main", "-m", "a merge off main")
        let offMain = try XCTUnwrap(GitChecks.revParse(home.path, "HEAD"))
        home.git("checkout", "-q", "main")
        assertMinicError(.refused) { try home.engine().proposeRevert(merge: try self.oid(offMain), reason: "off main") }
    }

    /// The auto-revert rule is for revert proposals only, and lets review paths through only where the reverted merge changed them.
    func testTheAutoRevertRuleOnlyTakesWhatTheRevertedMergeChanged() throws {
        let (home, merge) = mergedHome()
        let plain = home.handmadeProposal("plain") { $0.write("prompt_templates/explain.mustache", "plain\n") }
        let notARevert = assertMinicError(.refused) { try home.engine().merge("plain", options: MergeOptions(rule: .autoRevert, expect: plain)) }
        XCTAssertTrue(notARevert?.message.contains("not a revert") == true, notARevert?.message ?? "")

        // Claims to revert the merge, but changes config.json (a review path the merge never touched).
        home.git("checkout", "-q", "-b", "proposals/sneaky")
        home.write("config.json", #"{"version": 1, "updates": {"auto_approve_config": true}}"#)
        home.git("commit", "-qam", "Revert it\n\nReverts: \(merge)")
        home.git("checkout", "-q", "main")
        let sneaky = assertMinicError(.refused) { try home.engine().merge("sneaky", options: MergeOptions(rule: .autoRevert)) }
        XCTAssertTrue(sneaky?.message.contains("config.json is a review path the reverted merge") == true, sneaky?.message ?? "")
        XCTAssertEqual(home.head(), merge, "main did not move")
    }

    /// On its own (no watch), a revert proposal goes through propose: `Proposed-by: minic`, waiting for review.
    func testARevertProposalIsAnOrdinaryProposal() throws {
        let (home, merge) = mergedHome()
        let outcome = try home.engine().proposeRevert(merge: try oid(merge), reason: "Because the numbers say so.")
        XCTAssertTrue(outcome.created)
        XCTAssertNil(outcome.merge)
        let branch = "proposals/" + outcome.proposal.id
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Proposed-by"), "minic <minic@localhost>")
        XCTAssertEqual(home.git("log", "-1", "--format=%s", branch).stdout, "Revert 0001-template-change\n")
        XCTAssertTrue(home.git("log", "-1", "--format=%b", branch).stdout.contains("Because the numbers say so."))
        XCTAssertEqual(outcome.proposal.reverts, merge)
        // A person merges it like any other.
        XCTAssertEqual(home.minic("update", "merge", outcome.proposal.id, "--yes").status, 0)
        XCTAssertEqual(home.git("diff", "--stat", "\(merge)^1", "HEAD").stdout, "")
        let again = try home.engine().proposeRevert(merge: try oid(merge), reason: "again")
        XCTAssertFalse(again.created, "one revert per merge, merged ones included")
        XCTAssertEqual(again.proposal.status, .merged)
    }
}
