import Foundation
import MinicTestSupport
import XCTest

/// `minic worker` on a signed home: a self_update task's auto-merge is signed with the worker's key (role `auto`),
/// and a main moved by plain git to an unsigned commit runs nothing: the tasks stay queued.
final class SignedWorkerCLITests: XCTestCase {
    let keys = SSHKeys()

    private func sqlite(_ home: TestHome, _ sql: String) -> String {
        Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testASelfUpdateAutoMergeIsSignedWithTheWorkersKeyAndAnUnsignedMainHoldsTasks() throws {
        let server = try MessagesServer()
        let machine = keys.make("machine")
        let home = TestHome(signingKey: keys.make("admin"))
        let added = home.minic("update", "signers", "add", "ci@example.com", machine + ".pub", "--role", "auto")
        XCTAssertEqual(added.status, 0, added.stderr)
        let answer = TemporaryDirectory("answer")
        let model = #""llm": {"model": "reply-file:\#(answer.path)/answer.txt"}"#
        home.mergeChange("config.json", title: "model proposals auto-merge") { _ in
            #"{"version": 1, \#(model), "updates": {"auto_merge_model_proposals": true}}"# + "\n"
        }
        // The model's answer: a diff of a template (an auto path), made with git against the head.
        let template = "prompt_templates/explain.mustache"
        let before = try XCTUnwrap(home.read(template))
        home.write(template, before + "Be brief.\n")
        let diff = home.git("diff").stdout
        home.git("checkout", "--", template)
        answer.write("answer.txt", "Title: Brief explanations\n\n```diff\n\(diff)```\n")
        // Only the worker's environment names a key: the machine's, which may sign auto-merges only.
        XCTAssertEqual(home.git("config", "--unset", "user.signingkey").status, 0)
        let environment = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL, "MINIC_SIGNING_KEY": machine]

        // Without a key the auto-merge is refused, nothing moves, and the proposal waits for review.
        let unmerged = home.head()
        XCTAssertEqual(home.minic("submit", "--type", "self_update", "shorter explanations").status, 0)
        var keyless = environment
        keyless["MINIC_SIGNING_KEY"] = ""
        XCTAssertEqual(home.minic("worker", "--drain", environment: keyless).status, 0)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 1"), "succeeded")
        let waiting = sqlite(home, "SELECT result FROM tasks WHERE id = 1")
        XCTAssertTrue(waiting.contains("is waiting for review (not auto-merged: ") && waiting.contains("MINIC_SIGNING_KEY"), waiting)
        XCTAssertEqual(home.head(), unmerged)

        XCTAssertEqual(home.minic("submit", "--type", "self_update", "shorter explanations").status, 0)
        let worked = home.minic("worker", "--drain", environment: environment)
        XCTAssertEqual(worked.status, 0, worked.stderr)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 2"), "succeeded")
        XCTAssertTrue(sqlite(home, "SELECT result FROM tasks WHERE id = 2").contains("auto-approved and merged"))
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto")
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Approved-by"), "auto")
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Task-Id"), "2")
        let fingerprint = Shell.run("ssh-keygen", ["-l", "-E", "sha256", "-f", machine + ".pub"]).stdout.split(separator: " ")[1]
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Signed-by"), "ci@example.com \(fingerprint)")
        let verifyCommit = home.git("-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + home.path + "/allowed_signers", "verify-commit", "HEAD")
        XCTAssertEqual(verifyCommit.status, 0, verifyCommit.stderr)
        XCTAssertEqual(home.minic("update", "verify").status, 0)
        XCTAssertEqual(home.read(template), before + "Be brief.\n")

        // Main moved by plain git to a commit nobody signed: the worker runs nothing, says why in one line, loses nothing.
        XCTAssertEqual(home.minic("submit", "--type", "explain", "what is this?").status, 0)
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }
        let refused = home.minic("worker", "--drain", environment: environment)
        XCTAssertEqual(refused.status, 1, refused.stdout)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("main of \(home.path) is not approved: commit \(bad.prefix(12)) (sneaky) not signed"), refused.stderr)
        XCTAssertEqual(sqlite(home, "SELECT state || ' ' || attempts FROM tasks WHERE id = 3"), "queued 0")
        // Back on the approved head, it runs.
        let good = home.git("rev-parse", "HEAD^").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.minic("update", "rollback", good, "--yes").status, 0)
        XCTAssertEqual(home.minic("worker", "--drain", environment: environment).status, 0)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 3"), "succeeded")
    }
}
