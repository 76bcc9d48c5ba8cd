import Foundation
import MinicTestSupport
import XCTest

/// `--check`: what the model writes is analysed, then run in the sandbox on a scratch copy of the task's files,
/// never on them; failing checks go back to the model with `--fix-rounds`. Against the loopback model server,
/// whose `reply-file:` and `reply-fix:` models answer with prepared text.
final class TaskChecksCLITests: XCTestCase {
    static let wrongCalc = "def add(a, b):\n    return a - b\n"
    static let testCalc = """
        import unittest
        from calc import add


        class AddTest(unittest.TestCase):
            def test_add(self):
                self.assertEqual(add(2, 3), 5)


        if __name__ == "__main__":
            unittest.main()

        """

    /// A project (its own git repository) with a wrong `calc.py` and its test, a home, a model server and
    /// answer files.
    struct Project {
        let home = TestHome()
        let project = TemporaryDirectory("project")
        let answers = TemporaryDirectory("answers")
        let server: MessagesServer

        init() throws {
            server = try MessagesServer()
            project.write("calc.py", TaskChecksCLITests.wrongCalc)
            project.write("test_calc.py", TaskChecksCLITests.testCalc)
            _ = Shell.run("git", ["-C", project.path, "init", "-q", "-b", "main"], environment: Shell.testEnvironment)
            _ = Shell.run("git", ["-C", project.path, "add", "-A"], environment: Shell.testEnvironment)
            _ = Shell.run("git", ["-C", project.path, "commit", "-q", "-m", "start"], environment: Shell.testEnvironment)
            home.commitOnMain("a model and a short sandbox limit") {
                $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0}, "sandbox": {"timeout_seconds": 3, "cpu_seconds": 3}}"#)
            }
        }

        /// `minic ARGS --home HOME`, run in the project directory with the model server's address and key.
        func minic(_ arguments: [String], input: Data? = nil) -> CommandResult {
            var environment = Shell.testEnvironment
            environment["ANTHROPIC_API_KEY"] = "test-key-123"
            environment["ANTHROPIC_BASE_URL"] = server.baseURL
            return Shell.run(Shell.minicBinary, arguments + ["--home", home.path], in: project.path, environment: environment, input: input)
        }

        /// A task's JSON (`tasks show --json`).
        func task(_ id: Int) throws -> [String: Any] {
            let shown = minic(["tasks", "show", String(id), "--json"])
            XCTAssertEqual(shown.status, 0, shown.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        }

        func answer(_ name: String, _ text: String) -> String {
            answers.write(name, text)
            return answers.path + "/" + name
        }

        func assertUntouched(file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(project.read("calc.py"), TaskChecksCLITests.wrongCalc, "the user's file is never written", file: file, line: line)
            let status = Shell.run("git", ["-C", project.path, "status", "--porcelain"], environment: Shell.testEnvironment).stdout
            XCTAssertEqual(status, "", "nothing in the project changed", file: file, line: line)
        }
    }

    static let rightAnswer = "Here is the fix.\n\n```python title=calc.py\ndef add(a, b):\n    return a + b\n```\n"
    static let wrongAnswer = "Here is the fix.\n\n```python title=calc.py\ndef add(a, b):\n    return a * b\n```\n"

    func testACorrectAnswerPassesItsCheckAndTheUsersFilesStayAsTheyWere() throws {
        let setup = try Project()
        let right = setup.answer("right.md", Self.rightAnswer)
        let run = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "make add add", "--check", "python3 -m unittest", "--model",
            "reply-file:" + right,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let task = try setup.task(1)
        XCTAssertEqual(task["state"] as? String, "succeeded")
        let checks = try XCTUnwrap(task["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.count, 1)
        XCTAssertEqual(checks[0]["command"] as? String, "python3 -m unittest")
        XCTAssertEqual(checks[0]["exit_status"] as? Int, 0)
        XCTAssertEqual(checks[0]["passed"] as? Bool, true)
        XCTAssertTrue((checks[0]["stderr"] as? String ?? "").contains("Ran 1 test"), "\(checks[0])")
        XCTAssertEqual(task["provider"] as? String, "anthropic")
        XCTAssertEqual(task["model"] as? String, "reply-file:" + right)
        XCTAssertEqual((task["options"] as? [String: Any])?["checks"] as? [String], ["python3 -m unittest"])
        setup.assertUntouched()
        // The model saw paths relative to the project, the ones its answer writes.
        let sent = try XCTUnwrap((setup.server.requests.last?["body"] as? [String: Any])?["messages"] as? [[String: String]])
        XCTAssertTrue(sent[0]["content"]?.contains("Context file: calc.py") == true, sent[0]["content"] ?? "")
    }

    func testAWrongAnswerFailsAndOneFixRoundFixesIt() throws {
        let setup = try Project()
        let wrong = setup.answer("wrong.md", Self.wrongAnswer)
        let right = setup.answer("right.md", Self.rightAnswer)
        let failed = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "make add add", "--check", "python3 -m unittest", "--model",
            "reply-file:" + wrong,
        ])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("checks failed: `python3 -m unittest` exit 1"), failed.stderr)
        let first = try setup.task(1)
        XCTAssertEqual(first["state"] as? String, "dead", "a failing check is final for the run")
        XCTAssertTrue((first["result"] as? String ?? "").contains("return a * b"), "the answer is kept to read")
        XCTAssertTrue(((first["checks"] as? [[String: Any]])?.first?["stderr"] as? String ?? "").contains("AssertionError"))

        let fixed = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "make add add", "--check", "python3 -m unittest", "--fix-rounds", "1",
            "--model", "reply-fix:\(wrong):\(right)",
        ])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        let second = try setup.task(2)
        XCTAssertEqual(second["state"] as? String, "succeeded")
        let checks = try XCTUnwrap(second["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.map { $0["round"] as? Int }, [0, 1])
        XCTAssertEqual(checks.map { $0["passed"] as? Bool }, [false, true])
        XCTAssertTrue((second["result"] as? String ?? "").contains("return a + b"))
        // The fix round's prompt carried the failure; both calls are counted.
        let fixPrompt = try XCTUnwrap(((setup.server.requests.last?["body"] as? [String: Any])?["messages"] as? [[String: String]])?.first?["content"])
        XCTAssertTrue(fixPrompt.contains("failed (exit 1)"), fixPrompt)
        XCTAssertTrue(fixPrompt.contains("AssertionError"), fixPrompt)
        XCTAssertTrue(fixPrompt.contains("return a * b"), "the previous answer goes back")
        let usage = try XCTUnwrap(second["usage"] as? [String: Any])
        let oneCall = try XCTUnwrap((first["usage"] as? [String: Any])?["input_tokens"] as? Int)
        XCTAssertEqual(usage["input_tokens"] as? Int, 2 * oneCall, "two calls' usage")
        let log = setup.home.read("state/activity.log") ?? ""
        XCTAssertTrue(log.contains("task 2: fix round 1 of 1"), log)
        setup.assertUntouched()
    }

    func testDangerousCodeIsNeverExecuted() throws {
        let setup = try Project()
        let evil = setup.answer("evil.md", "```python title=calc.py\nimport os\nos.system(\"rm -rf ~\")\n\ndef add(a, b):\n    return a + b\n```\n")
        let run = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "x", "--check", "python3 -m unittest", "--model", "reply-file:" + evil,
        ])
        XCTAssertEqual(run.status, 1)
        let task = try setup.task(1)
        XCTAssertEqual(task["state"] as? String, "dead")
        XCTAssertEqual(task["blocked"] as? Bool, true)
        XCTAssertEqual((task["checks"] as? [Any])?.count, 0, "nothing ran")
        XCTAssertTrue((task["result"] as? String ?? "").contains("BLOCKED"), "the answer is kept, marked")
        XCTAssertFalse((setup.home.read("state/activity.log") ?? "").contains("check `python3"), "no check line: nothing executed")
        setup.assertUntouched()
    }

    func testAnAnswerWritingOutsideItsFilesIsRefused() throws {
        let setup = try Project()
        let outside = TemporaryDirectory("outside")
        let answers = [
            "```python title=../escape.py\nprint(1)\n```\n",
            "```python title=\(outside.path)/abs.py\nprint(1)\n```\n",
            "```diff\n--- /dev/null\n+++ b/../escape.py\n@@ -0,0 +1 @@\n+print(1)\n```\n",
            "```diff\ndiff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+\(outside.path)\n\\ No newline at end of file\n```\n",
            "```python title=.git/hooks/pre-commit\nprint(1)\n```\n",
        ]
        for (index, text) in answers.enumerated() {
            let path = setup.answer("escape-\(index).md", text)
            let run = setup.minic(["run", "--type", "generate", "x", "--file", "calc.py", "--check", "true", "--model", "reply-file:" + path])
            XCTAssertEqual(run.status, 1, text)
            let task = try setup.task(index + 1)
            XCTAssertEqual(task["state"] as? String, "dead", text)
            XCTAssertNotNil(task["not_executed"] as? String, text)
            XCTAssertEqual((task["checks"] as? [Any])?.count, 0, "nothing ran: \(text)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: setup.project.path + "/../escape.py"))
        XCTAssertFalse(outside.exists("abs.py"))
        setup.assertUntouched()
    }

    func testACheckThatLoopsForeverHitsTheTimeLimit() throws {
        let setup = try Project()
        let loop = setup.answer("loop.md", "```python title=spin.py\nwhile True:\n    pass\n```\n")
        let started = Date()
        let run = setup.minic(["run", "--type", "generate", "x", "--check", "python3 spin.py", "--model", "reply-file:" + loop])
        XCTAssertEqual(run.status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        let checks = try XCTUnwrap(try setup.task(1)["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.first?["limit"] as? String, "timeout", "\(checks)")
        XCTAssertEqual(checks.first?["passed"] as? Bool, false)
    }

    func testChecksComeFromSubmitLinesAndAreCheckedThere() throws {
        let setup = try Project()
        let line = #"{"type": "generate", "prompt": "p", "checks": ["python3 -m unittest"], "fix_rounds": 1, "model": "m-1", "allow_failing_checks": true}"#
        let submitted = setup.minic(["submit", "--from", "-"], input: Data(line.utf8))
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let options = try XCTUnwrap(try setup.task(1)["options"] as? [String: Any])
        XCTAssertEqual(options["checks"] as? [String], ["python3 -m unittest"])
        XCTAssertEqual(options["fix_rounds"] as? Int, 1)
        XCTAssertEqual(options["model"] as? String, "m-1")
        XCTAssertEqual(options["allow_failing_checks"] as? Bool, true)
        for (bad, message) in [
            (#"{"type": "generate", "checks": "true"}"#, #""checks" must be an array of strings"#),
            (#"{"type": "generate", "checks": ["a\nb"]}"#, "control character"),
            (#"{"type": "generate", "fix_rounds": 9}"#, "fix rounds must be 0 to 5"),
            (#"{"type": "generate", "allow_failing_checks": 1}"#, #""allow_failing_checks" must be true or false"#),
        ] {
            let refused = setup.minic(["submit", "--from", "-"], input: Data(bad.utf8))
            XCTAssertNotEqual(refused.status, 0, bad)
            XCTAssertTrue(refused.stderr.contains(message), "\(bad): \(refused.stderr)")
        }
    }

    /// A worker runs a queued task's checks the same way.
    func testAWorkerRunsTheChecksOfAQueuedTask() throws {
        let setup = try Project()
        let right = setup.answer("right.md", Self.rightAnswer)
        let submitted = setup.minic([
            "submit", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "make add add", "--check", "python3 -m unittest", "--model",
            "reply-file:" + right,
        ])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let worker = setup.minic(["worker", "--drain", "--grace", "5"])
        XCTAssertEqual(worker.status, 0, worker.stderr)
        let task = try setup.task(1)
        XCTAssertEqual(task["state"] as? String, "succeeded")
        XCTAssertEqual((task["checks"] as? [[String: Any]])?.first?["passed"] as? Bool, true)
        setup.assertUntouched()
    }

    /// A self-update task with checks runs them on the home's files plus its diff, and the proposal says how they went.
    func testASelfUpdateRecordsItsChecksInTheProposal() throws {
        let setup = try Project()
        let home = setup.home
        home.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0, "temperature": 0.5}, "sandbox": {"timeout_seconds": 3, "cpu_seconds": 3}}"#)
        let diff = home.git("diff").stdout
        home.git("checkout", "--", "config.json")
        let answer = setup.answer("update.md", "Title: Warmer answers\n\n```diff\n\(diff)```\n")
        let run = setup.minic(["run", "--type", "self_update", "warmer answers", "--check", "grep -q 0.5 config.json", "--model", "reply-file:" + answer])
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try setup.task(1)["result"] as? String ?? ""
        XCTAssertTrue(result.contains("proposal 0001-warmer-answers"), result)
        let message = home.git("log", "-1", "--format=%B", "proposals/0001-warmer-answers").stdout
        XCTAssertTrue(message.contains("Checks:\n- `grep -q 0.5 config.json`: passed"), message)
        GitChecks.assertFsckClean(home.path)

        // A check that fails: no proposal, the task dead with its answer.
        let failing = setup.minic(["run", "--type", "self_update", "warmer answers", "--check", "grep -q 0.9 config.json", "--model", "reply-file:" + answer])
        XCTAssertEqual(failing.status, 1)
        XCTAssertEqual(home.git("branch", "--list", "proposals/0002*").stdout, "", "nothing proposed")
    }
}
