import Foundation
import MinicTestSupport
import XCTest

/// `GET /v1/proposals/{id}` and `minic update show --json` are one implementation: the rules dry run and the
/// approvals agree field for field, and the API's answer is what the OpenAPI document says.
final class ProposalDetailsAPITests: XCTestCase {
    let keys = SSHKeys()

    func testTheAPIShowsTheRulesDryRunAndApprovalsAsTheCLIDoes() throws {
        let admin = keys.make("admin")
        let bob = keys.make("bob")
        let served = try ServedHome(signingKey: admin)
        let home = served.home
        XCTAssertEqual(home.minic("update", "signers", "add", "bob@example.com", bob + ".pub").status, 0)
        // Two people approve config.json; then a proposal that changes the rules (auto-approves notes/**).
        home.mergeChange("config.json", title: "two for config") { _ in
            #"{"version": 1, "updates": {"approvals_required": {"default": 1, "paths": {"config.json": 2}}}}"# + "\n"
        }
        home.write("config.json", #"{"version": 1, "updates": {"auto_approve": ["prompt_templates/**", "notes/**"], "approvals_required": {"default": 1, "paths": {"config.json": 2}}}}"# + "\n")
        let proposed = home.minic("update", "propose", "--title", "notes auto", "--no-auto-merge")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let id = proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let approved = home.minic("update", "approve", id, environment: ["MINIC_SIGNING_KEY": bob])
        XCTAssertEqual(approved.status, 0, approved.stderr)

        let text = home.minic("update", "show", id)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("Approvals: 1 of 2 needed (config.json (pattern 'config.json'))\n  approved by bob@example.com SHA256:"), text.stdout)
        XCTAssertTrue(text.stdout.contains("Rules dry-run (under the rules this proposal would bring into force):"), text.stdout)
        let cli = home.minic("update", "show", id, "--json")
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let shown = try ServedHome.object(cli.stdout)
        let approvals = try XCTUnwrap(shown["approvals"] as? [String: Any], cli.stdout)
        XCTAssertEqual(approvals["required"] as? Int, 2)
        XCTAssertEqual(approvals["reason"] as? String, "config.json (pattern 'config.json')")
        XCTAssertEqual((approvals["approvers"] as? [String])?.count, 1)
        XCTAssertTrue((approvals["approvers"] as? [String])?.first?.hasPrefix("bob@example.com SHA256:") ?? false, cli.stdout)
        XCTAssertTrue(approvals["error"] is NSNull)
        let dryRun = try XCTUnwrap(shown["rules_dry_run"] as? [String: Any], cli.stdout)
        XCTAssertEqual(dryRun["revision"] as? String, id)

        let server = try ServeProcess(home: home.path)
        let answer = server.request("GET", "/v1/proposals/\(id)", token: served.review)
        XCTAssertEqual(answer.status, 200, answer.body)
        let api = try ServedHome.object(answer.body)
        XCTAssertEqual(api["approvals"] as? NSDictionary, approvals as NSDictionary)
        XCTAssertEqual(api["rules_dry_run"] as? NSDictionary, dryRun as NSDictionary)
        XCTAssertEqual(Set(api.keys), Set(shown.keys), "the same fields")
        try Self.assertMatchesDocument(answer.body, schema: "ProposalDetail")
        // A merged proposal has no count to show (its merge recorded its approvals), and no dry run when the rules stayed.
        let merged = try ServedHome.object(server.request("GET", "/v1/proposals/1", token: served.review).body)
        XCTAssertEqual(merged["status"] as? String, "merged")
        XCTAssertTrue(merged["approvals"] is NSNull, "\(merged)")
        XCTAssertTrue(merged["rules_dry_run"] is NSNull, "\(merged)")
        XCTAssertTrue(home.minic("update", "show", "1").stdout.contains("Approvals:") == false)
    }

    /// Validates a JSON body against a schema of the OpenAPI document in the repository (python3's jsonschema).
    static func assertMatchesDocument(_ body: String, schema: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let scratch = TemporaryDirectory("schema")
        scratch.write("body.json", body)
        let script = """
            import json, sys, jsonschema
            doc = json.load(open(sys.argv[1]))
            body = json.load(open(sys.argv[2]))
            jsonschema.Draft202012Validator({"$ref": "#/components/schemas/" + sys.argv[3], "components": doc["components"]}).validate(body)
            """
        let checked = Shell.run("python3", ["-c", script, ServeAPITests.repositoryRoot + "/Sources/MinicServer/Resources/openapi.json", scratch.path + "/body.json", schema])
        XCTAssertEqual(checked.status, 0, checked.stderr, file: file, line: line)
    }
}
