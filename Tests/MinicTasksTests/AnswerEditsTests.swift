import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// What an answer writes: a diff applied through libgit2 to the task's files, or fenced blocks that
/// name their file; every path checked, and nothing outside the task's directory.
final class AnswerEditsTests: XCTestCase {
    static let originals = ["src/calc.py": "def add(a, b):\n    return a - b\n", "README.md": "# Calc\n", "old.txt": "bye\n"]

    func extract(_ answer: String, originals: [String: String] = originals) throws -> AnswerEdits {
        try AnswerEdits.extract(answer: answer, originals: originals)
    }

    /// The refusal `answer` gets, or a failure when it is accepted.
    func refusal(_ answer: String, kind: MinicError.Kind = .refused, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let edits = try extract(answer)
            XCTFail("accepted: \(edits)", file: file, line: line)
            return ""
        } catch let error as MinicError {
            XCTAssertEqual(error.kind, kind, error.message, file: file, line: line)
            return error.message
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }

    /// A diff made by `git diff` in a repository holding ``originals``, after `edit`.
    func gitDiff(_ edit: (TemporaryDirectory) -> Void) -> String {
        let directory = TemporaryDirectory("answer-diff")
        Shell.git(directory.path, "init", "-q", "-b", "main")
        for (path, content) in Self.originals { directory.write(path, content) }
        GitChecks.commitAll(directory.path, "originals")
        edit(directory)
        Shell.git(directory.path, "add", "-A")
        return Shell.git(directory.path, "diff", "--cached").stdout
    }

    // MARK: - diffs

    func testAGitDiffIsAppliedToTheOriginals() throws {
        let diff = gitDiff {
            $0.write("src/calc.py", "def add(a, b):\n    return a + b\n")
            $0.write("tests/test_calc.py", "from src.calc import add\n")
            try? FileManager.default.removeItem(atPath: $0.path + "/old.txt")
        }
        let edits = try extract("The bug is the minus sign.\n\n```diff\n\(diff)```\n")
        XCTAssertEqual(edits.source, .diff)
        XCTAssertEqual(
            edits.files,
            ["src/calc.py": "def add(a, b):\n    return a + b\n", "tests/test_calc.py": "from src.calc import add\n", "old.txt": nil])
    }

    func testAPlainUnifiedDiffIsAppliedToo() throws {
        let answer = """
            Change the operator:
            --- src/calc.py\t2024-05-01 10:00:00.000000000 +0000
            +++ src/calc.py\t2024-05-01 10:01:00.000000000 +0000
            @@ -1,2 +1,2 @@
             def add(a, b):
            -    return a - b
            +    return a + b
            --- /dev/null
            +++ b/NOTES.md
            @@ -0,0 +1 @@
            +fixed

            """
        let edits = try extract(answer)
        XCTAssertEqual(edits, AnswerEdits(source: .diff, files: ["src/calc.py": "def add(a, b):\n    return a + b\n", "NOTES.md": "fixed\n"]))
    }

    func testADiffThatDoesNotApplyNamesTheFile() {
        let answer = "```diff\n--- a/src/calc.py\n+++ b/src/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a * b\n+    return a + b\n```\n"
        let message = refusal(answer)
        XCTAssertTrue(message.hasPrefix("the answer's diff does not apply to the task's files: src/calc.py: "), message)
        let missing = refusal("```diff\n--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-a\n+b\n```\n")
        XCTAssertTrue(missing.contains("nope.py"), missing)
    }

    func testSymlinksSubmodulesAndOddModesInADiffAreRefused() {
        let symlink =
            "```diff\ndiff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n```\n"
        XCTAssertEqual(refusal(symlink), "the answer's diff makes 'link' a symbolic link (mode 120000); only files are written")
        let retyped = "diff --git a/README.md b/README.md\nold mode 100644\nnew mode 120000\n"
        XCTAssertEqual(refusal(retyped), "the answer's diff makes 'README.md' a symbolic link (mode 120000); only files are written")
        let submodule = """
            diff --git a/vendor/lib b/vendor/lib
            new file mode 160000
            index 0000000..1234567
            --- /dev/null
            +++ b/vendor/lib
            @@ -0,0 +1 @@
            +Subproject commit 1234567890123456789012345678901234567890

            """
        XCTAssertEqual(refusal(submodule), "the answer's diff makes 'vendor/lib' a submodule (mode 160000); only files are written")
        let odd = "diff --git a/README.md b/README.md\nold mode 100644\nnew mode 100600\n"
        XCTAssertEqual(refusal(odd), "the answer's diff gives 'README.md' mode 100600; only files (100644, 100755) are written")
    }

    func testPathsOutsideTheDirectoryAreRefusedInDiffs() {
        let cases: [(String, String)] = [
            ("--- a/../x\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n", "line 2: path 'a/../x' has a '..' component"),
            ("--- /dev/null\n+++ /etc/passwd\n@@ -0,0 +1 @@\n+x\n", "line 3: path '/etc/passwd' is absolute"),
            ("--- /dev/null\n+++ a/../../x\n@@ -0,0 +1 @@\n+x\n", "line 3: path 'a/../../x' has a '..' component"),
            ("--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1 @@\n+x\n", "line 3: path 'b/.git/hooks/pre-commit' names .git"),
            ("--- /dev/null\n+++ b/.GIT/config\n@@ -0,0 +1 @@\n+x\n", "line 3: path 'b/.GIT/config' names .git"),
        ]
        for (diff, reason) in cases { XCTAssertEqual(refusal("```diff\n\(diff)```\n"), "the answer's diff is refused: " + reason, diff) }
    }

    // MARK: - named blocks

    func testEachSpellingOfANamedBlock() throws {
        let answer = """
            Here are the files.

            ```python title=src/calc.py
            def add(a, b):
                return a + b
            ```

            ```py title="src/quoted name.py"
            x = 1
            ```

            ```text file='docs/single.txt'
            single
            ```

            ```filename=docs/bare.txt
            bare
            ```

            ```python
            # path: src/hash.py
            h = 2
            ```

            ```js
            // path: web/app.js
            let a = 1;
            ```

            ```
            path: notes.md
            Notes.
            ```

            ```python title=src/both.py
            # path: src/both.py
            b = 3
            ```

            An example that writes nothing:
            ```python
            print("not a file")
            ```
            ```src/not-a-name.py
            no = 1
            ```
            ```python:src/not-a-name-either.py
            no = 2
            ```
            ```python
            #path: src/no-space.py
            ```

            """
        let edits = try extract(answer)
        XCTAssertEqual(edits.source, .blocks)
        XCTAssertEqual(
            edits.files,
            [
                "src/calc.py": "def add(a, b):\n    return a + b\n", "src/quoted name.py": "x = 1\n", "docs/single.txt": "single\n", "docs/bare.txt": "bare\n",
                "src/hash.py": "h = 2\n", "web/app.js": "let a = 1;\n", "notes.md": "Notes.\n", "src/both.py": "b = 3\n",
            ])
    }

    func testAnAnswerWithoutDiffOrNamedBlocksWritesNothing() throws {
        XCTAssertEqual(try extract("Use `a + b`.\n```python\nreturn a + b\n```\n"), AnswerEdits(source: .none, files: [:]))
        XCTAssertEqual(try extract(""), AnswerEdits(source: .none, files: [:]))
    }

    /// A diff inside a named block is that file's content (a patch file the answer writes), not a diff to apply.
    func testADiffInsideANamedBlockIsItsContent() throws {
        let patch = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
        let edits = try extract("```text title=fix.patch\n\(patch)```\n")
        XCTAssertEqual(edits, AnswerEdits(source: .blocks, files: ["fix.patch": .some(patch)]))
    }

    func testPathsOutsideTheDirectoryAreRefusedInBlocks() {
        let cases: [(String, String)] = [
            ("../x", "the code block at line 1 writes '../x': the path has an empty, '.' or '..' component"),
            ("/etc/passwd", "the code block at line 1 writes '/etc/passwd': an absolute path; only paths relative to the task's directory are written"),
            ("a/../../x", "the code block at line 1 writes 'a/../../x': the path has an empty, '.' or '..' component"),
            (".git/hooks/pre-commit", "the code block at line 1 writes '.git/hooks/pre-commit': the path names .git"),
            (".GIT/config", "the code block at line 1 writes '.GIT/config': the path names .git"),
            ("src/.git./config", "the code block at line 1 writes 'src/.git./config': the path names .git"),
            ("a\\b.py", "the code block at line 1 writes 'a\\b.py': the path has a backslash"),
            ("./a.py", "the code block at line 1 writes './a.py': the path has an empty, '.' or '..' component"),
            ("a//b.py", "the code block at line 1 writes 'a//b.py': the path has an empty, '.' or '..' component"),
        ]
        for (path, expected) in cases { XCTAssertEqual(refusal("```python title=\"\(path)\"\nx = 1\n```\n"), expected) }
        XCTAssertEqual(
            refusal("```python\n# path: ../../.bashrc\nrm -rf ~\n```\n"),
            "the code block at line 1 writes '../../.bashrc': the path has an empty, '.' or '..' component")
        let long = String(repeating: "d/", count: 2100) + "x.py"
        XCTAssertEqual(refusal("```python title=\(long)\nx\n```\n"), "the code block at line 1 writes '\(long)': the path is longer than 4096 bytes")
    }

    func testAmbiguousBlocksAreRefused() {
        XCTAssertEqual(
            refusal("```python title=a.py\nx = 1\n```\ntext\n```python title=a.py\nx = 2\n```\n"), "two code blocks write 'a.py'; the second is at line 5")
        XCTAssertEqual(refusal("```python title=a.py file=b.py\nx\n```\n"), "the code block at line 1 of the answer names two files: 'a.py' and 'b.py'")
        XCTAssertEqual(refusal("```python title=a.py\n# path: b.py\nx\n```\n"), "the code block at line 1 of the answer names two files: 'a.py' and 'b.py'")
        XCTAssertEqual(refusal("```python title=\"a.py\nx\n```\n"), "the code block at line 1 of the answer has an unclosed quote in 'python title=\"a.py'")
        XCTAssertEqual(refusal("Start:\n```python title=a.py\nx = 1\n"), "the code block for 'a.py' at line 2 is never closed: the answer may be cut short")
        let mixed = "```diff\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-# Calc\n+# Calculator\n```\n```python title=src/calc.py\nx\n```\n"
        XCTAssertEqual(refusal(mixed), "the answer has both a diff and a code block naming its file ('src/calc.py' at line 8); it is not clear which to write")
    }

    /// 170,000 lines in one named block and 150,000 in a diff (near the 1 MiB bound): the work grows with the answer, not its square.
    func testALongAnswerIsReadInLinearTime() throws {
        let lines = String(repeating: "x = 1\n", count: 170_000)
        var start = Date()
        XCTAssertEqual(try extract("```python title=big.py\n\(lines)```\n").files["big.py"], .some(lines))
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        let added = String(repeating: "+x = 1\n", count: 150_000)
        start = Date()
        let edits = try extract("```diff\n--- /dev/null\n+++ b/big.py\n@@ -0,0 +1,150000 @@\n\(added)```\n")
        XCTAssertEqual(edits.files["big.py"]??.utf8.count, 150_000 * 6)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testLimits() {
        let many = (0...AnswerPath.maxFiles).map { "```text title=f\($0).txt\nx\n```\n" }.joined()
        XCTAssertEqual(refusal(many), "the answer writes 201 files, more than 200")
        let big = String(repeating: "x", count: AnswerPath.maxFileBytes)
        XCTAssertEqual(refusal("```text title=big.txt\n\(big)\n```\n"), "the answer writes 'big.txt': 1048577 bytes, more than 1048576")
        XCTAssertEqual(refusal("```text title=src/calc.py/x\nx\n```\n"), "the answer writes 'src/calc.py/x' under 'src/calc.py', which is a file")
        do {
            _ = try AnswerEdits.extract(answer: "", originals: ["../up.txt": "x"])
            XCTFail("an unsafe original was taken")
        } catch {
            XCTAssertEqual(error.kind, .badInput)
            XCTAssertEqual(error.message, "task file '../up.txt': the path has an empty, '.' or '..' component")
        }
    }
}
