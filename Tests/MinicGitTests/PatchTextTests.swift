import Foundation
import MinicGit
import MinicTestSupport
import XCTest

/// `PatchText.normalized` against the real `git apply`: on every shape of patch, git and minic
/// (normalized, then libgit2's apply) agree on whether it applies, and when it does on the
/// resulting tree, modes included.
final class PatchTextTests: XCTestCase {
    /// The files every test repository starts with (`run.sh` executable, `crlf.txt` with CRLF line ends).
    static let files: [String: String] = [
        "a.txt": "one\ntwo\nthree\n", "src/m.py": "x = 1\ny = 2\n", "run.sh": "#!/bin/sh\necho hi\n", "crlf.txt": "one\r\ntwo\r\nthree\r\n",
        "old.txt": "bye\n", "my file.txt": "spaced\n", "tail.txt": "no newline at the end", "gap.txt": "a\n\nb\n",
    ]

    /// A fresh repository holding ``files``, committed with the git CLI.
    func repository() -> TemporaryDirectory {
        let directory = TemporaryDirectory("patchtext")
        Shell.git(directory.path, "init", "-q", "-b", "main")
        for (path, content) in Self.files { directory.write(path, content, executable: path == "run.sh") }
        GitChecks.commitAll(directory.path, "files")
        return directory
    }

    /// Asserts that git and minic agree on `patch`: both refuse it, or both apply it to the same tree.
    func assertAgree(
        _ shape: String, _ patch: String, gitApplies: Bool, gitOptions: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let directory = repository()
        let patchFile = directory.path + "/../" + "patch-\(UUID().uuidString.prefix(8)).diff"
        try Data(patch.utf8).write(to: URL(fileURLWithPath: patchFile))
        defer { try? FileManager.default.removeItem(atPath: patchFile) }
        let check = Shell.run("git", ["-C", directory.path, "apply", "--check"] + gitOptions + [patchFile], environment: Shell.testEnvironment)
        XCTAssertEqual(check.status == 0, gitApplies, "\(shape): git apply --check: \(check.stderr)", file: file, line: line)

        let repository = try Repository(openAt: directory.path)
        let head = try repository.commit(try XCTUnwrap(OID(hex: GitChecks.revParse(directory.path, "HEAD") ?? ""))).treeID
        var minicTree: OID?
        var minicError = ""
        do {
            minicTree = try repository.apply(patch: try PatchText.normalized(Array(patch.utf8)), to: head).writeTree()
        } catch {
            minicError = "\(error)"
        }
        XCTAssertEqual(minicTree != nil, gitApplies, "\(shape): minic: \(minicError)", file: file, line: line)
        guard gitApplies, let minicTree else { return }
        let applied = Shell.run("git", ["-C", directory.path, "apply"] + gitOptions + [patchFile], environment: Shell.testEnvironment)
        XCTAssertEqual(applied.status, 0, applied.stderr, file: file, line: line)
        Shell.git(directory.path, "add", "-A")
        let gitTree = Shell.git(directory.path, "write-tree").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(minicTree.hex, gitTree, "\(shape): git and minic made different trees", file: file, line: line)
    }

    /// A patch made by a real tool: `parent/orig` and `parent/new` hold ``files`` (`new` as a git repository
    /// with them committed), `edit` changes `new`, and `tool` runs in `parent`.
    func made(by tool: (_ parent: String) -> String, _ edit: (_ new: String) -> Void) -> String {
        let parent = TemporaryDirectory("patchtext-made")
        for side in ["orig", "new"] {
            for (path, content) in Self.files { parent.write(side + "/" + path, content, executable: path == "run.sh") }
        }
        Shell.git(parent.path + "/new", "init", "-q", "-b", "main")
        GitChecks.commitAll(parent.path + "/new", "files")
        edit(parent.path + "/new")
        return tool(parent.path)
    }

    /// GNU `diff ARGUMENTS orig new` in UTC (`-N` dates a missing side 1970-01-01 00:00:00).
    func gnuDiff(_ arguments: [String]) -> (String) -> String {
        { parent in
            Shell.run("diff", arguments + ["-x", ".git", "orig", "new"], in: parent, environment: ["TZ": "UTC", "LC_ALL": "C", "PATH": "/usr/bin:/bin"]).stdout
        }
    }

    func gitDiff(_ parent: String) -> String {
        Shell.git(parent + "/new", "add", "-A")
        return Shell.git(parent + "/new", "diff", "--cached", "-M").stdout
    }

    func edit(_ new: String) {
        func put(_ path: String, _ content: String, executable: Bool = false) {
            _ = FileManager.default.createFile(
                atPath: new + "/" + path, contents: Data(content.utf8), attributes: executable ? [.posixPermissions: 0o755] : nil)
        }
        put("a.txt", "one\nTWO\nthree\n")
        put("src/m.py", "x = 1\ny = 3\nz = 4\n")
        put("run.sh", "#!/bin/sh\necho bye\n", executable: true)
        put("new.txt", "fresh\n")
        try? FileManager.default.removeItem(atPath: new + "/old.txt")
    }

    // MARK: - shapes git applies

    func testWhatToolsWriteAppliesAsGitAppliesIt() throws {
        let git = made(by: gitDiff, edit)
        XCTAssertTrue(git.contains("diff --git a/a.txt b/a.txt"), git)
        try assertAgree("git diff", git, gitApplies: true)
        let unified = made(by: gnuDiff(["-ruN"]), edit)
        XCTAssertTrue(unified.contains("--- orig/a.txt\t"), unified)
        XCTAssertTrue(unified.contains("1970-01-01 00:00:00.000000000 +0000"), "diff -N dates the missing side at the epoch: \(unified)")
        try assertAgree("diff -ruN with timestamps, new and deleted files", unified, gitApplies: true)
        let fenced = "Here is the change:\n\n```diff\n\(unified)```\n\nIt renames nothing.\n"
        try assertAgree("diff -ruN fenced in ```diff", fenced, gitApplies: true)
    }

    func testPlainUnifiedDiffShapes() throws {
        let shapes: [(String, String)] = [
            ("a/ b/ prefixes", "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"),
            ("no prefixes", "--- a.txt\n+++ a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"),
            ("no prefixes, .orig", "--- a.txt.orig\n+++ a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"),
            (
                "no prefixes, then a directory at -p0",
                "--- a.txt\n+++ a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n--- src/m.py\n+++ src/m.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 0\n y = 2\n"
            ),
            (
                "timestamps after a tab",
                "--- a/a.txt\t2024-05-01 10:00:00.123456789 +0200\n+++ b/a.txt\t2024-05-01 10:01:00.000000000 +0200\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"
            ),
            (
                "timestamps after spaces",
                "--- a/a.txt  2024-05-01 10:00:00 +0200\n+++ b/a.txt  2024-05-01 10:01:00 +0200\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"
            ),
            ("new file", "--- /dev/null\n+++ b/dir/new.txt\n@@ -0,0 +1,2 @@\n+hello\n+world\n"),
            ("deleted file", "--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"),
            ("deleted executable", "--- a/run.sh\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-#!/bin/sh\n-echo hi\n"),
            ("executable keeps its mode", "--- a/run.sh\n+++ b/run.sh\n@@ -2 +2 @@\n-echo hi\n+echo bye\n"),
            (
                "a name with a space",
                "--- a/my file.txt\t2024-05-01 10:00:00 +0000\n+++ b/my file.txt\t2024-05-01 10:00:00 +0000\n@@ -1 +1 @@\n-spaced\n+still spaced\n"
            ),
            ("CRLF patch on a CRLF file", "--- a/crlf.txt\r\n+++ b/crlf.txt\r\n@@ -1,3 +1,3 @@\r\n one\r\n-two\r\n+TWO\r\n three\r\n"),
            (
                "no newline at end of file",
                "--- a/tail.txt\n+++ b/tail.txt\n@@ -1 +1 @@\n-no newline at the end\n\\ No newline at end of file\n+now there is one\n"
            ),
            ("an added empty line", "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,4 @@\n one\n two\n+\n three\n"),
            ("empty context line written bare", "--- a/gap.txt\n+++ b/gap.txt\n@@ -1,3 +1,3 @@\n a\n\n-b\n+B\n"),
            (
                "leading prose paragraph",
                "I changed the second line, as asked.\nThe rest --- is the same.\n\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"
            ),
            (
                "multi-file",
                "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n--- a/src/m.py\n+++ b/src/m.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"
            ),
            (
                "fenced in ```patch, two fences",
                "First:\n```patch\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n```\nThen:\n```patch\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n```\n"
            ),
            ("git header without index line", "diff --git a/run.sh b/run.sh\n--- a/run.sh\n+++ b/run.sh\n@@ -2 +2 @@\n-echo hi\n+echo bye\n"),
            (
                "format-patch mail",
                "From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\n a.txt | 2 +-\n\ndiff --git a/a.txt b/a.txt\nindex 4c1b8f1..5a2d4b1 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n-- \n2.39.5\n\n"
            ),
        ]
        for (shape, patch) in shapes { try assertAgree(shape, patch, gitApplies: true) }
    }

    /// The one reading where minic and git differ on purpose: names without an `a/`/`b/` prefix that
    /// start with the same directory are taken as written. git strips that directory unless told `-p0`.
    func testUnprefixedNamesInADirectoryAreTakenAsWritten() throws {
        let patch = "--- src/m.py\n+++ src/m.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 0\n y = 2\n"
        try assertAgree("--- src/m.py, read by git with -p0", patch, gitApplies: true, gitOptions: ["-p0"])
        let directory = repository()
        let plain = Shell.git(directory.path, "apply", "--check", input: Data(patch.utf8))
        XCTAssertNotEqual(plain.status, 0, "git without -p0 looks for m.py")
        XCTAssertTrue(plain.stderr.contains("m.py: No such file"), plain.stderr)
        let created = "--- /dev/null\n+++ docs/new.md\n@@ -0,0 +1 @@\n+new\n"
        try assertAgree("a created file without b/, read by git with -p0", created, gitApplies: true, gitOptions: ["-p0"])
    }

    func testTheWholePatchInCRLF() throws {
        let crlf = "--- a/crlf.txt\n+++ b/crlf.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n".replacingOccurrences(of: "\n", with: "\r\n")
        try assertAgree("CRLF throughout, CRLF file", crlf, gitApplies: true)
        let onLF = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n".replacingOccurrences(of: "\n", with: "\r\n")
        try assertAgree("CRLF patch, LF file", onLF, gitApplies: false)
    }

    func testPatchesNeitherApplies() throws {
        try assertAgree("wrong context", "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-zwei\n+TWO\n three\n", gitApplies: false)
        try assertAgree("missing file", "--- a/nope.txt\n+++ b/nope.txt\n@@ -1 +1 @@\n-a\n+b\n", gitApplies: false)
        try assertAgree("hunk shorter than its header", "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n", gitApplies: false)
        try assertAgree("new file over an existing one", "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+x\n", gitApplies: false)
        try assertAgree("a hunk with no file header", "Just this:\n@@ -2 +2 @@\n-two\n+TWO\n", gitApplies: false)
        try assertAgree("context only", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n one\n", gitApplies: false)
        // libgit2 alone would apply these; git anchors them, and minic does as git does.
        try assertAgree("no context in the middle of a file", "--- a/a.txt\n+++ b/a.txt\n@@ -2 +2 @@\n-two\n+TWO\n", gitApplies: false)
        try assertAgree("no trailing context, not at the end", "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n", gitApplies: false)
        try assertAgree("deleting part of a file", "--- a/a.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n", gitApplies: false)
        try assertAgree(
            "git-style new file over an existing one", "diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+x\n",
            gitApplies: false)
        // …and where git finds them, so does minic.
        try assertAgree("no context at the end", "--- a/a.txt\n+++ b/a.txt\n@@ -3 +3 @@\n-three\n+THREE\n", gitApplies: true)
        try assertAgree("no context at the start", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+ONE\n", gitApplies: false)
        try assertAgree("leading context only, at the end", "--- a/a.txt\n+++ b/a.txt\n@@ -2,2 +2,2 @@\n two\n-three\n+THREE\n", gitApplies: true)
    }

    // MARK: - what minic refuses

    func refusal(_ patch: String) -> String? {
        do {
            _ = try PatchText.normalized(Array(patch.utf8))
            return nil
        } catch {
            XCTAssertEqual(error.code, .invalid)
            return error.message
        }
    }

    func testDangerousPathsAreRefusedWithOneLine() {
        let cases: [(String, String)] = [
            ("--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/../x' has a '..' component"),
            ("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path '/etc/passwd' is absolute"),
            ("--- a/../../x\n+++ b/../../x\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/../../x' has a '..' component"),
            ("--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1 @@\n+rm -rf ~\n", "line 2: path 'b/.git/hooks/pre-commit' names .git"),
            ("--- a/.GIT/config\n+++ b/.GIT/config\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/.GIT/config' names .git"),
            ("--- a/x/.git./config\n+++ b/x/.git./config\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/x/.git./config' names .git"),
            ("--- a/GIT~1/config\n+++ b/GIT~1/config\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/GIT~1/config' names .git"),
            ("--- \"a/x\\ty\"\n+++ \"b/x\\ty\"\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/x\\x09y' contains a control character"),
            ("--- \"a/x\\001y\"\n+++ \"b/x\\001y\"\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/x\\x01y' contains a control character"),
            ("--- a/x\\..\\y\n+++ b/x\\..\\y\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/x\\..\\y' contains a backslash"),
            ("diff --git a/../x b/../x\n--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a/../x' has a '..' component"),
            ("diff --git a/x b/x\nrename from x\nrename to .git/config\n", "line 3: path '.git/config' names .git"),
            ("diff --git a/x b/y\n--- a/x\n+++ /tmp/y\n@@ -1 +1 @@\n-a\n+b\n", "line 3: path '/tmp/y' is absolute"),
            ("--- a//x\n+++ b//x\n@@ -1 +1 @@\n-a\n+b\n", "line 1: path 'a//x' has an empty component"),
        ]
        for (patch, expected) in cases { XCTAssertEqual(refusal(patch), expected, patch) }
    }

    func testHunksThatDoNotMatchTheirHeadersAreRefused() {
        XCTAssertEqual(
            refusal("--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n"),
            "line 3: the hunk ends before the 3 old and 3 new lines its header counts")
        // git itself would apply the first two lines and drop `+extra` without a word.
        let long = "--- a/a.txt\n+++ b/a.txt\n@@ -2 +2 @@\n-two\n+TWO\n+extra\n"
        XCTAssertEqual(refusal(long), "line 3: the hunk has more lines than the 1 old and 1 new its header counts")
        XCTAssertEqual(
            refusal("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1 @@\n one\n-two\n+TWO\n"), "line 3: the hunk has more lines than the 2 old and 1 new its header counts"
        )
        XCTAssertEqual(refusal("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n one\n"), "line 3: the hunk changes nothing")
        XCTAssertEqual(refusal("diff --git a/a.txt b/a.txt\n@@ -x +1 @@\n-a\n+b\n"), "line 2: malformed hunk header")
        XCTAssertEqual(refusal("text\n@@ -2 +2 @@\n-two\n+TWO\n"), "line 2: a hunk with no file header before it")
        XCTAssertEqual(refusal("no diff here\n--- just a rule\n"), "no diff found: no 'diff --git' line and no '--- '/'+++ ' file header followed by a hunk")
        XCTAssertEqual(refusal("--- /dev/null\n+++ /dev/null\n@@ -0,0 +1 @@\n+x\n"), "line 1: both sides are /dev/null: no file name")
    }

    // MARK: - the text libgit2 gets

    func testGitDiffsPassThroughUnchanged() throws {
        let git = made(by: gitDiff, edit)
        XCTAssertEqual(try PatchText.normalized(Array(git.utf8)), Array(git.utf8))
        let prose = "Some words.\n\n" + git + "\nMore words.\n"
        XCTAssertEqual(try PatchText.normalized(Array(prose.utf8)), Array(prose.utf8))
    }

    func testPlainHeadersBecomeGitHeaders() throws {
        let plain = "Intro\n```diff\n--- a/x.txt\t2024-05-01 10:00:00 +0000\n+++ b/x.txt\t2024-05-01 10:00:00 +0000\n@@ -1 +1 @@\n-a\n+b\n```\nBye"
        XCTAssertEqual(
            String(decoding: try PatchText.normalized(Array(plain.utf8)), as: UTF8.self),
            "diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n")
        let created = "--- /dev/null\n+++ b/my new.txt\n@@ -0,0 +1 @@\n+x"
        XCTAssertEqual(
            String(decoding: try PatchText.normalized(Array(created.utf8)), as: UTF8.self),
            "diff --git \"a/my new.txt\" \"b/my new.txt\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/my new.txt\"\n@@ -0,0 +1 @@\n+x\n")
        XCTAssertTrue(PatchText.containsPatch(Array(plain.utf8)))
        XCTAssertFalse(PatchText.containsPatch(Array("--- a\n+++ b\nno hunk\n".utf8)))
    }

    // MARK: - libgit2's apply

    func testAFailedApplyNamesTheFile() throws {
        let directory = repository()
        let repository = try Repository(openAt: directory.path)
        let head = try repository.commit(try XCTUnwrap(OID(hex: GitChecks.revParse(directory.path, "HEAD") ?? ""))).treeID
        let patch = try PatchText.normalized(Array("--- a/a.txt\n+++ b/a.txt\n@@ -2 +2 @@\n-zwei\n+TWO\n".utf8))
        XCTAssertThrowsError(try repository.apply(patch: patch, to: head)) { error in
            XCTAssertEqual((error as? GitError)?.code, .applyFailed)
            XCTAssertTrue((error as? GitError)?.message.hasPrefix("a.txt: ") ?? false, "\(error)")
        }
    }

    func testAnInMemoryRepositoryAppliesAndDiffsWithoutFiles() throws {
        let repository = try Repository.inMemory()
        XCTAssertNil(repository.workdir)
        let blob = try repository.writeBlob(Array("one\ntwo\n".utf8))
        let base = try repository.createTree(updating: nil, with: [.upsert(path: "d/a.txt", blob: blob, mode: .blob)])
        let patch = try PatchText.normalized(Array("--- a/d/a.txt\n+++ b/d/a.txt\n@@ -2 +2 @@\n-two\n+TWO\n".utf8))
        let result = try repository.apply(patch: patch, to: base).writeTree()
        XCTAssertEqual(try repository.fileData(atPath: "d/a.txt", inTree: result), Array("one\nTWO\n".utf8))
        XCTAssertEqual(
            try repository.diff(from: base, to: result).patch(),
            "diff --git a/d/a.txt b/d/a.txt\nindex 814f4a4..879de50 100644\n--- a/d/a.txt\n+++ b/d/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n")
    }
}
