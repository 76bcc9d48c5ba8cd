import Foundation
import MinicTestSupport
import XCTest

/// From answer to change: `minic result ID --patch` prints what the answer changes for `git apply`, and
/// `minic apply ID [--commit]` writes exactly that into the work tree (checked against a clone where the real
/// `git apply` ran), refusing — with nothing written — what is blocked, failed, dirty, stale or outside.
/// Against the loopback model server's `reply-file:` model, in the project of ``TaskChecksCLITests``.
final class ApplyCLITests: XCTestCase {
    typealias Project = TaskChecksCLITests.Project

    static let rightCalc = "def add(a, b):\n    return a + b\n"
    /// A plain unified diff: changes calc.py and the executable run.sh, adds notes/readme.md, removes old/old.txt.
    static let diffAnswer = """
        The fix, and a note:

        ```diff
        --- a/calc.py
        +++ b/calc.py
        @@ -1,2 +1,2 @@
         def add(a, b):
        -    return a - b
        +    return a + b
        --- a/run.sh
        +++ b/run.sh
        @@ -1,2 +1,2 @@
         #!/bin/sh
        -echo hi
        +echo hello
        --- /dev/null
        +++ b/notes/readme.md
        @@ -0,0 +1 @@
        +notes
        --- a/old/old.txt
        +++ /dev/null
        @@ -1 +0,0 @@
        -old
        ```

        """
    /// Named blocks: calc.py fixed, lib/util.py new.
    static let blocksAnswer = "Here.\n\n```python title=calc.py\n\(rightCalc)```\n\n```python title=lib/util.py\nTWO = 2\n```\n"

    /// The project with an executable script and a file in a directory of its own, committed, and task 1: the diff
    /// answer, its checks passing.
    private func projectWithDiffTask() throws -> Project {
        let setup = try Project()
        setup.project.write("run.sh", "#!/bin/sh\necho hi\n", executable: true)
        setup.project.write("old/old.txt", "old\n")
        GitChecks.commitAll(setup.project.path, "more files")
        // The answer adds a Markdown file and deletes one: asked about, so run only with security.execute_ask.
        setup.home.commitOnMain("run what is asked about") {
            $0.write(
                "config.json",
                #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0}, "sandbox": {"timeout_seconds": 3, "cpu_seconds": 3}, "security": {"execute_ask": true}}"#)
        }
        let answer = setup.answer("diff.md", Self.diffAnswer)
        let run = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "--file", "run.sh", "--file", "old/old.txt", "make add add",
            "--check", "python3 -m unittest", "--model", "reply-file:" + answer,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        return setup
    }

    /// A clone of the project with `patch` applied by the real `git apply` at its top.
    private func cloneWithGitApply(_ setup: Project, _ patch: String, file: StaticString = #filePath, line: UInt = #line) -> TemporaryDirectory {
        let clone = TemporaryDirectory("clone")
        let cloned = Shell.run("git", ["clone", "-q", setup.project.path, clone.path], environment: Shell.testEnvironment)
        XCTAssertEqual(cloned.status, 0, cloned.stderr, file: file, line: line)
        let applied = Shell.git(clone.path, "apply", "-", input: Data(patch.utf8))
        XCTAssertEqual(applied.status, 0, "git apply: \(applied.stderr)", file: file, line: line)
        return clone
    }

    func testResultPatchIsWhatGitApplyTakesAndTheProjectStaysAsItWas() throws {
        let setup = try projectWithDiffTask()
        XCTAssertEqual(GitChecks.status(setup.project.path), "", "running the task changed nothing")
        let printed = setup.minic(["result", "1", "--patch"])
        XCTAssertEqual(printed.status, 0, printed.stderr)
        XCTAssertEqual(printed.stderr, "")
        XCTAssertEqual(GitChecks.status(setup.project.path), "", "printing the patch changed nothing")
        XCTAssertEqual(setup.project.read("calc.py"), TaskChecksCLITests.wrongCalc)

        let clone = cloneWithGitApply(setup, printed.stdout)
        XCTAssertEqual(clone.read("calc.py"), Self.rightCalc)
        XCTAssertEqual(clone.read("run.sh"), "#!/bin/sh\necho hello\n")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: clone.path + "/run.sh"), "the script stays executable")
        XCTAssertEqual(clone.read("notes/readme.md"), "notes\n")
        XCTAssertFalse(clone.exists("old/old.txt"))
        XCTAssertEqual(clone.read("test_calc.py"), TaskChecksCLITests.testCalc, "a file the answer leaves alone")

        let json = setup.minic(["result", "1", "--patch", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["task"] as? Int, 1)
        XCTAssertEqual(object["base"] as? String, setup.project.path)
        XCTAssertEqual(object["files"] as? [String], ["calc.py", "notes/readme.md", "old/old.txt", "run.sh"])
        XCTAssertEqual(object["patch"] as? String, printed.stdout)
    }

    func testApplyWritesExactlyWhatGitApplyWrites() throws {
        let setup = try projectWithDiffTask()
        let patch = setup.minic(["result", "1", "--patch"]).stdout
        let clone = cloneWithGitApply(setup, patch)
        let applied = setup.minic(["apply", "1"])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        for line in ["modified  calc.py", "added     notes/readme.md", "deleted   old/old.txt", "modified  run.sh", "not committed"] {
            XCTAssertTrue(applied.stdout.contains(line), "\(line): \(applied.stdout)")
        }
        XCTAssertEqual(Self.snapshot(setup.project.path), Self.snapshot(clone.path), "the same files, contents, modes and directories (old/ gone)")
        XCTAssertEqual(GitChecks.status(setup.project.path), GitChecks.status(clone.path))
        XCTAssertEqual(GitChecks.revParse(setup.project.path, "HEAD"), GitChecks.revParse(clone.path, "HEAD"), "no commit without --commit")
    }

    func testApplyCommitCommitsExactlyTheTouchedPathsWithItsTrailers() throws {
        let setup = try Project()
        setup.project.write("other.txt", "staged, not the answer's\n")
        Shell.git(setup.project.path, "add", "other.txt")
        let before = try XCTUnwrap(GitChecks.revParse(setup.project.path, "HEAD"))
        let answer = setup.answer("blocks.md", Self.blocksAnswer)
        let prompt = "Make add() add its two arguments, and put the constant two in a module of its own\nand more"
        let run = setup.minic([
            "run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", prompt, "--check", "python3 -m unittest", "--model",
            "reply-file:" + answer,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)

        let applied = setup.minic(["apply", "1", "--commit", "--json"])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
        let head = try XCTUnwrap(GitChecks.revParse(setup.project.path, "HEAD"))
        XCTAssertEqual(object["commit"] as? String, head)
        XCTAssertEqual(object["branch"] as? String, "main")
        XCTAssertEqual(object["work_tree"] as? String, setup.project.path)
        let files = try XCTUnwrap(object["files"] as? [[String: String]])
        XCTAssertEqual(files, [["path": "calc.py", "change": "modified"], ["path": "lib/util.py", "change": "added"]])

        let title = "Apply minic task 1: " + String(prompt.prefix(60))
        XCTAssertEqual(object["title"] as? String, title)
        let message = Shell.git(setup.project.path, "log", "-1", "--format=%B").stdout
        XCTAssertTrue(message.hasPrefix(title + "\n\n"), message)
        let trailers = Shell.git(setup.project.path, "interpret-trailers", "--parse", input: Data(message.utf8)).stdout
        XCTAssertEqual(trailers, "Generated-by: minic task 1\nModel: reply-file:\(answer)\n")
        XCTAssertEqual(
            Shell.git(setup.project.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>").stdout, "Test Person <test@example.com>|Test Person <test@example.com>\n"
        )
        XCTAssertEqual(GitChecks.revParse(setup.project.path, "HEAD~1"), before, "on the branch, after the old head")
        XCTAssertEqual(Shell.git(setup.project.path, "show", "--name-only", "--format=", "HEAD").stdout, "calc.py\nlib/util.py\n", "exactly the touched paths")
        XCTAssertEqual(Shell.git(setup.project.path, "show", "HEAD:calc.py").stdout, Self.rightCalc)
        XCTAssertEqual(GitChecks.status(setup.project.path), "A  other.txt\n", "the index matches the commit; what was staged stays staged")
        GitChecks.assertFsckClean(setup.project.path)
    }

    func testGuardrailNotesAreCutOffBeforeTheAnswerIsRead() throws {
        let setup = try Project()
        setup.home.commitOnMain("subprocess with a shell: ask") {
            $0.write(
                "config.json",
                #"{"version": 1, "llm": {"provider": "anthropic", "max_retries": 0}, "security": {"rule_actions": {"py-subprocess-shell": "ask"}}}"#)
        }
        // A bare diff last: minic's notes come right after its final hunk.
        let answer = setup.answer(
            "ask.md",
            "Call it so:\n\n```python\nimport subprocess\nsubprocess.run(input(), shell=True)\n```\n\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
        )
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + answer]).status, 0)
        let result = setup.minic(["result", "1"]).stdout
        XCTAssertTrue(result.contains("\n\n---\nminic guardrails: review before running this code:\n- line"), result)
        let patch = setup.minic(["result", "1", "--patch"])
        XCTAssertEqual(patch.status, 0, patch.stderr)
        XCTAssertFalse(patch.stdout.contains("guardrails"), patch.stdout)
        let clone = cloneWithGitApply(setup, patch.stdout)
        XCTAssertEqual(clone.read("calc.py"), Self.rightCalc)
        let applied = setup.minic(["apply", "1"])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertEqual(Self.snapshot(setup.project.path), Self.snapshot(clone.path))
    }

    func testACommitThatCannotBeMadeSaysTheFilesAreWrittenAndMovesNothing() throws {
        let setup = try Project()
        let answer = setup.answer("blocks.md", Self.blocksAnswer)
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + answer]).status, 0)
        let head = GitChecks.revParse(setup.project.path, "HEAD")
        setup.project.write(".git/index.lock", "")  // another git at work
        let failed = setup.minic(["apply", "1", "--commit"])
        XCTAssertEqual(failed.status, 3, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("the files are written but not committed (git status shows them): calc.py, lib/util.py"), failed.stderr)
        XCTAssertEqual(GitChecks.revParse(setup.project.path, "HEAD"), head, "the branch did not move")
        XCTAssertEqual(setup.project.read("calc.py"), Self.rightCalc)
        unlink(setup.project.path + "/.git/index.lock")
        XCTAssertEqual(GitChecks.status(setup.project.path), " M calc.py\n?? lib/\n", "written, nothing staged")
    }

    func testBlockedAndFailedAnswersAreShownButNeverApplied() throws {
        let setup = try Project()
        let evil = setup.answer("evil.md", "```python title=calc.py\nimport os\nos.system(\"rm -rf ~\")\n\ndef add(a, b):\n    return a + b\n```\n")
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--check", "true", "--model", "reply-file:" + evil]).status, 1)
        let blocked = setup.minic(["result", "1"])
        XCTAssertEqual(blocked.status, 1)
        XCTAssertTrue(blocked.stdout.contains("os.system") && blocked.stdout.contains("BLOCKED"), "the answer is shown to read: \(blocked.stdout)")
        XCTAssertTrue(blocked.stderr.contains("blocked by the guardrails"), blocked.stderr)
        XCTAssertEqual(blocked.stderr.split(separator: "\n").count, 1, "one line: \(blocked.stderr)")
        for arguments in [["result", "1", "--patch"], ["apply", "1"], ["apply", "1", "--commit"]] {
            let refused = setup.minic(arguments)
            XCTAssertEqual(refused.status, 1, "\(arguments)")
            XCTAssertEqual(refused.stdout, "", "\(arguments)")
            XCTAssertTrue(refused.stderr.contains("blocked by the guardrails"), "\(arguments): \(refused.stderr)")
        }

        let wrong = setup.answer("wrong.md", TaskChecksCLITests.wrongAnswer)
        let check = ["--check", "python3 -m unittest", "--model", "reply-file:" + wrong]
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "--file", "test_calc.py", "x"] + check).status, 1)
        let failed = setup.minic(["result", "2"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stdout.contains("return a * b"), failed.stdout)
        XCTAssertTrue(failed.stderr.contains("task 2 is dead (checks failed"), failed.stderr)
        let failedPatch = setup.minic(["result", "2", "--patch"])
        XCTAssertEqual(failedPatch.status, 1)
        XCTAssertTrue(failedPatch.stdout.contains("+    return a * b"), "the patch is there to read: \(failedPatch.stdout)")
        XCTAssertTrue(failedPatch.stderr.contains("minic apply refuses it"), failedPatch.stderr)
        let notApplied = setup.minic(["apply", "2"])
        XCTAssertEqual(notApplied.status, 1)
        XCTAssertTrue(
            notApplied.stderr.contains("task 2 is dead") && notApplied.stderr.contains("only a succeeded task's answer is applied"), notApplied.stderr)

        let prose = setup.answer("prose.md", "Nothing to change: add() is fine as it is.\n")
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + prose]).status, 0)
        for arguments in [["result", "3", "--patch"], ["apply", "3"]] {
            let refused = setup.minic(arguments)
            XCTAssertEqual(refused.status, 1, "\(arguments)")
            XCTAssertTrue(refused.stderr.contains("task 3's answer writes no file"), "\(arguments): \(refused.stderr)")
        }
        XCTAssertEqual(setup.minic(["result", "3"]).stdout, "Nothing to change: add() is fine as it is.\n", "plain result as before")
        setup.assertUntouched()
    }

    func testApplyRefusesOutsideTheTasksWorkTreeAndADetachedHeadForACommit() throws {
        let setup = try Project()
        let answer = setup.answer("blocks.md", Self.blocksAnswer)
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + answer]).status, 0)

        let plain = TemporaryDirectory("not-git")
        let notGit = setup.minic(["apply", "1"], in: plain.path)
        XCTAssertEqual(notGit.status, 1)
        XCTAssertTrue(notGit.stderr.contains("is not in a git work tree"), notGit.stderr)
        XCTAssertFalse(plain.exists("calc.py"))

        let other = TemporaryDirectory("other-repo")
        Shell.git(other.path, "init", "-q", "-b", "main")
        let elsewhere = setup.minic(["apply", "1"], in: other.path)
        XCTAssertEqual(elsewhere.status, 1)
        XCTAssertTrue(elsewhere.stderr.contains("not in this work tree"), elsewhere.stderr)
        XCTAssertFalse(other.exists("calc.py") || other.exists("lib"))

        XCTAssertEqual(Shell.git(setup.project.path, "checkout", "-q", "--detach").status, 0)
        let detached = setup.minic(["apply", "1", "--commit"])
        XCTAssertEqual(detached.status, 1)
        XCTAssertTrue(detached.stderr.contains("HEAD is detached"), detached.stderr)
        XCTAssertFalse(setup.project.exists("lib"))
        setup.assertUntouched()
    }

    func testApplyRefusesUncommittedChangesInAFileItTouches() throws {
        let setup = try Project()
        let answer = setup.answer("blocks.md", Self.blocksAnswer)
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + answer]).status, 0)
        let mine = TaskChecksCLITests.wrongCalc + "# my change, not committed\n"
        setup.project.write("calc.py", mine)
        let refused = setup.minic(["apply", "1"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("uncommitted changes"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("\n  calc.py\n"), "names the file: \(refused.stderr)")
        XCTAssertEqual(setup.project.read("calc.py"), mine, "the person's change is kept")
        XCTAssertFalse(setup.project.exists("lib"), "no other file written either")
    }

    func testAPatchThatNoLongerAppliesLeavesEveryFileAsItWas() throws {
        let setup = try projectWithDiffTask()
        // calc.py changed and committed since the answer: its hunk no longer applies.
        let changed = "def add(a, b):\n    return a - b  # subtracts\n"
        setup.project.write("calc.py", changed)
        let head = GitChecks.commitAll(setup.project.path, "calc changed")
        for arguments in [["apply", "1"], ["apply", "1", "--commit"], ["result", "1", "--patch"]] {
            let refused = setup.minic(arguments)
            XCTAssertEqual(refused.status, 1, "\(arguments)")
            XCTAssertTrue(refused.stderr.contains("does not apply") && refused.stderr.contains("calc.py"), "\(arguments): \(refused.stderr)")
        }
        XCTAssertEqual(setup.project.read("calc.py"), changed)
        XCTAssertEqual(setup.project.read("run.sh"), "#!/bin/sh\necho hi\n", "the file whose hunk would apply is not written either")
        XCTAssertTrue(setup.project.exists("old/old.txt"))
        XCTAssertFalse(setup.project.exists("notes"))
        XCTAssertEqual(GitChecks.status(setup.project.path), "")
        XCTAssertEqual(GitChecks.revParse(setup.project.path, "HEAD"), head)

        // A file the answer creates that exists by now (ignored, so not a change git shows): checked before any file is written.
        let blocks = setup.answer("blocks.md", Self.blocksAnswer)
        XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + blocks]).status, 0)
        setup.project.write(".git/info/exclude", "lib/\n")
        setup.project.write("lib/util.py", "mine\n")
        let exists = setup.minic(["apply", "2"])
        XCTAssertEqual(exists.status, 1)
        XCTAssertTrue(exists.stderr.contains("lib/util.py: already exists"), exists.stderr)
        XCTAssertEqual(setup.project.read("lib/util.py"), "mine\n")
        XCTAssertEqual(setup.project.read("calc.py"), changed, "calc.py, which would apply, is left as it was")
    }

    func testASymlinkLeadingOutsideIsNeverWrittenThrough() throws {
        let setup = try Project()
        let outside = TemporaryDirectory("outside")
        outside.write("target.py", "outside\n")
        XCTAssertEqual(symlink(outside.path, setup.project.path + "/lib"), 0)
        XCTAssertEqual(symlink(outside.path + "/target.py", setup.project.path + "/link.py"), 0)
        GitChecks.commitAll(setup.project.path, "links")
        let throughDirectory = setup.answer("dir.md", Self.blocksAnswer)
        let throughFile = setup.answer("file.md", "```python title=calc.py\n\(Self.rightCalc)```\n\n```python title=link.py\nprint('through')\n```\n")
        for (id, answer) in [(1, throughDirectory), (2, throughFile)] {
            XCTAssertEqual(setup.minic(["run", "--type", "generate", "--file", "calc.py", "x", "--model", "reply-file:" + answer]).status, 0)
            let refused = setup.minic(["apply", String(id)])
            XCTAssertEqual(refused.status, 1, answer)
            XCTAssertTrue(refused.stderr.contains("is a symbolic link; minic writes through none"), refused.stderr)
        }
        XCTAssertFalse(outside.exists("util.py"))
        XCTAssertEqual(outside.read("target.py"), "outside\n")
        setup.assertUntouched()
    }

    /// Every file and directory under `root` but `.git`: its kind, executable bit and content.
    static func snapshot(_ root: String) -> [String: String] {
        var found: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [:] }
        for case let relative as String in walker {
            if relative == ".git" {
                walker.skipDescendants()
                continue
            }
            var info = stat()
            guard lstat(root + "/" + relative, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: found[relative] = "directory"
            case S_IFREG:
                let executable = info.st_mode & 0o100 != 0 ? "executable " : ""
                found[relative] = executable + (FileManager.default.contents(atPath: root + "/" + relative).map { String(decoding: $0, as: UTF8.self) } ?? "")
            default: found[relative] = "other"
            }
        }
        return found
    }
}

extension TaskChecksCLITests.Project {
    /// `minic ARGS --home HOME`, run in `directory` with the model server's address and key.
    func minic(_ arguments: [String], in directory: String) -> CommandResult {
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        return Shell.run(Shell.minicBinary, arguments + ["--home", home.path], in: directory, environment: environment)
    }
}
