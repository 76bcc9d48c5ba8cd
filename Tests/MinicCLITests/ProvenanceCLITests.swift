import Foundation
import MinicTestSupport
import XCTest

/// A proposal a self_update task makes says where it came from, in trailers the git CLI reads: `Task-Id`, `Model`,
/// `Prompt-Sha256` (of the first call's rendered prompt), `Input-Tokens` and `Output-Tokens` over every round, and
/// `Cost-USD` only for a priced model; the merge of it on main carries `Task-Id` and `Model`.
final class ProvenanceCLITests: XCTestCase {
    /// `git log --format='%(trailers:key=KEY,valueonly)' -1 REV`, as a person would read it.
    func trailer(_ home: TestHome, _ rev: String, _ key: String) -> String {
        home.git("log", "-1", "--format=%(trailers:key=\(key),valueonly)", rev).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testASelfUpdateProposalCarriesItsProvenanceAndItsMergeTheModel() throws {
        let setup = try TaskChecksCLITests.Project()
        let home = setup.home
        // The loopback model answers the fixed diff once its prompt shows a failed check ("failed ("): fix.mustache
        // holds those words, so it is protected here, which keeps it out of what a self_update shows the model.
        home.commitOnMain("fix.mustache protected") { $0.write("protected.list", ($0.read("protected.list") ?? "") + "prompt_templates/fix.mustache\n") }
        // A first answer that fails its check, and a fixed one the fix round gets: two model calls.
        func diff(temperature: String) -> String {
            home.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0, "temperature": \#(temperature)}, "sandbox": {"timeout_seconds": 3, "cpu_seconds": 3}}"#)
            defer { home.git("checkout", "--", "config.json") }
            return home.git("diff").stdout
        }
        let wrong = setup.answer("wrong.md", "Title: Warmer answers\n\n```diff\n\(diff(temperature: "0.9"))```\n")
        let right = setup.answer("right.md", "Title: Warmer answers\n\n```diff\n\(diff(temperature: "0.5"))```\n")
        let model = "reply-fix:\(wrong):\(right)"
        let run = setup.minic([
            "run", "--type", "self_update", "warmer answers", "--check", "grep -q 0.5 config.json", "--fix-rounds", "1", "--model", model,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let branch = "proposals/0001-warmer-answers"
        XCTAssertEqual(trailer(home, branch, "Task-Id"), "1")
        XCTAssertEqual(trailer(home, branch, "Model"), model)
        // Each call of the loopback server reports 25 input and 7 output tokens: the totals are over both rounds.
        XCTAssertEqual(trailer(home, branch, "Input-Tokens"), "50")
        XCTAssertEqual(trailer(home, branch, "Output-Tokens"), "14")
        XCTAssertEqual(trailer(home, branch, "Cost-USD"), "", "a model with no known price has no cost trailer")
        let task = try setup.task(1)
        XCTAssertEqual((task["usage"] as? [String: Any])?["input_tokens"] as? Int, 50, "the trailers agree with the task")

        // Prompt-Sha256: sha256sum of the first request's system prompt, two newlines and its user message, as sent.
        let first = try XCTUnwrap(setup.server.requests.first?["body"] as? [String: Any])
        let system = try XCTUnwrap(first["system"] as? String)
        let user = try XCTUnwrap((first["messages"] as? [[String: Any]])?.first?["content"] as? String)
        XCTAssertTrue(user.contains("warmer answers"))
        let hashed = Shell.run("sha256sum", [], input: Data((system + "\n\n" + user).utf8)).stdout.split(separator: " ").first.map(String.init)
        XCTAssertEqual(trailer(home, branch, "Prompt-Sha256"), hashed)
        XCTAssertEqual(setup.server.requests.count, 2, "a fix round was asked for")

        // The trailer block is one block git reads whole, in order.
        let keys = home.git("log", "-1", "--format=%(trailers:only,unfold)", branch).stdout.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
        XCTAssertEqual(keys, ["Proposal-Id", "Proposed-by", "Task-Id", "Model", "Prompt-Sha256", "Input-Tokens", "Output-Tokens"])

        // A person merges it: the merge on main names the task and the model.
        let merged = home.minic("update", "merge", "0001-warmer-answers", "--yes")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let log = home.git("log", "--first-parent", "--format=%H %(trailers:key=Task-Id,valueonly,separator=%x2C) %(trailers:key=Model,valueonly,separator=%x2C)", "main")
        let top = try XCTUnwrap(log.stdout.split(separator: "\n").first)
        XCTAssertEqual(top.split(separator: " ").dropFirst().joined(separator: " "), "1 \(model)", log.stdout)
        XCTAssertEqual(trailer(home, "main", "Approved-by").isEmpty, false)
        GitChecks.assertFsckClean(home.path)
    }
}
