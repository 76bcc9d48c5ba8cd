import Foundation
import MinicTestSupport
import XCTest

final class ScanCLITests: XCTestCase {
    func testScanReportsRedactedFindingsAndExitsOneOnBlockingSeverity() throws {
        let directory = TemporaryDirectory("scan")
        let token = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))
        directory.write("src/config.py", "import os\nGITHUB = '\(token)'\n")
        directory.write("src/clean.py", "print('hello')\n")
        directory.write(".git/secret", "ghp_\(String(repeating: "a1", count: 18))\n")
        let result = Shell.run(Shell.minicBinary, ["scan", directory.path + "/src"], environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stdout, "\(directory.path)/src/config.py:2: critical github-pat: GitHub personal access token (classic) (ghp_Zx8Q****************) [block]\n")
        XCTAssertFalse(result.stdout.contains(token))
        let json = Shell.run(Shell.minicBinary, ["scan", directory.path, "--json"], environment: Shell.testEnvironment)
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(findings.map { $0["rule_id"] as? String }, ["github-pat"], "files under .git are skipped")
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["scan", directory.path + "/src/clean.py"], environment: Shell.testEnvironment).status, 0)
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["scan", directory.path + "/nope"], environment: Shell.testEnvironment).status, 2)
    }
}
