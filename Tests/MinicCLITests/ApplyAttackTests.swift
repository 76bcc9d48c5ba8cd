import Foundation
import MinicTestSupport
import XCTest

/// What an attack on `apply` found, held shut: a fence's label does not decide what a file is, no minic home (nor a
/// linked worktree of one) is written, a secret in any shape is never written, and `--commit` commits on branches only.
final class ApplyAttackTests: XCTestCase {
    typealias Project = TaskChecksCLITests.Project

    func run(_ setup: Project, _ answer: String) -> CommandResult {
        let path = setup.answer("answer-\(UUID().uuidString).md", answer)
        return setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + path])
    }

    func testAMislabelledFenceIsJudgedByItsFileName() throws {
        let setup = try Project()
        for (before, fence) in ["```text title=evil.py", "```title=evil.sh", "```js title=evil.py"].enumerated() {
            let code = fence.hasSuffix(".sh") ? "rm -rf /\n" : "import os\nos.system(\"rm -rf /\")\n"
            let result = run(setup, "\(fence)\n\(code)```\n")
            XCTAssertEqual(result.status, 1, fence)
            let task = try setup.task(before + 1)
            XCTAssertEqual(task["blocked"] as? Bool, true, fence)
            XCTAssertNotEqual(setup.minic(["apply", String(before + 1)]).status, 0, fence)
        }
        setup.assertUntouched()
    }

    func testNoHomeAndNoLinkedWorktreeOfOneIsWritten() throws {
        let setup = try Project()
        XCTAssertEqual(run(setup, "```python title=calc.py\ndef add(a, b):\n    return a + b\n```\n").status, 0)
        // The active home's linked worktree, and another home, as the current directory.
        let other = TestHome()
        let linked = TemporaryDirectory("linked").path + "/wt"
        XCTAssertEqual(setup.home.git("worktree", "add", "--force", linked, "main").status, 0)
        for directory in [linked, other.path] {
            var environment = Shell.testEnvironment
            environment["ANTHROPIC_API_KEY"] = "test-key-123"
            let applied = Shell.run(Shell.minicBinary, ["apply", "1", "--commit", "--home", setup.home.path], in: directory, environment: environment)
            XCTAssertNotEqual(applied.status, 0, directory)
            XCTAssertTrue(applied.stderr.contains("is a minic home") || applied.stderr.contains("not in this work tree"), applied.stderr)
        }
        XCTAssertEqual(other.git("status", "--porcelain").stdout, "")
        XCTAssertEqual(setup.home.git("log", "--oneline", "main").stdout.split(separator: "\n").count, 2, "the home's main did not move")
    }

    func testASecretInADiffIsNeverWrittenAndCommitNeedsABranch() throws {
        let setup = try Project()
        let encoded = Data("ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d".utf8).base64EncodedString()
        XCTAssertEqual(run(setup, "```diff\n--- /dev/null\n+++ b/e1.txt\n@@ -0,0 +1 @@\n+\(encoded)\n```\n").status, 0)
        let refused = setup.minic(["apply", "1"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("writes a secret into e1.txt"), refused.stderr)
        XCTAssertFalse(setup.project.exists("e1.txt"))

        XCTAssertEqual(run(setup, "```python title=calc.py\ndef add(a, b):\n    return a + b\n```\n").status, 0)
        _ = Shell.run("git", ["-C", setup.project.path, "tag", "v1"], environment: Shell.testEnvironment)
        _ = Shell.run("git", ["-C", setup.project.path, "symbolic-ref", "HEAD", "refs/tags/v1"], environment: Shell.testEnvironment)
        let onTag = setup.minic(["apply", "2", "--commit"])
        XCTAssertNotEqual(onTag.status, 0)
        XCTAssertTrue(onTag.stderr.contains("not a branch"), onTag.stderr)
        XCTAssertEqual(setup.project.read("calc.py"), TaskChecksCLITests.wrongCalc, "checked before anything is written")
    }
}
