import Foundation
import MinicTestSupport
import XCTest

final class TokenCLITests: XCTestCase {
    func testCreateListRevoke() throws {
        let home = TestHome()
        let created = home.minic("token", "create", "--role", "review", "--name", "Ann")
        XCTAssertEqual(created.status, 0, created.stderr)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(token.hasPrefix("minic_"))
        XCTAssertTrue(created.stderr.contains("shown once"))
        XCTAssertFalse(home.activityLog.contains(token), "the token never reaches the log")
        XCTAssertFalse((home.read("state/tokens.json") ?? "").contains(token))
        XCTAssertFalse(home.git("log", "--all", "-p").stdout.contains(token))
        // A token is a secret to the guardrails too: a file carrying one is a finding, shown redacted.
        let scanned = Shell.run("sh", ["-c", "printf 'curl -H \"Authorization: Bearer %s\"\\n' \"$0\" > leak.sh && \"$1\" scan leak.sh --json", token, Shell.minicBinary], in: home.path, environment: Shell.testEnvironment)
        XCTAssertTrue(scanned.stdout.contains("minic-api-token"), scanned.stdout + scanned.stderr)
        XCTAssertFalse(scanned.stdout.contains(token))
        let listed = home.minic("token", "list", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let tokens = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(tokens.count, 1)
        XCTAssertEqual(tokens[0]["name"] as? String, "Ann")
        XCTAssertEqual(tokens[0]["role"] as? String, "review")
        XCTAssertTrue(tokens[0]["revoked_at"] is NSNull)
        XCTAssertNil(tokens[0]["sha256"], "the hash is not listed either")
        XCTAssertFalse(listed.stdout.contains(token))
        XCTAssertEqual(home.minic("token", "revoke", "Ann").status, 0)
        XCTAssertEqual(home.minic("token", "revoke", "Ann").status, 2)
        XCTAssertEqual(home.minic("token", "create", "--role", "root", "--name", "x").status, 2)
        // A token nobody received is revoked, and the command fails (stdout full or closed; a reader that
        // is gone is the same EPIPE, but whether it left before the write is a race, so it is not tested).
        for redirect in [">/dev/full", ">&-"] {
            let lost = Shell.run("sh", ["-c", "\"$0\" token create --role admin --name lost --home \"$1\" --json \(redirect); echo \"exit=$?\" >&2", Shell.minicBinary, home.path], environment: Shell.testEnvironment)
            XCTAssertTrue(lost.stderr.contains("exit=3"), "\(redirect): \(lost.stderr)")
            XCTAssertFalse(lost.stderr.contains("minic_"), lost.stderr)
        }
        let afterLost = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(home.minic("token", "list", "--json").stdout.utf8)) as? [[String: Any]])
        let lostTokens = afterLost.filter { $0["name"] as? String == "lost" }
        XCTAssertEqual(lostTokens.count, 2)
        XCTAssertTrue(lostTokens.allSatisfy { !($0["revoked_at"] is NSNull) }, "no lost token stays valid")
        let json = home.minic("token", "create", "--role", "submit", "--name", "ci", "--json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertTrue((object["token"] as? String)?.hasPrefix("minic_") == true)
        XCTAssertEqual(object["role"] as? String, "submit")
    }
}
