import Foundation
import MinicTestSupport
import XCTest

/// `minic submit` and `minic run` store prompts and parameters with their secrets redacted, or refuse them.
final class PromptSecretsCLITests: XCTestCase {
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    func stored(_ home: TestHome) -> Data {
        var data = Data()
        for name in ["state/queue.sqlite3", "state/queue.sqlite3-wal", "state/activity.log"] {
            data += FileManager.default.contents(atPath: home.path + "/" + name) ?? Data()
        }
        return data
    }

    func testSubmitRunAndFromRedactOrRefuse() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("submit", "--type", "explain", "--param", "key=\(ghp)", "my token is \(ghp)").status, 0)
        let line = #"{"type": "explain", "prompt": "REDIS_URL=redis://:R3disPassw0rd@cache:6379", "params": {"auth": "curl -u bot:Tr0ub4dorXy https://x"}}"#
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(line.utf8)).status, 0)
        let run = home.minic("run", "--type", "explain", "--json", "explain \"\(ghp.prefix(12))\"\\\n\"\(ghp.dropFirst(12))\"")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains(String(ghp.dropFirst(12))), run.stdout)
        let rows = Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT prompt || ' ' || parameters FROM tasks ORDER BY id"]).stdout
        XCTAssertEqual(rows.split(separator: "\n").count, 3, rows)
        let bytes = stored(home)
        for part in [ghp, String(ghp.dropFirst(12)), "R3disPassw0rd", "Tr0ub4dorXy"] {
            XCTAssertNil(bytes.range(of: Data(part.utf8)), "\(part.prefix(5))… stored")
            XCTAssertFalse(rows.contains(part))
        }
        // Refuse: exit 1, one line naming the rule, nothing queued.
        home.commitOnMain("refuse") { home in
            home.write(
                "config.json",
                (home.read("config.json") ?? "").replacingOccurrences(
                    of: #""parameter_types": {}"#, with: #""parameter_types": {}, "prompt_secrets": "refuse""#))
        }
        for arguments in [["submit", "--type", "explain", "token \(ghp)"], ["run", "--type", "explain", "x", "--param", "db=postgres://u:Sup3rS3cretPw@h/d"]] {
            let refused = Shell.run(Shell.minicBinary, arguments + ["--home", home.path], environment: Shell.testEnvironment)
            XCTAssertEqual(refused.status, 1, refused.stderr)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("github-pat") || refused.stderr.contains("url-credentials"), refused.stderr)
            XCTAssertFalse(refused.stderr.contains(ghp) || refused.stderr.contains("Sup3rS3cretPw"))
        }
        XCTAssertEqual(Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT count(*) FROM tasks"]).stdout, "3\n")
        XCTAssertNil(stored(home).range(of: Data("Sup3rS3cretPw".utf8)))
    }
}
