import Foundation
import MinicTestSupport
import XCTest

/// `minic update watch` end to end: real tasks run by a worker against the loopback model server,
/// passing their check before a merge and failing it after (`--check false`), then the CLI's verdict
/// and the revert proposal it makes, read back with git.
final class UpdateWatchCLITests: XCTestCase {
    struct Setup {
        let home = TestHome()
        let server: MessagesServer
        let files = TemporaryDirectory("watch-tasks")

        init() throws {
            server = try MessagesServer()
            home.commitOnMain("a model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0}}"#) }
        }

        /// `minic ARGS --home HOME` with the model server's address and key.
        func minic(_ arguments: String...) -> CommandResult {
            var environment = Shell.testEnvironment
            environment["ANTHROPIC_API_KEY"] = "test-key-123"
            environment["ANTHROPIC_BASE_URL"] = server.baseURL
            return Shell.run(Shell.minicBinary, arguments + ["--home", home.path], in: home.path, environment: environment)
        }

        /// Queues `count` explain tasks whose check is `check`, and runs them with a worker.
        func run(_ count: Int, check: String) {
            let lines = (0..<count).map { #"{"type": "explain", "prompt": "task \#($0)", "checks": ["\#(check)"]}"# }
            files.write("tasks.jsonl", lines.joined(separator: "\n") + "\n")
            let submitted = minic("submit", "--from", files.path + "/tasks.jsonl")
            XCTAssertEqual(submitted.status, 0, submitted.stderr)
            let worker = minic("worker", "--drain", "--concurrency", "4", "--grace", "5")
            XCTAssertEqual(worker.status, 0, worker.stderr)
        }

        func watch(_ extra: String...) throws -> (CommandResult, [String: Any]) {
            let result = Shell.run(
                Shell.minicBinary, ["update", "watch", "--json"] + extra + ["--home", home.path], in: home.path, environment: Shell.testEnvironment)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (result, try XCTUnwrap(json, result.stdout + result.stderr))
        }
    }

    func testFailingTasksAfterAMergeProposeItsRevert() throws {
        let setup = try Setup()
        let before = setup.home.head()
        setup.run(20, check: "true")
        let (quiet, calm) = try setup.watch()
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(calm["merge"] as? NSNull, NSNull(), "no merge yet")

        let merge = setup.home.mergeChange("prompt_templates/explain.mustache", appending: "Answer badly.", title: "Worse explanations")
        setup.run(8, check: "false")
        let (result, report) = try setup.watch()
        XCTAssertEqual(result.status, 0, "a revert proposed is no error: \(result.stderr)")
        XCTAssertEqual(report["merge"] as? String, merge)
        XCTAssertEqual(report["window"] as? Int, 50)
        XCTAssertEqual(report["before"] as? [String: Double], ["tasks": 20, "bad": 0, "failed": 0, "rate": 0])
        XCTAssertEqual(report["after"] as? [String: Double], ["tasks": 8, "bad": 8, "failed": 8, "rate": 1])
        XCTAssertLessThan(try XCTUnwrap(report["p_value"] as? Double), 0.05)
        XCTAssertEqual(report["eval_delta"] as? NSNull, NSNull())
        XCTAssertEqual(report["regression"] as? Bool, true)
        XCTAssertEqual(report["merged"] as? Bool, false)
        let id = try XCTUnwrap(report["proposal"] as? String)

        // git itself: the trailer names the merge, and the proposal's tree is main's before it.
        let trailer = setup.home.git("log", "-1", "--format=%(trailers:key=Reverts,valueonly)", "proposals/" + id).stdout
        XCTAssertEqual(trailer.trimmingCharacters(in: .whitespacesAndNewlines), merge)
        XCTAssertEqual(setup.home.git("diff", "--stat", before, "proposals/" + id).stdout, "")
        XCTAssertTrue(setup.home.git("diff", merge, "proposals/" + id).stdout.contains("-Answer badly."))
        XCTAssertTrue(setup.home.activityLog.contains("update: revert proposed \(id)"), setup.home.activityLog)

        // Again: the same proposal, none new; the text form says so.
        let again = setup.home.minic("update", "watch")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("verdict: regression"), again.stdout)
        XCTAssertTrue(again.stdout.contains("revert already proposed: \(id)"), again.stdout)
        XCTAssertEqual(setup.home.git("for-each-ref", "refs/heads/proposals").stdout.split(separator: "\n").count, 1)

        let bad = setup.home.minic("update", "watch", "--window", "0")
        XCTAssertEqual(bad.status, 2, bad.stderr)
    }
}
