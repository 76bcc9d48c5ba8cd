import Foundation
import MinicTestSupport
import XCTest

/// `updates.approvals_required` and `minic update approve`: signed approvals of a proposal's exact head, counted per key.
final class TwoPersonApprovalsCLITests: XCTestCase {
    let keys = SSHKeys()

    private func propose(_ home: TestHome, _ file: String, _ content: String, title: String) -> String {
        home.write(file, content)
        let proposed = home.minic("update", "propose", "--title", title, "--no-auto-merge")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        return proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func json(_ result: CommandResult) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
    }

    func testTwoPeopleApproveTheExactHeadOfASensitiveChange() throws {
        let admin = keys.make("admin")
        let bob = keys.make("bob")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "bob@example.com", bob + ".pub").status, 0)
        home.mergeChange("config.json", title: "two people for config.json") {
            $0.replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"approvals_required\": {\"default\": 1, \"paths\": {\"config.json\": 2}},")
        }
        XCTAssertTrue(home.read("config.json")?.contains("approvals_required") == true)
        let asBob = ["MINIC_SIGNING_KEY": bob]

        // An ordinary path needs one approval: the merge itself.
        let notes = propose(home, "notes/a.md", "a\n", title: "notes")
        XCTAssertEqual(home.minic("update", "merge", notes, "--yes").status, 0)

        // config.json needs two distinct keys: the admin merging alone is refused, nothing moves.
        let id = propose(home, "config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"level\": \"info\"", with: "\"level\": \"debug\""), title: "debug log")
        let before = home.head()
        let alone = home.minic("update", "merge", id, "--yes")
        XCTAssertEqual(alone.status, 1)
        XCTAssertTrue(alone.stderr.contains("needs 2 approvals of its head") && alone.stderr.contains("it has 1"), alone.stderr)
        XCTAssertEqual(home.head(), before)
        // The same person approving and merging counts once.
        XCTAssertEqual(home.minic("update", "approve", id).status, 0)
        XCTAssertEqual(home.minic("update", "merge", id, "--yes").status, 1)

        // Bob approves this head; then a new commit on the proposal: his approval no longer counts.
        let approved = try json(home.minic("update", "approve", id, "--json", environment: asBob))
        XCTAssertEqual(approved["required"] as? Int, 2)
        XCTAssertEqual((approved["approvals"] as? [String])?.count, 2)
        let oldHead = home.git("rev-parse", "proposals/" + id).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.git("notes", "--ref=minic/approvals", "show", oldHead).stdout.split(separator: "\n").count, 2)
        home.git("checkout", "-q", "proposals/" + id)
        home.write("notes/late.md", "late\n")
        home.git("add", "-A")
        home.git("commit", "-q", "-m", "late change")
        home.git("checkout", "-q", "main")
        let stale = home.minic("update", "merge", id, "--yes")
        XCTAssertEqual(stale.status, 1)
        XCTAssertTrue(stale.stderr.contains("it has 1"), stale.stderr)

        // A note copied onto the new head, or edited to name it, approves nothing: the signature names the old head.
        let newHead = home.git("rev-parse", "proposals/" + id).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let copied = home.git("notes", "--ref=minic/approvals", "show", oldHead).stdout.replacingOccurrences(of: oldHead, with: newHead)
        let file = TemporaryDirectory("note")
        file.write("note", copied)
        XCTAssertEqual(home.git("notes", "--ref=minic/approvals", "add", "-f", "-F", file.path + "/note", newHead).status, 0)
        XCTAssertEqual(home.minic("update", "merge", id, "--yes").status, 1)

        // Bob approves the new head; the admin's merge completes with both recorded.
        XCTAssertEqual(home.minic("update", "approve", id, environment: asBob).status, 0)
        let merged = home.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Approvals"), "2 of 2")
        let log = home.git("log", "-1", "--format=%(trailers:key=Approval,valueonly)").stdout
        XCTAssertTrue(log.contains("bob@example.com SHA256:"), log)
        XCTAssertEqual(home.minic("update", "verify").status, 0)
        XCTAssertEqual(home.git("verify-commit", "HEAD").status, 0)
    }

    func testApprovalsNeedKeysThatMayApprove() throws {
        // A home without keys cannot count approvals: such a merge is refused, not waved through.
        let plain = TestHome()
        plain.commitOnMain("two approvals") { home in
            home.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"approvals_required\": 2,"))
        }
        let id = propose(plain, "notes/a.md", "a\n", title: "a")
        let refused = plain.minic("update", "merge", id, "--yes")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("needs 2 approvals") && refused.stderr.contains("lists no key"), refused.stderr)
        XCTAssertEqual(plain.minic("update", "approve", id).status, 1)

        // A key not listed, or listed with role auto, does not approve.
        let admin = keys.make("admin")
        let machine = keys.make("machine")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "ci@example.com", machine + ".pub", "--role", "auto").status, 0)
        let other = propose(home, "notes/b.md", "b\n", title: "b")
        let stranger = home.minic("update", "approve", other, environment: ["MINIC_SIGNING_KEY": keys.make("stranger")])
        XCTAssertEqual(stranger.status, 1)
        XCTAssertTrue(stranger.stderr.contains("is not in allowed_signers"), stranger.stderr)
        let auto = home.minic("update", "approve", other, environment: ["MINIC_SIGNING_KEY": machine])
        XCTAssertEqual(auto.status, 1)
        XCTAssertTrue(auto.stderr.contains("has role auto; this needs review"), auto.stderr)
        // A bad approvals_required is a config error naming the key.
        let file = TemporaryDirectory("config")
        file.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"approvals_required\": {\"paths\": {\"x\": 0}},"))
        let bad = home.minic("run", "hello", environment: ["MINIC_CONFIG": file.path + "/config.json"])
        XCTAssertEqual(bad.status, 2, bad.stdout)
        XCTAssertTrue(bad.stderr.contains("updates.approvals_required.paths.x"), bad.stderr)
    }
}
