import Foundation
import MinicTestSupport
import XCTest

/// What the attack on signed approvals found, each fixed: loading replays `update merge`'s checks on merges that keys
/// other than an admin's signed, remembers removed keys, and trusts no root the verified history does not vouch for.
final class SignedApprovalsAttackTests: XCTestCase {
    let keys = SSHKeys()

    /// A signed home with an admin (made by init) and `bob@example.com` (review).
    private func home(reviewer: String) -> TestHome {
        let home = TestHome(signingKey: keys.make("admin"))
        XCTAssertEqual(home.minic("update", "signers", "add", "bob@example.com", reviewer + ".pub").status, 0)
        return home
    }

    /// A branch `side` off main with `change` committed (unsigned), main checked out again.
    private func side(_ home: TestHome, from start: String = "main", _ change: (TestHome) -> Void) {
        home.git("checkout", "-q", "-B", "side", start)
        change(home)
        home.git("add", "-A")
        home.git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "side")
        home.git("checkout", "-q", "main")
    }

    func testAReviewKeyMergingAProtectedPathOrSkippingApprovalsWithGitIsRefused() throws {
        let bob = keys.make("bob")
        let home = home(reviewer: bob)
        let good = home.head()
        side(home) { $0.write("hooks/pre-merge", "#!/bin/sh\necho planted\n", executable: true) }
        XCTAssertEqual(home.git("-c", "user.signingkey=" + bob, "merge", "-q", "--no-ff", "-S", "-m", "Merge\n\nRule: review", "side").status, 0)
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("`update merge` would have refused it") && run.stderr.contains("hooks/pre-merge"), run.stderr)

        // config.json needs two approvals: bob merging it alone with git is refused; through minic, with the admin's
        // approval carried in the merge (Approval-Signature), it verifies on any machine.
        XCTAssertEqual(home.git("reset", "-q", "--hard", good).status, 0)
        home.mergeChange("config.json", title: "two for config") {
            $0.replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"approvals_required\": {\"paths\": {\"config.json\": 2}},")
        }
        let two = home.head()
        home.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"level\": \"info\"", with: "\"level\": \"debug\""))
        let proposed = home.minic("update", "propose", "--title", "debug", "--no-auto-merge")
        let id = proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.git("-c", "user.signingkey=" + bob, "merge", "-q", "--no-ff", "-S", "-m", "Merge\n\nProposal-Id: \(id)\nRule: review", "proposals/" + id).status, 0)
        let skipped = home.minic("run", "hello")
        XCTAssertEqual(skipped.status, 1)
        XCTAssertTrue(skipped.stderr.contains("it needs 2 approvals") && skipped.stderr.contains("carries 1"), skipped.stderr)
        XCTAssertEqual(home.git("reset", "-q", "--hard", two).status, 0)
        XCTAssertEqual(home.minic("update", "approve", id).status, 0)
        let merged = home.minic("update", "merge", id, "--yes", environment: ["MINIC_SIGNING_KEY": bob])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertNotNil(GitChecks.trailer(home.path, "HEAD", "Approval-Signature"))
        let verified = home.minic("update", "verify")
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
        // A clone checks the same from the commit alone (notes are not fetched with main).
        let clone = TestHome(cloning: home.path)
        XCTAssertEqual(clone.minic("run", "hello").status, 0)
    }

    func testARemovedKeyCannotSignOnARewoundMain() throws {
        let bob = keys.make("bob")
        let origin = home(reviewer: bob)
        let clone = TestHome(cloning: origin.path)
        XCTAssertEqual(origin.minic("update", "signers", "remove", "bob@example.com").status, 0)
        let removal = origin.head()
        XCTAssertEqual(clone.minic("home", "pull").status, 0)
        XCTAssertEqual(origin.minic("run", "hello").status, 0)

        // On the origin: back to before the removal, and a merge bob signs there.
        XCTAssertEqual(origin.git("reset", "-q", "--hard", "HEAD~1").status, 0)
        side(origin) { $0.write("notes/evil.md", "evil\n") }
        XCTAssertEqual(origin.git("-c", "user.signingkey=" + bob, "merge", "-q", "--no-ff", "-S", "-m", "Merge\n\nRule: review", "side").status, 0)
        let run = origin.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("a key removed from allowed_signers at \(removal.prefix(7))"), run.stderr)
        // On the clone: made a fast-forward of its main with a merge keeping it as second parent.
        XCTAssertEqual(origin.git("-c", "user.signingkey=" + bob, "merge", "-q", "--no-ff", "-S", "-s", "ours", "-m", "Merge main\n\nRule: review", removal).status, 0)
        let pull = clone.minic("home", "pull")
        XCTAssertEqual(pull.status, 1, pull.stdout)
        XCTAssertEqual(clone.head(), removal)
        // Commits bob signed before his key went still verify.
        XCTAssertEqual(origin.git("reset", "-q", "--hard", removal).status, 0)
        XCTAssertEqual(origin.minic("run", "hello").status, 0)
    }

    func testACloneTrustsOnlyAVerifiedHistoryAndBackdatingDoesNotRevive() throws {
        let bob = keys.make("bob")
        let origin = home(reviewer: bob)
        // An origin whose head is not approved is not cloned.
        origin.commitOnMain("unsigned") { $0.write("notes/u.md", "u\n") }
        let target = TemporaryDirectory("clone").path + "/c"
        let refused = Shell.run(Shell.minicBinary, ["init", "--from", origin.path, target], environment: Shell.testEnvironment)
        XCTAssertEqual(refused.status, 2, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("not approved"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        XCTAssertEqual(origin.git("reset", "-q", "--hard", "HEAD~1").status, 0)

        // updates.trust_root naming a commit a stranger signed on top of the real history is no way in.
        let stranger = keys.make("stranger")
        let pub = keys.publicKey(stranger).split(separator: " ").prefix(2).joined(separator: " ")
        origin.git("checkout", "-q", "-b", "evil")
        origin.write("allowed_signers", "evil@example.com namespaces=\"git\" \(pub) role=admin\n")
        origin.git("add", "-A")
        XCTAssertEqual(origin.git("-c", "user.signingkey=" + stranger, "commit", "-q", "-S", "-m", "new root").status, 0)
        let fake = origin.head()
        origin.write("config.json", (origin.read("config.json") ?? "").replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"trust_root\": \"\(fake)\","))
        origin.git("add", "-A")
        XCTAssertEqual(origin.git("-c", "user.signingkey=" + stranger, "commit", "-q", "-S", "-m", "trust me").status, 0)
        let evil = origin.git("rev-parse", "evil").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        origin.git("checkout", "-q", "main")
        let good = origin.head()
        XCTAssertEqual(origin.git("update-ref", "refs/heads/main", evil).status, 0)
        let fresh = TemporaryDirectory("clone2").path + "/c"
        let tricked = Shell.run(Shell.minicBinary, ["init", "--from", origin.path, fresh], environment: Shell.testEnvironment)
        XCTAssertEqual(tricked.status, 2, tricked.stdout)
        XCTAssertEqual(origin.git("update-ref", "refs/heads/main", good).status, 0)
        origin.git("reset", "-q", "--hard", good)

        // A review key limited by valid-before, signing a merge dated before it.
        XCTAssertEqual(origin.minic("update", "signers", "remove", "bob@example.com").status, 0)
        let limited = (origin.read("allowed_signers") ?? "") + "bob@example.com namespaces=\"git\",valid-before=\"20200101Z\" \(keys.publicKey(bob).split(separator: " ").prefix(2).joined(separator: " ")) role=review\n"
        origin.write("allowed_signers", limited)
        origin.git("add", "-A")
        XCTAssertEqual(origin.git("-c", "user.signingkey=" + keys.directory.path + "/admin", "commit", "-q", "-S", "-m", "bob until 2020").status, 0)
        XCTAssertEqual(origin.minic("run", "hello").status, 0)
        side(origin) { $0.write("notes/old.md", "old\n") }
        let backdated = Shell.run(
            "git", ["-C", origin.path, "-c", "user.signingkey=" + bob, "merge", "-q", "--no-ff", "-S", "-m", "Merge\n\nRule: review", "side"],
            environment: Shell.testEnvironment.merging(["GIT_COMMITTER_DATE": "2019-06-01T00:00:00Z"]) { $1 })
        XCTAssertEqual(backdated.status, 0, backdated.stderr)
        let run = origin.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("does not allow (at that time"), run.stderr)
    }

    func testOddSignersFilesAndSignaturesAreRefusedInOneLine() throws {
        let home = TestHome(signingKey: keys.make("admin"))
        let crlf = (home.read("allowed_signers") ?? "").replacingOccurrences(of: "\n", with: "\r\n") + "x namespaces=\"git\" ssh-ed25519 AAAA role=boss\r\n"
        home.write("allowed_signers", crlf)
        home.git("add", "-A")
        XCTAssertEqual(home.git("-c", "user.signingkey=" + keys.directory.path + "/admin", "commit", "-q", "-S", "-m", "crlf").status, 0)
        side(home) { $0.write("notes/a.md", "a\n") }
        XCTAssertEqual(home.git("-c", "user.signingkey=" + keys.directory.path + "/admin", "merge", "-q", "--no-ff", "-S", "-m", "Merge", "side").status, 0)
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("line 5"), run.stderr)
        // Principals that ssh-keygen would read as lists or patterns are refused.
        let fresh = TestHome(signingKey: keys.make("admin2"))
        for principal in ["a,b@example.com", "*", "a b", "#x", "-x", "ca\"t"] {
            let added = fresh.minic("update", "signers", "add", principal, keys.make("k\(principal.count)\(principal.unicodeScalars.first!.value)") + ".pub")
            XCTAssertEqual(added.status, 2, principal)
        }
    }
}
