import Foundation
import MinicTestSupport
import XCTest

/// What an attack on checks found, held shut: code in files no analyser reads never runs unasked, a deletion is
/// a person's call, a secret cut at the output limit is not kept in part, Ctrl-C stops a running check, a secret
/// in a check's command is refused, standard input is read only to the prompt limit, and a mode line does not
/// turn a file into a symlink.
final class TaskChecksAttackTests: XCTestCase {
    typealias Project = TaskChecksCLITests.Project
    static let testLines = TaskChecksCLITests.testCalc.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)

    func testFilesNoAnalyserReadsAndDeletionsAreAskedAbout() throws {
        let setup = try Project()
        let answers = [
            // A doctest in a README run by a clean-looking test module.
            "```python title=test_docs.py\nimport doctest\n\ndef load_tests(loader, tests, ignore):\n    tests.addTests(doctest.DocFileSuite(\"README.md\"))\n    return tests\n```\n\n```markdown title=README.md\n>>> import os; os.system(\"touch ran\")\n0\n```\n",
            // npm's scripts live in package.json.
            "```json title=package.json\n{\"scripts\": {\"test\": \"touch ran\"}}\n```\n",
            // Taking the test away makes `python3 -m unittest` pass with no test.
            "```diff\ndiff --git a/test_calc.py b/test_calc.py\ndeleted file mode 100644\n--- a/test_calc.py\n+++ /dev/null\n@@ -1,\(Self.testLines.count) +0,0 @@\n"
                + Self.testLines.map { "-" + $0 }.joined(separator: "\n") + "\n```\n",
        ]
        for (index, text) in answers.enumerated() {
            let path = setup.answer("ask-\(index).md", text)
            let run = setup.minic([
                "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "x", "--check", "python3 -m unittest; ls ran", "--model",
                "reply-file:" + path,
            ])
            XCTAssertEqual(run.status, 1, text)
            let task = try setup.task(index + 1)
            XCTAssertEqual((task["checks"] as? [Any])?.count, 0, "nothing ran: \(text)")
            let why = task["not_executed"] as? String ?? ""
            XCTAssertTrue(why.contains("needs a person's review"), why)
            XCTAssertTrue(why.contains(index == 2 ? "file-deleted" : "code-unanalysed"), why)
        }
        setup.assertUntouched()
    }

    func testASecretCutAtTheOutputLimitIsNotKeptInPart() throws {
        let setup = try Project()
        setup.home.commitOnMain("a small output limit") {
            $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0}, "sandbox": {"max_output_kb": 1}}"#)
        }
        let token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
        setup.project.write("token.txt", token + "\n")
        let answer = setup.answer("fine.md", TaskChecksCLITests.rightAnswer)
        for padding in [984, 1000, 1010] {
            _ = setup.minic([
                "run", "--type", "generate", "--file", "calc.py", "--file", "token.txt", "x", "--check",
                "python3 -c \"print('x' * \(padding))\"; cat token.txt", "--model", "reply-file:" + answer,
            ])
        }
        let stored = Shell.run("sqlite3", [setup.home.path + "/state/queue.sqlite3", "SELECT report FROM tasks"]).stdout
        XCTAssertFalse(stored.isEmpty)
        for length in 8...token.count { XCTAssertFalse(stored.contains(token.prefix(length)), "\(length) characters of the token kept") }
        XCTAssertTrue(stored.contains("unfinished line cut at sandbox.max_output_kb was withheld"), stored)
    }

    func testCtrlCDuringACheckCancelsTheTask() throws {
        let setup = try Project()
        let answer = setup.answer("fine.md", TaskChecksCLITests.rightAnswer)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = [
            "run", "--type", "generate", "--file", "calc.py", "x", "--check", "sleep 30", "--model", "reply-file:" + answer, "--home", setup.home.path,
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: setup.project.path)
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = setup.server.baseURL
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while setup.server.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 1.5)  // the answer is in; the check is sleeping
        let interrupted = Date()
        kill(process.processIdentifier, SIGINT)
        while process.isRunning && Date().timeIntervalSince(interrupted) < 10 { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(process.isRunning, "the check is killed, not waited for")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 10)
        XCTAssertEqual(process.terminationStatus, 1)
        let state = Shell.run("sqlite3", [setup.home.path + "/state/queue.sqlite3", "SELECT state FROM tasks WHERE id = 1"]).stdout
        XCTAssertEqual(state.trimmingCharacters(in: .whitespacesAndNewlines), "cancelled")
    }

    func testASecretInACheckOrAModelNameIsRefusedAndAHugePromptOnStdinIsNotReadWhole() throws {
        let setup = try Project()
        let token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
        for arguments in [["--check", "echo \(token)"], ["--model", token]] {
            let run = setup.minic(["submit", "--type", "generate", "x"] + arguments)
            XCTAssertNotEqual(run.status, 0)
            XCTAssertTrue(run.stderr.contains("holds a secret"), run.stderr)
            XCTAssertFalse(run.stderr.contains(token))
        }
        let huge = Data(repeating: UInt8(ascii: "y"), count: 300 << 10)
        let refused = setup.minic(["run", "--type", "explain", "-"], input: huge)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("over 262144 bytes"), refused.stderr)
        XCTAssertFalse((setup.home.read("state/activity.log") ?? "").contains(token))
        XCTAssertEqual(Shell.run("sqlite3", [setup.home.path + "/state/queue.sqlite3", "SELECT count(*) FROM tasks"]).stdout, "0\n")
    }

    func testAModeLineDoesNotTurnAFileIntoASymlink() throws {
        let home = TestHome()
        for mode in ["120000", "160000"] {
            home.write("kind.patch", "diff --git a/prompt_templates/analyze.mustache b/prompt_templates/analyze.mustache\nold mode 100644\nnew mode \(mode)\n")
            let proposed = home.minic("update", "propose", "--patch", home.path + "/kind.patch", "--title", "kind")
            XCTAssertNotEqual(proposed.status, 0, mode)
            XCTAssertTrue(proposed.stderr.contains("does not match old mode") || proposed.stderr.contains("gitlink"), proposed.stderr)
            XCTAssertEqual(home.git("branch", "--list", "proposals/*").stdout, "", "nothing proposed")
            // git agrees.
            XCTAssertNotEqual(home.git("apply", "--check", home.path + "/kind.patch").status, 0)
        }
    }
}
