import Foundation
import MinicTestSupport
import XCTest

/// `minic serve` on a signed home: a merge over HTTP is signed with the server's key (and refused without one),
/// and a main whose approvals fail holds tasks and merges, and says so on `/readyz`, until a person goes back.
final class SignedServeTests: XCTestCase {
    let keys = SSHKeys()

    /// `git verify-commit` with the home's allowed_signers.
    private func gitVerifies(_ home: TestHome, _ commit: String) -> Bool {
        home.git("-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=" + home.path + "/allowed_signers", "verify-commit", commit).status == 0
    }

    private func waitUntil(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) rethrows {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { return XCTFail("timed out waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    func testAnHTTPMergeIsSignedWithTheServersKeyAndRefusedWithoutOne() throws {
        let admin = keys.make("admin")
        let machine = keys.make("machine")
        let served = try ServedHome(signingKey: admin)
        let home = served.home
        // The server's own key, role review: it signs what the token's person approves.
        let added = home.minic("update", "signers", "add", "serve@example.com", machine + ".pub")
        XCTAssertEqual(added.status, 0, added.stderr)
        // From here on only serve's environment names a key.
        XCTAssertEqual(home.git("config", "--unset", "user.signingkey").status, 0)
        let patch = try served.templatePatch()

        // Without a key: refused like any refusal, and nothing moves.
        var server = try ServeProcess(home: home.path)
        let (id, proposalHead) = try served.propose(on: server, patch)
        let head = home.head()
        let refs = home.git("for-each-ref").stdout
        let refused = server.request("POST", "/v1/proposals/\(id)/merge", token: served.review, json: #"{"expect": "\#(proposalHead)"}"#)
        XCTAssertEqual(refused.status, 409, refused.body)
        let error = try ServedHome.error(refused.body)
        XCTAssertEqual(error.code, "refused")
        XCTAssertTrue(error.message.contains("set updates.signing_key, MINIC_SIGNING_KEY or git config user.signingkey; nothing changed"), error.message)
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(home.git("for-each-ref").stdout, refs, "no ref moved, no backup written")
        XCTAssertEqual(try ServedHome.object(server.request("GET", "/v1/proposals/\(id)", token: served.review).body)["status"] as? String, "open")
        XCTAssertEqual(server.stop(), 0, server.log)

        // With MINIC_SIGNING_KEY in serve's environment: signed, approved by the token's person, verified by git and minic.
        server = try ServeProcess(home: home.path, environment: ["MINIC_SIGNING_KEY": machine])
        let merged = server.request("POST", "/v1/proposals/\(id)/merge", token: served.review, json: #"{"expect": "\#(proposalHead)"}"#)
        XCTAssertEqual(merged.status, 200, merged.body + server.log)
        let commit = try XCTUnwrap(try ServedHome.object(merged.body)["commit"] as? String)
        XCTAssertEqual(home.head(), commit)
        XCTAssertEqual(GitChecks.trailer(home.path, commit, "Approved-by"), "Ann <ann@example.com>")
        XCTAssertEqual(GitChecks.trailer(home.path, commit, "Rule"), "review")
        let signedBy = try XCTUnwrap(GitChecks.trailer(home.path, commit, "Signed-by"))
        let fingerprint = Shell.run("ssh-keygen", ["-l", "-E", "sha256", "-f", machine + ".pub"]).stdout.split(separator: " ")[1]
        XCTAssertEqual(signedBy, "serve@example.com \(fingerprint)")
        XCTAssertTrue(gitVerifies(home, commit), "git verify-commit \(commit)")
        let verified = home.minic("update", "verify", "--json")
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
        XCTAssertEqual(try ServedHome.object(verified.stdout)["state"] as? String, "signed")
        GitChecks.assertFsckClean(home.path)
    }

    func testServeDoesNotStartOnAMainThatIsNotApproved() throws {
        let home = TestHome(signingKey: keys.make("admin"))
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }
        XCTAssertThrowsError(try ServeProcess(home: home.path, ["--workers", "1"])) { error in
            let log = (error as NSError).localizedDescription
            XCTAssertTrue(log.contains("minic: error: main of \(home.path) is not approved: commit \(bad.prefix(12)) (sneaky) not signed"), log)
            XCTAssertFalse(log.contains("listening"), log)
        }
    }

    func testAMainThatIsNotApprovedHoldsTasksAndMergesUntilARollbackOverHTTP() throws {
        let served = try ServedHome(signingKey: keys.make("admin"))
        let home = served.home
        let server = try ServeProcess(home: home.path, ["--workers", "1"])
        let (id, proposalHead) = try served.propose(on: server, try served.templatePatch())
        let good = home.head()
        // A task that becomes claimable only once main has moved.
        let queued = server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "held", "run_at": "+3"}"#)
        XCTAssertEqual(queued.status, 201, queued.body)
        let task = try XCTUnwrap(try ServedHome.object(queued.body)["id"] as? Int)
        let submittedAt = Date()
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }
        let line = "main of \(home.path) is not approved: commit \(bad.prefix(12)) (sneaky) not signed"

        // Merging and submitting are refused with the one line.
        let merge = server.request("POST", "/v1/proposals/\(id)/merge", token: served.review, json: #"{"expect": "\#(proposalHead)"}"#)
        XCTAssertEqual(merge.status, 409, merge.body)
        XCTAssertEqual(try ServedHome.error(merge.body).code, "refused")
        XCTAssertTrue(try ServedHome.error(merge.body).message.contains(line), merge.body)
        let submit = server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "more"}"#)
        XCTAssertEqual(submit.status, 409, submit.body)
        XCTAssertTrue(try ServedHome.error(submit.body).message.contains(line), submit.body)
        // Not ready, naming it; the process itself is up (liveness), and a person can still look.
        let ready = server.request("GET", "/readyz")
        XCTAssertEqual(ready.status, 503, ready.body)
        XCTAssertEqual(try ServedHome.object(ready.body)["status"] as? String, "unavailable")
        XCTAssertTrue((try ServedHome.object(ready.body)["home"] as? String)?.contains(line) ?? false, ready.body)
        XCTAssertEqual(server.request("GET", "/healthz").status, 200)
        XCTAssertEqual(server.request("GET", "/v1/proposals/\(id)", token: served.review).status, 200)
        XCTAssertEqual(server.request("GET", "/v1/history", token: served.review).status, 200)

        // The task stays queued past its time, and the log says why once.
        waitUntil("the worker's line") { home.activityLog.contains("not running tasks, they stay queued: \(line)") }
        Thread.sleep(forTimeInterval: max(0, 5 - Date().timeIntervalSince(submittedAt)))
        let held = try ServedHome.object(server.request("GET", "/v1/tasks/\(task)", token: served.submit).body)
        XCTAssertEqual(held["state"] as? String, "queued")
        XCTAssertEqual(held["attempts"] as? Int, 0)
        XCTAssertEqual(home.activityLog.components(separatedBy: "not running tasks, they stay queued").count - 1, 1, home.activityLog)
        XCTAssertEqual(home.head(), bad)

        // Going back over HTTP (the target's history verifies; main's need not): tasks and merges resume.
        let back = server.request("POST", "/v1/rollback", token: served.review, json: #"{"to": "\#(good)", "expect": "\#(bad)"}"#)
        XCTAssertEqual(back.status, 200, back.body)
        XCTAssertEqual(home.head(), good)
        try waitUntil("the held task to run") {
            try ServedHome.object(server.request("GET", "/v1/tasks/\(task)", token: served.submit).body)["state"] as? String == "succeeded"
        }
        XCTAssertTrue(home.activityLog.contains("main verifies again; running tasks"), home.activityLog)
        XCTAssertEqual(server.request("GET", "/readyz").status, 200)
        let merged = server.request("POST", "/v1/proposals/\(id)/merge", token: served.review, json: #"{"expect": "\#(proposalHead)"}"#)
        XCTAssertEqual(merged.status, 200, merged.body)
        XCTAssertNotNil(GitChecks.trailer(home.path, "HEAD", "Signed-by"))
        XCTAssertEqual(home.minic("update", "verify").status, 0)
    }
}
