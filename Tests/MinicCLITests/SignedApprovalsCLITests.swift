import Foundation
import MinicTestSupport
import XCTest

/// Signed approvals: merges signed in git's SSH format, main's history verified before anything loads, and
/// `git verify-commit` / `git log --show-signature` agreeing with `minic update verify` on every commit.
final class SignedApprovalsCLITests: XCTestCase {
    let keys = SSHKeys()

    /// Main's first-parent commits, oldest first.
    private func firstParents(_ home: TestHome) -> [String] {
        home.git("rev-list", "--first-parent", "--reverse", "main").stdout.split(separator: "\n").map(String.init)
    }

    private func verify(_ home: TestHome) throws -> [String: Any] {
        let result = home.minic("update", "verify", "--json")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
    }

    /// `git verify-commit` with the home's allowed_signers (set by init as gpg.ssh.allowedSignersFile).
    private func gitVerifies(_ home: TestHome, _ commit: String, signers: String? = nil) -> Bool {
        let file = signers ?? home.path + "/allowed_signers"
        return home.git("-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + file, "verify-commit", commit).status == 0
    }

    private func propose(_ home: TestHome, _ file: String, _ content: String, title: String) -> String {
        home.write(file, content)
        let proposed = home.minic("update", "propose", "--title", title, "--no-auto-merge")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        return proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testSignedMergesVerifyAndGitAgreesOnEveryCommit() throws {
        let admin = keys.make("admin")
        let home = TestHome(signingKey: admin)
        XCTAssertTrue(home.read("allowed_signers")?.contains("role=admin") == true)
        XCTAssertTrue(home.read("allowed_signers")?.contains(keys.publicKey(admin).split(separator: " ")[1]) == true)
        // A reviewed merge and an auto-merge, both signed with the key init configured (git's user.signingkey).
        let id = propose(home, "notes/a.md", "a\n", title: "notes")
        let merged = home.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        home.write("prompt_templates/analyze.mustache", (home.read("prompt_templates/analyze.mustache") ?? "") + "\nBe brief.\n")
        XCTAssertEqual(home.minic("update", "propose", "--title", "brief").status, 0)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto")
        XCTAssertNotNil(GitChecks.trailer(home.path, "HEAD", "Signed-by"))

        let report = try verify(home)
        XCTAssertEqual(report["state"] as? String, "signed")
        let commits = try XCTUnwrap(report["commits"] as? [[String: Any]])
        XCTAssertEqual(commits.count, 3)
        XCTAssertEqual(commits.map { $0["status"] as? String }, ["good", "good", "good"])
        XCTAssertEqual(commits.map { $0["kind"] as? String }, ["merge", "merge", "root"])
        for commit in firstParents(home) { XCTAssertTrue(gitVerifies(home, commit), "git verify-commit \(commit)") }
        let log = home.git("log", "--first-parent", "--show-signature", "main")
        XCTAssertEqual(log.stdout.components(separatedBy: "Good \"git\" signature").count - 1, 3, log.stdout + log.stderr)
        GitChecks.assertFsckClean(home.path)
        // Loading commands run.
        XCTAssertEqual(home.minic("run", "hello").status, 0)
    }

    func testAnUnsignedCommitOnMainMakesEveryLoadingCommandRefuseAndRollbackLeads() throws {
        let home = TestHome(signingKey: keys.make("admin"))
        let good = home.mergeChange("notes/a.md", appending: "a", title: "a")
        let id = propose(home, "notes/b.md", "b\n", title: "b")
        home.git("checkout", "-q", "main")
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }
        XCTAssertFalse(gitVerifies(home, bad), "git agrees: unsigned")
        for arguments in [["run", "hello"], ["update", "propose", "--title", "x", "--file", "notes/d.md=" + home.path + "/notes/a.md"], ["update", "merge", id, "--yes"], ["eval"],
            ["worker", "--drain"]]
        {
            let result = Shell.run(Shell.minicBinary, arguments + ["--home", home.path], in: home.path, environment: Shell.testEnvironment)
            XCTAssertNotEqual(result.status, 0, "\(arguments): \(result.stdout)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): one line: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("commit \(bad.prefix(12)) (sneaky) not signed"), "\(arguments): \(result.stderr)")
        }
        let verified = home.minic("update", "verify")
        XCTAssertEqual(verified.status, 1)
        XCTAssertTrue(verified.stdout.contains("\(bad.prefix(12)) bad"), verified.stdout)
        // A person can look and go back.
        XCTAssertEqual(home.minic("update", "show", id).status, 0)
        XCTAssertEqual(home.minic("update", "list").status, 0)
        let back = home.minic("update", "rollback", good, "--yes")
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(home.minic("run", "hello").status, 0)
        XCTAssertEqual(try verify(home)["state"] as? String, "signed")
        // Main never goes to a commit that is not approved, even one minic recorded as a head.
        let forward = home.minic("update", "rollback", bad, "--yes")
        XCTAssertEqual(forward.status, 1, forward.stdout)
        XCTAssertTrue(forward.stderr.contains("is not approved"), forward.stderr)
        XCTAssertEqual(home.head(), good)
    }

    func testSignaturesByKeysNotAllowedAreRefusedAsGitRefusesThem() throws {
        let admin = keys.make("admin")
        let stranger = keys.make("stranger")
        let home = TestHome(signingKey: admin)
        let good = home.head()
        // A merge signed with git by a key allowed_signers does not list.
        home.git("checkout", "-q", "-b", "side")
        home.write("notes/x.md", "x\n")
        home.git("add", "-A")
        home.git("commit", "-q", "-m", "side")
        home.git("checkout", "-q", "main")
        let merged = home.git("-c", "user.signingkey=" + stranger, "merge", "-q", "--no-ff", "-S", "-m", "Merge side", "side")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let bad = home.head()
        XCTAssertFalse(gitVerifies(home, bad))
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("which allowed_signers at \(good.prefix(7)) does not allow"), run.stderr)
        // The same with the admin's key verifies for both (a merge made with git by an admin is an approval too).
        XCTAssertEqual(home.git("reset", "-q", "--hard", good).status, 0)
        XCTAssertEqual(home.git("-c", "user.signingkey=" + admin, "merge", "-q", "--no-ff", "-S", "-m", "Merge side", "side").status, 0)
        XCTAssertTrue(gitVerifies(home, "HEAD"))
        XCTAssertEqual(home.minic("run", "hello").status, 0)
        // A commit with one parent, even signed by the admin, is not a merge: only signers changes are.
        XCTAssertEqual(home.git("-c", "user.signingkey=" + stranger, "commit", "-q", "-S", "--allow-empty", "-m", "signed by a stranger").status, 0)
        XCTAssertFalse(gitVerifies(home, "HEAD"))
        XCTAssertEqual(home.minic("run", "hello").status, 1)
        // A history rewritten from a new first commit (its own allowed_signers) is not the pinned trust root's.
        let other = TestHome(signingKey: stranger)
        XCTAssertEqual(home.git("fetch", "-q", other.path, "main:refs/heads/other").status, 0)
        XCTAssertEqual(home.git("reset", "-q", "--hard", "other").status, 0)
        let rewritten = home.minic("run", "hello")
        XCTAssertEqual(rewritten.status, 1)
        XCTAssertTrue(rewritten.stderr.contains("no longer holds the pinned trust root"), rewritten.stderr)
    }

    func testSignersAddRemoveAndRoles() throws {
        let admin = keys.make("admin")
        let reviewer = keys.make("reviewer", type: "ecdsa")
        let machine = keys.make("machine", type: "rsa")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "bob@example.com", reviewer + ".pub").status, 0)
        XCTAssertEqual(home.minic("update", "signers", "add", "ci@example.com", machine + ".pub", "--role", "auto").status, 0)
        XCTAssertTrue(gitVerifies(home, "HEAD"))
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "admin")
        let listed = home.minic("update", "signers", "list")
        XCTAssertTrue(listed.stdout.contains("bob@example.com review ecdsa-sha2-nistp256") && listed.stdout.contains("ci@example.com auto ssh-rsa"), listed.stdout)

        // The reviewer's key approves a reviewed merge; it cannot change the signers.
        let asBob = ["MINIC_SIGNING_KEY": reviewer]
        let id = propose(home, "notes/a.md", "a\n", title: "a")
        let merged = home.minic("update", "merge", id, "--yes", environment: asBob)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(GitChecks.trailer(home.path, "HEAD", "Signed-by")?.hasPrefix("bob@example.com SHA256:") == true)
        let bobAdds = home.minic("update", "signers", "add", "eve@example.com", keys.make("eve") + ".pub", environment: asBob)
        XCTAssertEqual(bobAdds.status, 1)
        XCTAssertTrue(bobAdds.stderr.contains("has role review; this needs admin"), bobAdds.stderr)

        // The machine's key (RSA, role auto) signs auto-merges only: a reviewed merge is refused before anything moves.
        let asMachine = ["MINIC_SIGNING_KEY": machine]
        home.write("prompt_templates/analyze.mustache", (home.read("prompt_templates/analyze.mustache") ?? "") + "\nShort.\n")
        let auto = home.minic("update", "propose", "--title", "short", environment: asMachine)
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto")
        let before = home.head()
        let second = propose(home, "notes/b.md", "b\n", title: "b")
        let reviewedByMachine = home.minic("update", "merge", second, "--yes", environment: asMachine)
        XCTAssertEqual(reviewedByMachine.status, 1)
        XCTAssertTrue(reviewedByMachine.stderr.contains("has role auto; this needs review"), reviewedByMachine.stderr)
        XCTAssertEqual(home.head(), before)
        // No key set: a signed home refuses to merge unsigned.
        home.git("config", "--unset", "user.signingkey")
        let unsignedMerge = home.minic("update", "merge", second, "--yes")
        XCTAssertEqual(unsignedMerge.status, 1)
        XCTAssertTrue(unsignedMerge.stderr.contains("set updates.signing_key, MINIC_SIGNING_KEY or git config user.signingkey"), unsignedMerge.stderr)

        // The last admin cannot go while others remain; bob can, and his key approves nothing after.
        let asAdmin = ["MINIC_SIGNING_KEY": admin]
        let lastAdmin = home.minic("update", "signers", "remove", "SHA256:" + "x", environment: asAdmin)
        XCTAssertNotEqual(lastAdmin.status, 0)
        let adminPrincipal = try XCTUnwrap(home.read("allowed_signers")?.split(separator: "\n").first { $0.hasSuffix("role=admin") }?.split(separator: " ").first)
        let removeAdmin = home.minic("update", "signers", "remove", String(adminPrincipal), environment: asAdmin)
        XCTAssertEqual(removeAdmin.status, 1)
        XCTAssertTrue(removeAdmin.stderr.contains("would leave no admin"), removeAdmin.stderr)
        XCTAssertEqual(home.minic("update", "signers", "remove", "bob@example.com", environment: asAdmin).status, 0)
        let bobAgain = home.minic("update", "merge", second, "--yes", environment: asBob)
        XCTAssertEqual(bobAgain.status, 1)
        XCTAssertTrue(bobAgain.stderr.contains("is not in allowed_signers"), bobAgain.stderr)
        // Every commit verifies, for minic and for git (the allowed_signers in force before each).
        XCTAssertEqual(home.minic("update", "verify").status, 0)
        for commit in firstParents(home) {
            let signers = TemporaryDirectory("signers")
            let parent = home.git("rev-parse", "-q", "--verify", "\(commit)^").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            signers.write("allowed_signers", home.git("show", "\(parent.isEmpty ? commit : parent):allowed_signers").stdout)
            XCTAssertTrue(gitVerifies(home, commit, signers: signers.path + "/allowed_signers"), "git verify-commit \(commit)")
        }
    }

    func testAnAutoKeySignsOnlyWhatMinicWouldMergeByItself() throws {
        let admin = keys.make("admin")
        let machine = keys.make("machine")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "ci@example.com", machine + ".pub", "--role", "auto").status, 0)
        let good = home.head()
        // A merge made with git, claiming `Rule: auto`, signed by the machine's key, that changes config.json.
        home.git("checkout", "-q", "-b", "side")
        home.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"level\": \"info\"", with: "\"level\": \"debug\""))
        home.git("commit", "-qam", "side")
        home.git("checkout", "-q", "main")
        let merged = home.git("-c", "user.signingkey=" + machine, "merge", "-q", "--no-ff", "-S", "-m", "Merge side\n\nRule: auto", "side")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(gitVerifies(home, "HEAD"), "git only checks the signature")
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("(role auto), but `update merge` would have refused it: config.json is a review path"), run.stderr)
        // The same for a template (an auto path) is what the machine may sign.
        XCTAssertEqual(home.git("reset", "-q", "--hard", good).status, 0)
        home.git("checkout", "-q", "-B", "side")
        home.write("prompt_templates/analyze.mustache", (home.read("prompt_templates/analyze.mustache") ?? "") + "\nShort.\n")
        home.git("commit", "-qam", "template")
        home.git("checkout", "-q", "main")
        XCTAssertEqual(home.git("-c", "user.signingkey=" + machine, "merge", "-q", "--no-ff", "-S", "-m", "Merge side\n\nRule: auto", "side").status, 0)
        let ok = home.minic("run", "hello")
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testAnUnsignedHomeSaysSoAndAClonePullsOnlyApprovedHistory() throws {
        let plain = TestHome()
        let unsigned = plain.minic("update", "verify")
        XCTAssertEqual(unsigned.status, 0, unsigned.stderr)
        XCTAssertTrue(unsigned.stdout.contains("this home is unsigned"), unsigned.stdout)
        plain.commitOnMain("by hand") { $0.write("notes/a.md", "a\n") }
        XCTAssertEqual(plain.minic("run", "hello").status, 0, "a home without keys behaves as before")

        let admin = keys.make("admin")
        let origin = TestHome(signingKey: admin)
        let clone = TestHome(cloning: origin.path)
        XCTAssertEqual(clone.minic("run", "hello").status, 0)
        // A signers change at the origin (allowed_signers is protected) comes with a pull: an admin signed it.
        XCTAssertEqual(origin.minic("update", "signers", "add", "bob@example.com", keys.make("bob") + ".pub").status, 0)
        let pulled = clone.minic("home", "pull")
        XCTAssertEqual(pulled.status, 0, pulled.stderr)
        XCTAssertEqual(clone.head(), origin.head())
        // An unsigned commit at the origin is not pulled.
        let bad = origin.commitOnMain("unsigned") { $0.write("notes/z.md", "z\n") }
        let refused = clone.minic("home", "pull")
        XCTAssertEqual(refused.status, 1, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("not approved") && refused.stderr.contains(String(bad.prefix(12))), refused.stderr)
        XCTAssertNotEqual(clone.head(), bad)
        XCTAssertEqual(clone.minic("run", "hello").status, 0)
    }
}
