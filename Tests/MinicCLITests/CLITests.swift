import Foundation
import MinicTestSupport
import XCTest

final class CLITests: XCTestCase {
    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Any? {
        let value = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        XCTAssertNotNil(value, "not JSON: \(text)", file: file, line: line)
        return value
    }

    func testVersionAndHelpOnEveryCommand() {
        let version = Shell.run(Shell.minicBinary, ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout, "minic 0.1.0\n")
        let commands = [
            [], ["init"], ["validate"], ["update"], ["update", "propose"], ["update", "list"], ["update", "show"], ["update", "diff"],
            ["update", "merge"], ["update", "reject"], ["update", "rollback"], ["update", "history"], ["update", "backups"], ["run"], ["submit"],
            ["worker"], ["tasks"], ["tasks", "list"], ["tasks", "show"], ["tasks", "cancel"], ["tasks", "retry"], ["result"], ["scan"], ["sandbox"],
            ["sandbox", "run"],
        ]
        for command in commands {
            let result = Shell.run(Shell.minicBinary, command + ["--help"])
            XCTAssertEqual(result.status, 0, "\(command) --help: \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("USAGE"), "\(command)")
        }
        let root = Shell.run(Shell.minicBinary, ["--help"]).stdout
        XCTAssertTrue(root.contains("Exit codes: 0 ok, 1 refused"))
    }

    func testUsageErrorsExitTwo() {
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["bogus"]).status, 2)
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["update", "merge"]).status, 2)
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["update", "list", "--no-such-flag"]).status, 2)
        let home = TestHome()
        let both = home.minic("update", "propose", "--patch", "x", "--file", "a=b")
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("choose one of"))
        let badFile = home.minic("update", "propose", "--file", "nonsense")
        XCTAssertEqual(badFile.status, 2)
        XCTAssertEqual(badFile.stderr.split(separator: "\n").count, 1, "one-line error: \(badFile.stderr)")
    }

    func testExitCodesForRefusalsBadInputAndInternalErrors() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("update", "show", "0042-nothing").status, 2)
        XCTAssertEqual(home.minic("update", "propose").status, 1, "empty change")
        home.write("hooks/pre-merge", "#!/bin/sh\n", executable: true)
        // A change that could never merge is refused at propose (exit 1, naming the path), the work kept.
        let refusedProposal = home.minic("update", "propose", "--title", "Hook")
        XCTAssertEqual(refusedProposal.status, 1, refusedProposal.stderr)
        XCTAssertTrue(refusedProposal.stderr.contains("hooks/pre-merge: modified: protected by"), refusedProposal.stderr)
        XCTAssertEqual(home.read("hooks/pre-merge"), "#!/bin/sh\n")
        // A branch made by hand with plain git is refused at merge.
        home.git("checkout", "-q", "-b", "proposals/hook")
        GitChecks.commitAll(home.path, "Hook")
        home.git("checkout", "-q", "main")
        let refused = home.minic("update", "merge", "hook", "--yes")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("hooks/pre-merge: modified: protected by"), refused.stderr)
        let nowhere = TemporaryDirectory("nowhere")
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["update", "list", "--home", nowhere.path], environment: Shell.testEnvironment).status, 2)
        // A branch pointing at a missing object is minic's environment failing: exit 3.
        try "0123456789012345678901234567890123456789\n".write(toFile: home.path + "/.git/refs/heads/main", atomically: true, encoding: .utf8)
        let broken = home.minic("update", "list")
        XCTAssertEqual(broken.status, 3, broken.stderr)
        XCTAssertTrue(broken.stderr.hasPrefix("minic: internal error:"))
    }

    func testWalkthroughWithJSON() throws {
        let home = TestHome()
        let oldHead = home.head()
        home.write("config.json", #"{"version": 1, "log": {"level": "debug"}}"#)
        home.write("prompt_templates/explain.mustache", "{{#system}}Explain simply.{{/system}}{{#user}}{{prompt}}{{/user}}\n")
        let proposed = home.minic("update", "propose", "--title", "Debug and simpler explain", "--json")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let object = try XCTUnwrap(json(proposed.stdout) as? [String: Any])
        let id = try XCTUnwrap(object["id"] as? String)
        XCTAssertEqual(id, "0001-debug-and-simpler-explain")
        XCTAssertEqual(object["branch"] as? String, "proposals/\(id)")
        XCTAssertEqual(object["head"] as? String, GitChecks.revParse(home.path, "proposals/\(id)"))
        let paths = try XCTUnwrap(object["paths"] as? [[String: Any]])
        XCTAssertEqual(
            Set(paths.map { "\($0["path"]!) \($0["change"]!) \($0["class"]!)" }),
            ["config.json modified review", "prompt_templates/explain.mustache modified auto"])

        let listed = try XCTUnwrap(json(home.minic("update", "list", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed[0]["id"] as? String, id)
        XCTAssertEqual(listed[0]["status"] as? String, "open")
        XCTAssertEqual(listed[0]["author"] as? String, "Test Person <test@example.com>")
        XCTAssertNotNil(listed[0]["age_seconds"] as? Int)
        XCTAssertEqual((listed[0]["counts"] as? [String: Int]) ?? [:], ["protected": 0, "auto": 1, "review": 1])
        let table = home.minic("update", "list").stdout
        XCTAssertTrue(table.contains(id) && table.contains("0/1/1"), table)

        let shown = try XCTUnwrap(json(home.minic("update", "show", id, "--json").stdout) as? [String: Any])
        XCTAssertEqual(shown["id"] as? String, id)
        XCTAssertTrue((shown["diff"] as? String)?.contains("+{\"version\": 1, \"log\": {\"level\": \"debug\"}}") ?? false)
        let plain = home.minic("update", "show", id)
        XCTAssertFalse(plain.stdout.contains("\u{1B}"), "piped output is plain")
        XCTAssertTrue(plain.stdout.contains("auto      modified   prompt_templates/explain.mustache"), plain.stdout)
        XCTAssertTrue(home.minic("update", "show", id, "--stat").stdout.contains("2 files changed"))

        // `update diff` is a patch `git apply` takes on a clone at head.
        let patch = home.minic("update", "diff", id)
        XCTAssertEqual(patch.status, 0)
        let patchJSON = try XCTUnwrap(json(home.minic("update", "diff", id, "--json").stdout) as? [String: Any])
        XCTAssertEqual(patchJSON["patch"] as? String, patch.stdout)
        XCTAssertEqual(patchJSON["against_head"] as? Bool, true)
        let clone = TemporaryDirectory("clone")
        XCTAssertEqual(Shell.run("git", ["clone", "-q", home.path, clone.path + "/c"], environment: Shell.testEnvironment).status, 0)
        let apply = Shell.run("git", ["-C", clone.path + "/c", "apply", "--index", "-"], environment: Shell.testEnvironment, input: Data(patch.stdout.utf8))
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertEqual(
            Shell.run("git", ["-C", clone.path + "/c", "write-tree"], environment: Shell.testEnvironment).stdout,
            home.git("rev-parse", "proposals/\(id)^{tree}").stdout)

        let merged = home.minic("update", "merge", id, "--yes", "--json")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let merge = try XCTUnwrap(json(merged.stdout) as? [String: Any])
        XCTAssertEqual(merge["commit"] as? String, home.head())
        XCTAssertEqual(merge["previous_head"] as? String, oldHead)
        XCTAssertEqual(merge["rule"] as? String, "review")
        XCTAssertEqual(merge["approved_by"] as? String, "Test Person <test@example.com>")
        let backup = try XCTUnwrap(merge["backup"] as? String)

        let history = try XCTUnwrap(json(home.minic("update", "history", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(history.first?["kind"] as? String, "merge")
        XCTAssertEqual(history.first?["proposal_id"] as? String, id)
        XCTAssertEqual(history.first?["backup"] as? String, backup)
        let backups = try XCTUnwrap(json(home.minic("update", "backups", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(backups.first?["reference"] as? String, backup)
        XCTAssertEqual(backups.first?["commit"] as? String, oldHead)
        XCTAssertTrue((backups.first?["reason"] as? String)?.contains("before merge \(id)") ?? false)

        let rolled = home.minic("update", "rollback", backup, "--yes", "--json")
        XCTAssertEqual(rolled.status, 0, rolled.stderr)
        XCTAssertEqual((json(rolled.stdout) as? [String: Any])?["to"] as? String, oldHead)
        XCTAssertEqual(home.head(), oldHead)
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertTrue(home.minic("validate").stdout.hasPrefix("ok:"))
        GitChecks.assertFsckClean(home.path)
        let log = home.read("state/activity.log") ?? ""
        for event in ["system: startup", "update: proposed", "update: merged", "update: backup created", "update: rolled back", "system: config change"] {
            XCTAssertTrue(log.contains(event), event)
        }
    }

    func testPatchAndFilesFromStdinAndReject() throws {
        let home = TestHome()
        let fromStdin = home.minic("update", "propose", "--file", "notes/a.md=-", "--title", "Notes", input: Data("hello\n".utf8))
        XCTAssertEqual(fromStdin.status, 0, fromStdin.stderr)
        let id = fromStdin.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.git("show", "proposals/\(id):notes/a.md").stdout, "hello\n")
        let rejected = home.minic("update", "reject", id, "--reason", "duplicate", "--json")
        XCTAssertEqual(rejected.status, 0)
        XCTAssertEqual((json(rejected.stdout) as? [String: Any])?["reason"] as? String, "duplicate")
        let all = try XCTUnwrap(json(home.minic("update", "list", "--all", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(all.first?["status"] as? String, "rejected")

        let patch = "diff --git a/notes.txt b/notes.txt\nnew file mode 100644\n--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+patched\n"
        let patched = home.minic("update", "propose", "--patch", "-", "--title", "Patched", input: Data(patch.utf8))
        XCTAssertEqual(patched.status, 0, patched.stderr)
        XCTAssertEqual(home.git("show", "proposals/0002-patched:notes.txt").stdout, "patched\n")
    }

    func testHomeFromEnvironmentAndCurrentDirectory() {
        let home = TestHome()
        home.write("notes.md", "x\n")
        XCTAssertEqual(home.minic("update", "propose", "--title", "x").status, 0)
        var env = Shell.testEnvironment
        env["MINIC_HOME"] = home.path
        let elsewhere = TemporaryDirectory("elsewhere")
        XCTAssertTrue(Shell.run(Shell.minicBinary, ["update", "list"], in: elsewhere.path, environment: env).stdout.contains("0001-x"))
        XCTAssertTrue(Shell.run(Shell.minicBinary, ["update", "list"], in: home.path, environment: Shell.testEnvironment).stdout.contains("0001-x"))
    }

    func testShowNeutralisesTerminalEscapesFromAProposal() {
        let home = TestHome()
        home.write("notes.md", "fine\n\u{1B}[2K\u{1B}[1A+ looks approved\u{202E}txt.exe\n")
        let id = home.minic("update", "propose", "--title", "sneaky \u{1B}]0;title\u{07}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = home.minic("update", "show", id)
        XCTAssertFalse(shown.stdout.contains("\u{1B}"))
        XCTAssertFalse(shown.stdout.contains("\u{202E}"))
        XCTAssertTrue(shown.stdout.contains("\\x1B[2K"))
        XCTAssertTrue(shown.stdout.contains("<U+202E>"))
        // The patch for `git apply` stays byte-exact.
        XCTAssertTrue(home.minic("update", "diff", id).stdout.contains("\u{1B}[2K"))
    }

    /// On a terminal, merge asks; "n" changes nothing, "y" merges. `script` gives minic a real pty.
    func testMergeAsksOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux script is not installed") }
        let home = TestHome()
        home.write("notes.md", "x\n")
        let id = home.minic("update", "propose", "--title", "x").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = home.head()
        let command = "\(Shell.minicBinary) update merge \(id) --home \(home.path)"
        let declined = Shell.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: Shell.testEnvironment, input: Data("n\n".utf8))
        XCTAssertEqual(declined.status, 1, declined.stdout)
        XCTAssertTrue(declined.stdout.contains("Approve and merge? [y/N]"), declined.stdout)
        XCTAssertEqual(home.head(), head)
        let accepted = Shell.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: Shell.testEnvironment, input: Data("y\n".utf8))
        XCTAssertEqual(accepted.status, 0, accepted.stdout)
        XCTAssertNotEqual(home.head(), head)
    }
}
