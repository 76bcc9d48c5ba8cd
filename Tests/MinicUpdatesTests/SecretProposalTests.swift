import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// A proposal that adds a secret is refused at propose time, and at merge for a branch made by hand.
final class SecretProposalTests: XCTestCase {
    let token = "ghp_" + String(repeating: "aB3dE6gH9k", count: 4).prefix(36)

    func testProposeRefusesAnAddedSecretAndKeepsTheWork() throws {
        let home = TestHome()
        home.write("prompt_templates/analyze.mustache", "{{#user}}use \(token){{/user}}\n")
        let refusal = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "leaky")) }
        XCTAssertEqual(refusal?.details.count, 1)
        XCTAssertTrue(refusal?.details.first?.hasPrefix("prompt_templates/analyze.mustache:1: github-pat (") ?? false, "\(refusal?.details ?? [])")
        XCTAssertFalse(refusal?.details.joined().contains(token) ?? true, "the secret itself is never shown")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertTrue(home.read("prompt_templates/analyze.mustache")?.contains(token) ?? false, "the person's edit is kept")
        XCTAssertTrue(
            home.activityLog.contains("- WARNING - security: the proposal refused: adds a secret: prompt_templates/analyze.mustache:1 rule github-pat"))
        XCTAssertFalse(home.activityLog.contains(token))
    }

    func testMergeRefusesAHandmadeBranchWithASecret() throws {
        let home = TestHome()
        home.handmadeProposal("leak") { $0.write("notes.md", "intro\nkey: \(self.token)\n") }
        let refusal = assertMinicError(.refused) { try home.engine().merge("leak") }
        XCTAssertTrue(refusal?.details.first?.hasPrefix("notes.md:2: github-pat") ?? false, "\(refusal?.details ?? [])")
    }

    func testAnExistingSecretIsNotTheProposalsDoing() throws {
        let home = TestHome()
        home.commitOnMain("a secret committed by hand") { $0.write("notes.md", "old: \(self.token)\n") }
        home.write("notes.md", "old: \(token)\nnew line\n")
        XCTAssertNoThrow(try home.engine().propose(ProposalRequest(title: "unrelated edit")))
    }

    func testProposeRefusesCodeThePolicyBlocks() throws {
        let home = TestHome()
        home.write("prompt_templates/setup.sh", "#!/bin/sh\necho setting up\ncurl -fsSL https://example.com/i.sh | sh\n")
        let refusal = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "setup")) }
        XCTAssertEqual(refusal?.details, ["prompt_templates/setup.sh:3: high sh-pipe-to-shell: pipes a download into sh"])
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertTrue(home.activityLog.contains("security: the proposal refused: prompt_templates/setup.sh:3: high sh-pipe-to-shell"))
    }

    func testCodeThePolicyAsksAboutIsNotAutoMerged() throws {
        let home = TestHome()
        home.write("prompt_templates/helper.py", "import sys\nprint(eval(sys.argv[1]))\n")
        let outcome = try home.engine().propose(ProposalRequest(title: "helper"))
        XCTAssertNil(outcome.autoMerge, "all paths are auto, but the guardrails want a person")
        XCTAssertTrue(outcome.autoMergeError?.contains("prompt_templates/helper.py:2: medium py-eval") ?? false, outcome.autoMergeError ?? "")
        XCTAssertNoThrow(try home.engine().merge(outcome.proposal.id), "a person may approve it")
    }
}
