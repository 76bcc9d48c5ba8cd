import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// A proposal is named by its full id, its number or a unique prefix, everywhere an id is taken.
final class ProposalLookupTests: XCTestCase {
    func testNumbersMatchTheNumberPartExactly() {
        XCTAssertTrue(ProposalID.matches("0003-config-tweak", query: "3"))
        XCTAssertTrue(ProposalID.matches("0003-config-tweak", query: "0003"))
        XCTAssertTrue(ProposalID.matches("0003-config-tweak", query: "003"))
        XCTAssertFalse(ProposalID.matches("0030-other", query: "3"))
        XCTAssertFalse(ProposalID.matches("0030-other", query: "003"), "digits are a number, never a prefix of a longer one")
        XCTAssertTrue(ProposalID.matches("0030-other", query: "30"))
        XCTAssertFalse(ProposalID.matches("3fix", query: "3"), "the number part ends at a dash or the end")
        XCTAssertTrue(ProposalID.matches("12", query: "12"))
        XCTAssertTrue(ProposalID.matches("0003-config-tweak", query: "0003-con"))
        XCTAssertFalse(ProposalID.matches("0003-config-tweak", query: "0003-x"))
        XCTAssertFalse(ProposalID.matches("0003-config-tweak", query: ""))
    }

    func testEveryCommandTakesANumberOrAPrefix() throws {
        let home = TestHome()
        home.write("a.md", "a\n")
        let first = try home.engine().propose(ProposalRequest(title: "Config tweak", allowAutoMerge: false)).proposal
        XCTAssertEqual(first.id, "0001-config-tweak")
        home.write("b.md", "b\n")
        let second = try home.engine().propose(ProposalRequest(title: "Other", allowAutoMerge: false)).proposal
        for query in ["1", "0001", "01", "0001-con", "0001-config-tweak", "proposals/0001-config-tweak", "proposals/1"] {
            XCTAssertEqual(try home.engine().review(query).proposal.id, first.id, query)
        }
        XCTAssertEqual(try home.engine().patch("2").id, second.id)
        assertMinicError(.badInput) { try home.engine().review("10") }
        assertMinicError(.badInput) { try home.engine().review("0001-x") }
        XCTAssertEqual(assertMinicError(.badInput) { try home.engine().review("a..b") }?.message, "'a..b' is not a valid proposal id")

        let merged = try home.engine().merge("1")
        XCTAssertEqual(merged.proposalID, first.id)
        XCTAssertEqual(GitChecks.revParse(home.path, "refs/minic/merged/\(first.id)"), first.head.hex)
        XCTAssertEqual(try home.engine().reject("0002-o", reason: nil).proposalID, second.id)
        XCTAssertEqual(GitChecks.revParse(home.path, "refs/minic/rejected/\(second.id)"), second.head.hex)
        // Closed ones are still found, and refused as before: a rejected one never merges, a merged one merges once.
        XCTAssertEqual(try home.engine().review("2").proposal.status, .rejected)
        assertMinicError(.refused) { try home.engine().merge("2") }
        assertMinicError(.refused) { try home.engine().reject("1", reason: nil) }
        XCTAssertTrue(try home.engine().merge("0001").alreadyMerged)
        GitChecks.assertFsckClean(home.path)
    }

    func testAnAmbiguousNumberOrPrefixIsRefusedNamingTheCandidates() throws {
        let home = TestHome()
        // Two proposals under one number (made by hand), one of them rejected: no state wins over another.
        home.handmadeProposal("0007-fix-a") { $0.write("a.md", "a\n") }
        home.handmadeProposal("0007-fix-b") { $0.write("b.md", "b\n") }
        try home.engine().reject("0007-fix-b", reason: nil)
        for query in ["7", "0007", "0007-fix"] {
            let error = assertMinicError(.badInput) { try home.engine().merge(query) }
            XCTAssertEqual(error?.message, "'\(query)' names 2 proposals: 0007-fix-a (open), 0007-fix-b (rejected); give more of the id")
            XCTAssertEqual(error?.details, [])
            XCTAssertEqual(error?.isNotFound, false)
        }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), ["refs/heads/proposals/0007-fix-a"], "nothing merged")
        XCTAssertEqual(try home.engine().review("0007-fix-a").proposal.status, .open)
        XCTAssertEqual(try home.engine().review("0007-fix-b").proposal.status, .rejected)
        // A full id wins over being the prefix of another.
        home.handmadeProposal("0009-x") { $0.write("c.md", "c\n") }
        home.handmadeProposal("0009-xy") { $0.write("d.md", "d\n") }
        XCTAssertEqual(try home.engine().review("0009-x").proposal.id, "0009-x")
        XCTAssertEqual(try home.engine().review("0009-xy").proposal.id, "0009-xy")
        assertMinicError(.badInput) { try home.engine().review("9") }
    }

    func testAnOpenBranchLeftBesideItsMergeIsOneProposal() throws {
        let home = TestHome()
        home.write("a.md", "a\n")
        let proposal = try home.engine().propose(ProposalRequest(title: "Twice", allowAutoMerge: false)).proposal
        _ = try home.engine().merge(proposal.id)
        // The same name open again by hand: one id under two namespaces, read open first as for a full id.
        home.git("branch", "proposals/\(proposal.id)", "refs/minic/merged/\(proposal.id)")
        XCTAssertEqual(try home.engine().review("1").proposal.reference, "refs/heads/proposals/\(proposal.id)")
        XCTAssertEqual(try home.engine().review("1").proposal.status, .merged, "already in main")
    }
}
