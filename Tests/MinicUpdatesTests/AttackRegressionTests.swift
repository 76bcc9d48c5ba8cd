import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// Breaks an adversarial review of the update engine found, each kept fixed.
final class AttackRegressionTests: XCTestCase {
    let token = "ghp_" + String(repeating: "rNvslcaQa1", count: 4).prefix(36)

    /// HEAD moved to another branch: minic neither reads its rules and hooks from it nor
    /// merges into it, and that branch's commits never become rollback targets.
    func testHeadOnAnotherBranchIsRefused() throws {
        let home = TestHome()
        home.git("checkout", "-q", "-b", "work")
        home.write("hooks/pre-merge", "#!/bin/sh\ntouch \"$MINIC_HOME/PWNED\"\n", executable: true)
        home.write("protected.list", "\n")
        let evil = GitChecks.commitAll(home.path, "work")
        home.write("prompt_templates/x.mustache", "{{#user}}x{{/user}}\n")
        let refusal = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "hello")) }
        XCTAssertTrue(refusal?.message.contains("not main") ?? false, refusal?.message ?? "")
        XCTAssertThrowsError(try Home(openAt: home.path, environment: Shell.testEnvironment).config())
        XCTAssertFalse(home.directory.exists("PWNED"))
        home.git("checkout", "-q", "-f", "main")
        let rollback = assertMinicError(.refused) { try home.engine().rollback(to: evil) }
        XCTAssertTrue(rollback?.message.contains("was never the head") ?? false, rollback?.message ?? "")
        XCTAssertNotEqual(home.head(), evil)
    }

    /// A tracked directory replaced by a symlink (into `.git/hooks`, or out of the home):
    /// nothing is written through it, by a merge, an auto-merge, a rollback or `--force`.
    func testNothingIsWrittenThroughASymlinkReplacingATrackedDirectory() throws {
        let home = TestHome()
        home.commitOnMain("auto-merge on") { $0.write("config.json", #"{"version": 1, "updates": {"auto_merge": true}}"#) }
        let outside = TemporaryDirectory("outside")
        outside.write("analyze.mustache", "a person's precious notes\n")
        for target in [home.path + "/.git/hooks", outside.path, "../../" + outside.path] {
            try FileManager.default.removeItem(atPath: home.path + "/prompt_templates")
            XCTAssertEqual(symlink(target, home.path + "/prompt_templates"), 0)
            let patch = "diff --git a/prompt_templates/pre-commit b/prompt_templates/pre-commit\nnew file mode 100755\n--- /dev/null\n+++ b/prompt_templates/pre-commit\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+echo ran\n"
            let outcome = try home.engine().propose(ProposalRequest(source: .patch(Array(patch.utf8)), title: "template"))
            XCTAssertNil(outcome.autoMerge)
            XCTAssertTrue(outcome.autoMergeError?.contains("prompt_templates: symlink where") ?? false, outcome.autoMergeError ?? "")
            XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.git/hooks/pre-commit"))
            XCTAssertFalse(outside.exists("pre-commit"))
            assertMinicError(.refused) { try home.engine().merge(outcome.proposal.id) }
            let head = home.head()
            for force in [false, true] {
                assertMinicError(.refused) { try home.engine().rollback(to: "HEAD~1", options: RollbackOptions(force: force)) }
                XCTAssertEqual(home.head(), head)
            }
            XCTAssertEqual(outside.read("analyze.mustache"), "a person's precious notes\n")
            // Proposing from the work tree would put head back through the symlink: refused too.
            assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "from the work tree")) }
            unlink(home.path + "/prompt_templates")
            home.git("checkout", "-q", "--", "prompt_templates")
            try home.engine().reject(outcome.proposal.id, reason: nil)
        }
        // A file where the tracked directory was: refused before anything moves.
        try FileManager.default.removeItem(atPath: home.path + "/prompt_templates")
        home.write("prompt_templates", "mine\n")
        let outcome = try home.engine().propose(ProposalRequest(source: .files([(path: "prompt_templates/new.mustache", content: Array("{{#user}}n{{/user}}\n".utf8))]), title: "new"))
        XCTAssertNil(outcome.autoMerge)
        XCTAssertTrue(outcome.autoMergeError?.contains("prompt_templates: file or symlink git does not track where") ?? false, outcome.autoMergeError ?? "")
        XCTAssertEqual(home.read("prompt_templates"), "mine\n")
        GitChecks.assertFsckClean(home.path)
    }

    /// Secrets that would reach main's history by other ways than the result's content.
    func testSecretsInBranchNamesAuthorsHeadersIntermediateCommitsAndUTF16AreRefused() throws {
        let cases: [(String, (TestHome) -> Void)] = [
            ("branch name", { home in
                home.git("checkout", "-q", "-b", "proposals/x-\(self.token)")
                home.write("notes.md", "x\n")
                GitChecks.commitAll(home.path, "notes")
            }),
            ("author", { home in
                home.git("checkout", "-q", "-b", "proposals/x")
                home.write("notes.md", "x\n")
                home.git("add", "-A")
                Shell.run("git", ["-C", home.path, "commit", "-q", "-m", "notes"], environment: Shell.testEnvironment.merging(["GIT_AUTHOR_NAME": "Bob \(self.token)"]) { $1 })
            }),
            ("intermediate commit", { home in
                home.git("checkout", "-q", "-b", "proposals/x")
                home.write("notes.md", "key \(self.token)\n")
                GitChecks.commitAll(home.path, "add")
                home.write("notes.md", "clean\n")
                GitChecks.commitAll(home.path, "remove")
            }),
            ("UTF-16 content", { home in
                home.git("checkout", "-q", "-b", "proposals/x")
                XCTAssertTrue(FileManager.default.createFile(atPath: home.path + "/notes.txt", contents: "token=\(self.token)\n".data(using: .utf16LittleEndian)))
                GitChecks.commitAll(home.path, "utf16")
            }),
        ]
        for (name, make) in cases {
            let home = TestHome()
            make(home)
            home.git("checkout", "-q", "-f", "main")
            let id = home.git("for-each-ref", "--format=%(refname:lstrip=3)", "refs/heads/proposals").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let head = home.head()
            let refusal = assertMinicError(.refused) { try home.engine().merge(id) }
            XCTAssertTrue(refusal?.message.contains("secret") ?? false, "\(name): \(refusal?.message ?? "") \(refusal?.details ?? [])")
            XCTAssertFalse(refusal?.details.joined().contains(token) ?? true, name)
            XCTAssertFalse(home.activityLog.contains(token), name)
            XCTAssertEqual(home.head(), head, name)
        }
    }

    /// Windows spellings of protected paths: backslashes, NTFS streams, 8.3 short names.
    func testWindowsSpellingsOfProtectedPathsAreProtected() throws {
        for path in [#"hooks\pre-merge"#, "protected.list::$DATA", "protected.list:x", "hooks::$INDEX_ALLOCATION/pre-merge", "PROTEC~1.LIS", "GITMOD~1", "GITATT~1", ".GITIG~1", "GI7EBA~1", "GI7D29~1", "gi250a~2"] {
            let home = TestHome()
            let refusal = assertMinicError(.refused) {
                try home.engine().propose(ProposalRequest(source: .files([(path: path, content: Array("x\n".utf8))]), title: "t", allowAutoMerge: false))
            }
            XCTAssertTrue(refusal?.message.contains("protected path") ?? false, "\(path): \(refusal?.message ?? "")")
        }
        // Ordinary names with a tilde stay what they are; `hooks` fits 8.3, so `HOOKS~1` is another name.
        let home = TestHome()
        XCTAssertNoThrow(try home.engine().propose(ProposalRequest(source: .files([(path: "notes/backup~1.md", content: Array("x\n".utf8))]), title: "t")))
        XCTAssertNoThrow(try home.engine().propose(ProposalRequest(source: .files([(path: "HOOKS~1/x", content: Array("x\n".utf8))]), title: "t")))
    }
}
