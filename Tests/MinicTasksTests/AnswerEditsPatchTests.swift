import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// `AnswerEdits.patch`: what `git apply` (the CLI) does with it at the base directory is exactly the edits.
final class AnswerEditsPatchTests: XCTestCase {
    static let originals = [
        "src/calc.py": "def add(a, b):\n    return a - b\n", "run.sh": "#!/bin/sh\necho hi\n", "docs/old.md": "old\n", "my notes.txt": "n\n",
    ]

    /// A git work tree holding `originals` (`run.sh` executable), committed.
    func baseDirectory(_ originals: [String: String] = originals) -> TemporaryDirectory {
        let directory = TemporaryDirectory("answer-patch")
        Shell.git(directory.path, "init", "-q", "-b", "main")
        for (path, content) in originals { directory.write(path, content, executable: path == "run.sh") }
        GitChecks.commitAll(directory.path, "originals")
        return directory
    }

    /// Applies `patch` with `git apply` at a fresh base directory and checks every file there: the
    /// originals with `edits` laid over them, nothing more, nothing less.
    func assertGitApplies(_ patch: String, giving edits: AnswerEdits, file: StaticString = #filePath, line: UInt = #line) throws -> TemporaryDirectory {
        let directory = baseDirectory()
        let applied = Shell.git(directory.path, "apply", "--whitespace=nowarn", input: Data(patch.utf8))
        XCTAssertEqual(applied.status, 0, "git apply: \(applied.stderr)\n\(patch)", file: file, line: line)
        var expected = Self.originals
        for (path, content) in edits.files {
            if let content { expected[path] = content } else { expected.removeValue(forKey: path) }
        }
        let listed = Shell.git(directory.path, "ls-files", "--others", "--cached", "--exclude-standard").stdout.split(separator: "\n").map(String.init)
        let present = listed.filter { FileManager.default.fileExists(atPath: directory.path + "/" + $0) }
        XCTAssertEqual(Set(present), Set(expected.keys), file: file, line: line)
        for (path, content) in expected { XCTAssertEqual(directory.read(path), content, path, file: file, line: line) }
        return directory
    }

    func testBlocksRoundTripThroughGitApply() throws {
        let answer = """
            ```python title=src/calc.py
            def add(a, b):
                return a + b
            ```
            ```sh
            # path: run.sh
            #!/bin/sh
            echo bye
            ```
            ```text title="my notes.txt"
            with a space
            ```
            ```markdown title=docs/new/guide.md
            # Guide
            ```
            ```text title=empty.txt
            ```

            """
        let edits = try AnswerEdits.extract(answer: answer, originals: Self.originals)
        XCTAssertEqual(edits.files.count, 5)
        let patch = try AnswerEdits.patch(originals: Self.originals, edits: edits)
        XCTAssertTrue(patch.hasPrefix("diff --git a/"), patch)
        let directory = try assertGitApplies(patch, giving: edits)
        // The originals carry no modes, so the patch states none for a changed file: git keeps the script executable.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/run.sh")
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o111 }, 0o111)
    }

    func testADiffRoundTripsWithDeletionsAndNewFiles() throws {
        let answer = """
            ```diff
            --- a/src/calc.py
            +++ b/src/calc.py
            @@ -1,2 +1,2 @@
             def add(a, b):
            -    return a - b
            +    return a + b
            --- a/docs/old.md
            +++ /dev/null
            @@ -1 +0,0 @@
            -old
            --- /dev/null
            +++ b/tests/test_calc.py
            @@ -0,0 +1,2 @@
            +from src.calc import add
            +assert add(1, 2) == 3
            ```

            """
        let edits = try AnswerEdits.extract(answer: answer, originals: Self.originals)
        XCTAssertEqual(edits.files["docs/old.md"], .some(nil))
        let patch = try AnswerEdits.patch(originals: Self.originals, edits: edits)
        _ = try assertGitApplies(patch, giving: edits)
        // The patch minic prints is one minic reads back to the same edits.
        XCTAssertEqual(try AnswerEdits.extract(answer: patch, originals: Self.originals), edits)
    }

    func testContentWithoutTrailingNewlineAndWithCRLF() throws {
        let edits = AnswerEdits(source: .blocks, files: ["src/calc.py": "no newline", "crlf.txt": "one\r\ntwo\r\n", "unicode.txt": "héllo wörld 🙂\n"])
        _ = try assertGitApplies(try AnswerEdits.patch(originals: Self.originals, edits: edits), giving: edits)
    }

    func testNothingChangedIsAnEmptyPatch() throws {
        XCTAssertEqual(try AnswerEdits.patch(originals: Self.originals, edits: AnswerEdits(source: .none, files: [:])), "")
        let same = AnswerEdits(source: .blocks, files: ["src/calc.py": Self.originals["src/calc.py"]])
        XCTAssertEqual(try AnswerEdits.patch(originals: Self.originals, edits: same), "")
    }

    func testPatchRefusesWhatExtractWouldRefuse() {
        func refusal(_ files: [String: String?]) -> String? {
            do {
                _ = try AnswerEdits.patch(originals: Self.originals, edits: AnswerEdits(source: .blocks, files: files))
                return nil
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(refusal(["../x": "x"]), "the answer writes '../x': the path has an empty, '.' or '..' component")
        XCTAssertEqual(
            refusal(["/etc/passwd": "x"]), "the answer writes '/etc/passwd': an absolute path; only paths relative to the task's directory are written")
        XCTAssertEqual(refusal([".git/config": "x"]), "the answer writes '.git/config': the path names .git")
        XCTAssertEqual(refusal(["gone.txt": nil]), "the answer deletes 'gone.txt', which is not one of the task's files")
        XCTAssertEqual(refusal(["run.sh/x": "x"]), "the answer writes 'run.sh/x' under 'run.sh', which is a file")
        XCTAssertNil(refusal(["run.sh": nil, "run.sh/x": "x"]), "a file deleted makes room for a directory")
    }
}
