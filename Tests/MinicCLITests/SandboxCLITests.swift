import Foundation
import MinicTestSupport
import XCTest

final class SandboxCLITests: XCTestCase {
    func sandbox(_ arguments: [String], home: TestHome? = nil) -> CommandResult {
        var environment = Shell.testEnvironment
        if let home { environment["MINIC_HOME"] = home.path }
        return Shell.run(Shell.minicBinary, ["sandbox", "run"] + arguments, environment: environment)
    }

    func testExitStatusOutputAndLimitCodes() throws {
        let plain = sandbox(["--", "sh", "-c", "echo out; echo err >&2; exit 7"])
        XCTAssertEqual(plain.status, 7)
        XCTAssertEqual(plain.stdout, "out\n")
        XCTAssertEqual(plain.stderr, "err\n")
        XCTAssertEqual(sandbox(["--timeout", "0.5", "--", "sleep", "10"]).status, 124)
        XCTAssertEqual(sandbox(["--memory", "48M", "--", "python3", "-c", "bytearray(300 << 20)"]).status == 0, false)
        XCTAssertEqual(sandbox(["--", "nc", "-z", "127.0.0.1", "1"]).status, 126, "denied by the default deny list")
        XCTAssertEqual(sandbox(["--timeout", "5", "echo", "no terminator"]).stdout, "no terminator\n", "-- is optional before the command")
        XCTAssertEqual(sandbox(["--", "sh", "-c", "echo $0", "--help"]).stdout, "--help\n", "options after the command are the command's")
        XCTAssertEqual(sandbox([]).status, 2)
        XCTAssertEqual(sandbox(["--memory", "lots", "--", "true"]).status, 2)
    }

    func testJSONAndTheWorkDirectory() throws {
        let work = TemporaryDirectory("sandbox-cli")
        let result = sandbox(["--workdir", work.path, "--json", "--", "sh", "-c", "pwd; echo made > result.txt"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["exit_code"] as? Int, 0)
        XCTAssertEqual(object["stdout"] as? String, "/work\n")
        XCTAssertNotNil(object["duration_ms"])
        XCTAssertEqual(work.read("result.txt"), "made\n")
    }

    func testTheHomesConfigAppliesAndRefusalsAreLogged() throws {
        let home = TestHome()
        _ = home.commitOnMain("allow only echo") { directory in
            let config = try? String(contentsOfFile: home.path + "/config.json", encoding: .utf8)
            directory.write("config.json", (config ?? "").replacingOccurrences(of: #""allow_commands": []"#, with: #""allow_commands": ["echo"]"#))
        }
        XCTAssertEqual(sandbox(["--", "echo", "hi"], home: home).status, 0)
        let refused = sandbox(["--", "sh", "-c", "echo hi; python3 -c 1"], home: home)
        XCTAssertEqual(refused.status, 126)
        XCTAssertTrue(refused.stderr.contains("'sh' is not in sandbox.allow_commands"), refused.stderr)
        XCTAssertTrue(home.activityLog.contains("WARNING - security: sandbox refused: sandbox: 'sh' is not in sandbox.allow_commands"), home.activityLog)
    }
}
