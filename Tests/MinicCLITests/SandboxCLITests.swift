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

/// The sandbox's work directory can never be the home's own state, however it is spelled.
final class SandboxWorkdirCLITests: XCTestCase {
    func testTheHomesGitHooksAndStateAreRefusedAsWorkDirectoriesInEverySpelling() throws {
        let home = TestHome()
        home.shell("mkdir -p state && echo queue > state/marker")
        let parent = (home.path as NSString).deletingLastPathComponent
        let name = (home.path as NSString).lastPathComponent
        let links = TemporaryDirectory("sandbox-links")
        try FileManager.default.createSymbolicLink(atPath: links.path + "/git", withDestinationPath: home.path + "/.git")
        try FileManager.default.createSymbolicLink(atPath: links.path + "/home", withDestinationPath: home.path)
        let mainBefore = home.head()
        let hooksBefore = try FileManager.default.contentsOfDirectory(atPath: home.path + "/.git/hooks").sorted()
        let preMerge = home.read("hooks/pre-merge")
        let statusBefore = home.git("status", "--porcelain").stdout
        // What sandboxed code would do with a writable .git: move main and plant a hook that later runs on the host.
        let attack = """
            for g in . .git ../.git git/.git ..; do
              echo 0000000000000000000000000000000000000000 > "$g/refs/heads/main" 2>/dev/null
              mkdir -p "$g/hooks" 2>/dev/null; printf '#!/bin/sh\\ntouch /tmp/minic-pwned\\n' > "$g/hooks/pre-commit" 2>/dev/null
              printf '#!/bin/sh\\nexit 0\\n' > "$g/hooks/pre-merge" 2>/dev/null
            done
            echo planted > hooks/pre-merge; echo x > state/marker; echo x > marker; echo ran
            """
        var spellings: [(String, String?)] = [
            (home.path + "/.git", nil), (home.path + "/.git/", nil), (home.path + "/.git/hooks", nil), (home.path + "/.git/refs/heads", nil),
            (home.path + "/.git/..", nil), (home.path + "/./.git", nil), (home.path + "/hooks/../.git", nil), (links.path + "/git", nil),
            (links.path + "/git/hooks", nil), (links.path + "/home", nil), (home.path + "/hooks", nil), (home.path + "/hooks/", nil),
            (home.path + "/state", nil), (home.path, nil), (home.path + "/", nil), (parent, nil), (name + "/.git", parent), (name, parent), (".", home.path),
            (".git", home.path), (home.path + "/.GIT", nil), ("/", nil), ("/usr", nil), ("/etc", nil), ("/usr/lib", nil), ("/proc/self", nil),
            ("/dev", nil), ("/var", nil), ("/tmp", nil), ("/tmp/", nil), ("/usr/../etc", nil),
        ]
        // Users' home directories (the password database's, system accounts' too), where they exist here.
        for userHome in ["/root", "/var/www", "/var/lib/postgresql", "/home"] where FileManager.default.fileExists(atPath: userHome) {
            spellings.append((userHome, nil))
        }
        for (workdir, directory) in spellings {
            var environment = Shell.testEnvironment
            environment["MINIC_HOME"] = home.path
            let result = Shell.run(
                Shell.minicBinary, ["sandbox", "run", "--workdir", workdir, "--", "sh", "-c", attack], in: directory, environment: environment)
            XCTAssertEqual(result.status, 2, "\(workdir): \(result.stdout) \(result.stderr)")
            XCTAssertFalse(result.stdout.contains("ran"), workdir)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(workdir): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("minic: error: --workdir"), result.stderr)
        }
        // The home found as the current directory (no --home, no MINIC_HOME) is guarded the same way.
        let found = Shell.run(
            Shell.minicBinary, ["sandbox", "run", "--workdir", ".git", "--", "sh", "-c", attack], in: home.path, environment: Shell.testEnvironment)
        XCTAssertEqual(found.status, 2, found.stderr)
        // Nothing changed, as git sees it.
        XCTAssertEqual(home.head(), mainBefore)
        XCTAssertEqual(GitChecks.revParse(home.path, "refs/heads/main"), mainBefore)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path + "/.git/hooks").sorted(), hooksBefore)
        XCTAssertEqual(home.read("hooks/pre-merge"), preMerge)
        XCTAssertEqual(home.read("state/marker"), "queue\n")
        XCTAssertEqual(home.git("status", "--porcelain").stdout, statusBefore)
        GitChecks.assertFsckClean(home.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/minic-pwned"))
        // A project directory still works.
        let project = TemporaryDirectory("sandbox-project")
        var environment = Shell.testEnvironment
        environment["MINIC_HOME"] = home.path
        let fine = Shell.run(Shell.minicBinary, ["sandbox", "run", "--workdir", project.path, "--", "sh", "-c", "echo ok > made"], environment: environment)
        XCTAssertEqual(fine.status, 0, fine.stderr)
        XCTAssertEqual(project.read("made"), "ok\n")
    }

    func testOutputSecretsAreRedactedInTextJSONAndTheLog() throws {
        let home = TestHome()
        let token = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))
        let url = "postgres://app:Sup3rS3cretPw@db.internal/app"
        var environment = Shell.testEnvironment
        environment["MINIC_HOME"] = home.path
        let script = "echo 'token \(token)'; echo 'DATABASE_URL=\(url)' >&2; printf 'ghp_'; printf '\(token.dropFirst(4))\\n'"
        let plain = Shell.run(Shell.minicBinary, ["sandbox", "run", "--", "sh", "-c", script], environment: environment)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let json = Shell.run(Shell.minicBinary, ["sandbox", "run", "--json", "--", "sh", "-c", script], environment: environment)
        XCTAssertEqual(json.status, 0, json.stderr)
        for output in [plain.stdout, plain.stderr, json.stdout, json.stderr, home.activityLog] {
            XCTAssertFalse(output.contains(token), output)
            XCTAssertFalse(output.contains(String(token.dropFirst(4))), output)
            XCTAssertFalse(output.contains("Sup3rS3cretPw"), output)
        }
        XCTAssertTrue(plain.stdout.hasPrefix("token ghp_"), plain.stdout)
        XCTAssertTrue(plain.stderr.contains("secret(s) redacted from the output"), plain.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object["secrets_redacted"] as? [String] ?? []), ["github-pat", "url-credentials"])
        XCTAssertTrue(home.activityLog.contains("sandbox: redacted 3 secret(s) in the output of sh: github-pat, url-credentials"), home.activityLog)
    }
}
