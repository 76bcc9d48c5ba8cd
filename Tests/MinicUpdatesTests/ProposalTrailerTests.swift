import Foundation
import MinicCore
import MinicGit
import MinicTestSupport
import MinicUpdates
import XCTest

/// ``ProposalRequest/extraTrailers``: written after `Task-Id:` in order, each value one clean line, read back by the
/// git CLI; a key minic writes itself, a malformed key, an empty value or a secret refuses the proposal; a merge
/// copies `Model` to main.
final class ProposalTrailerTests: XCTestCase {
    let template = "{{#system}}Be brief.{{/system}}{{#user}}{{prompt}}{{/user}}\n"
    let token = "ghp_" + String(repeating: "aB3dE6gH9k", count: 4).prefix(36)

    func request(_ trailers: [(key: String, value: String)]) -> ProposalRequest {
        ProposalRequest(
            source: .files([(path: "prompt_templates/analyze.mustache", content: Array(template.utf8))]), title: "Shorter analyze",
            proposer: Signature(name: "minic task 7", email: "minic@localhost"), taskID: "7", extraTrailers: trailers)
    }

    func testTrailersAreWrittenCleanAndReadByGit() throws {
        let home = TestHome()
        let outcome = try home.engine().propose(
            request([("Model", "claude-x\u{1B}[31m\u{202E}\nForged-By: me"), ("Prompt-Sha256", String(repeating: "ab", count: 32)), ("Input-Tokens", " 50 ")]))
        let branch = "proposals/\(outcome.proposal.id)"
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Model"), "claude-x", "one line, without escapes or controls")
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Prompt-Sha256"), String(repeating: "ab", count: 32))
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Input-Tokens"), "50")
        XCTAssertNil(GitChecks.trailer(home.path, branch, "Forged-By"), "a second line never becomes a trailer")
        let keys = home.git("log", "-1", "--format=%(trailers:only,unfold)", branch).stdout.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
        XCTAssertEqual(keys, ["Proposal-Id", "Proposed-by", "Task-Id", "Model", "Prompt-Sha256", "Input-Tokens"])

        // Merged by a person: main's merge commit names the task and the model.
        let merged = try home.engine().merge(outcome.proposal.id, options: MergeOptions(rule: .review, expect: outcome.proposal.head.hex))
        XCTAssertEqual(GitChecks.trailer(home.path, merged.commit.hex, "Task-Id"), "7")
        XCTAssertEqual(GitChecks.trailer(home.path, "main", "Model"), "claude-x")
        XCTAssertNil(GitChecks.trailer(home.path, "main", "Prompt-Sha256"), "only the model is copied to the merge")
    }

    func testWhatIsRefusedProposesNothing() throws {
        let home = TestHome()
        for (trailers, kind, words) in [
            ([("Approved-by", "auto")], MinicError.Kind.badInput, "one minic writes itself"),
            ([("task-id", "9")], .badInput, "one minic writes itself"),
            ([("Not a key", "x")], .badInput, "a trailer name is"),
            ([("9Lives", "x")], .badInput, "a trailer name is"),
            ([("Model", "\u{1B}[31m\n")], .badInput, "has no value"),
            ([("Model", "a"), ("model", "b")], .badInput, "given twice"),
            ([("Model", String(repeating: "m", count: 201))], .badInput, "over 200 characters"),
            ([("Model", "claude \(token)")], .refused, "secret"),
        ] as [([(key: String, value: String)], MinicError.Kind, String)] {
            let error = assertMinicError(kind) { try home.engine().propose(request(trailers)) }
            XCTAssertTrue(error?.message.contains(words) ?? false, "\(trailers): \(error?.message ?? "")")
            XCTAssertFalse((error?.message ?? "").contains(token) || (error?.details ?? []).joined().contains(token), "the secret is never shown")
        }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/"), [], "nothing proposed")
        XCTAssertFalse(home.git("log", "--all", "--format=%B").stdout.contains(token))
    }
}
