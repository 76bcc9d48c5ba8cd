import Foundation
import MinicTestSupport
import XCTest

/// Breaks an adversarial review of the guardrails found, each kept fixed.
final class GuardrailAttackRegressionTests: XCTestCase {
    let token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"

    /// Arguments the parser refuses are echoed in its error: redacted, never in clear.
    func testSecretsInRefusedArgumentsNeverReachStderr() {
        let home = TestHome()
        for arguments in [
            ["submit", "--type", "explain", "what", "is", token], ["submit", "--type", token, "x"], ["submit", "--type", "explain", "--param", token, "x"],
            ["submit", "--type", "explain", "--at", token, "x"], ["submit", "--type", "explain", "--priority", token, "x"], ["run", "--type", "explain", "-\(token)"],
        ] {
            let result = Shell.run(Shell.minicBinary, arguments + ["--home", home.path], environment: Shell.testEnvironment)
            XCTAssertFalse(result.stderr.contains(token), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stdout.contains(token), "\(arguments): \(result.stdout)")
        }
    }

    /// A key block whose END line never comes is withheld, on the terminal and in --json.
    func testAnUnterminatedKeyBlockIsWithheld() throws {
        let work = TemporaryDirectory("keywork")
        let body = (0..<4).map { _ in String((0..<64).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".randomElement()! }) }
        work.write("k.pem", (["-----BEGIN RSA PRIVATE KEY-----"] + body).joined(separator: "\n") + "\n")
        let user = TemporaryDirectory("user")
        for json in [false, true] {
            let result = Shell.run(
                Shell.minicBinary, ["sandbox", "run", "--workdir", work.path] + (json ? ["--json"] : []) + ["--", "sh", "-c", "cat /work/k.pem; sleep 0.2"],
                environment: Shell.testEnvironment.merging(["HOME": user.path]) { $1 })
            for line in body { XCTAssertFalse(result.stdout.contains(line), "json \(json): \(result.stdout)") }
            XCTAssertTrue(result.stdout.contains("-----BEGIN"), "the block is shown as withheld or redacted, not dropped silently: \(result.stdout)")
        }
    }

    /// A default home (~/.minic) that is there but does not open is no reason to use the defaults.
    func testADefaultHomeThatDoesNotOpenIsNotReplacedByDefaults() throws {
        let user = TemporaryDirectory("user")
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["init", user.path + "/.minic"], environment: Shell.testEnvironment).status, 0)
        try "[[[\n".write(toFile: user.path + "/.minic/.git/config", atomically: true, encoding: .utf8)
        let environment = Shell.testEnvironment.merging(["HOME": user.path, "MINIC_HOME": ""]) { $1 }
        for arguments in [["sandbox", "run", "--", "true"], ["scan", user.path + "/.minic/config.json"]] {
            let result = Shell.run(Shell.minicBinary, arguments, in: user.path, environment: environment)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("does not open"), result.stderr)
        }
    }

    /// Every minic home in reach is guarded, not only the one minic runs with.
    func testOtherHomesAreGuardedToo() throws {
        let running = TestHome()
        let other = TestHome()
        let user = TemporaryDirectory("user")
        XCTAssertEqual(Shell.run(Shell.minicBinary, ["init", user.path + "/.minic"], environment: Shell.testEnvironment).status, 0)
        let environment = Shell.testEnvironment.merging(["HOME": user.path]) { $1 }
        for workdir in [other.path + "/state", other.path + "/.git", other.path, user.path + "/.minic/state", other.path + "/prompt_templates/../hooks"] {
            let result = Shell.run(
                Shell.minicBinary, ["sandbox", "run", "--home", running.path, "--workdir", workdir, "--", "sh", "-c", "echo x > /work/planted"],
                environment: environment)
            XCTAssertEqual(result.status, 2, "\(workdir): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("refused"), result.stderr)
        }
        XCTAssertFalse(other.directory.exists("state/planted"))
        XCTAssertEqual(GitChecks.status(other.path), "")
    }

    /// A bind mount shows the home's .git under another name: judged by where it lives.
    func testBindMountsOfTheHomeAreRefused() throws {
        let home = TestHome()
        let outer = TemporaryDirectory("binds")
        XCTAssertEqual(mkdir(outer.path + "/git", 0o755), 0)
        XCTAssertEqual(mkdir(outer.path + "/holder", 0o755), 0)
        XCTAssertEqual(mkdir(outer.path + "/holder/inner", 0o755), 0)
        guard Shell.run("mount", ["--bind", home.path + "/.git", outer.path + "/git"]).status == 0 else {
            throw XCTSkip("bind mounts need privileges this run does not have")
        }
        defer { Shell.run("umount", [outer.path + "/git"]) }
        XCTAssertEqual(Shell.run("mount", ["--bind", home.path, outer.path + "/holder/inner"]).status, 0)
        defer { Shell.run("umount", [outer.path + "/holder/inner"]) }
        let environment = Shell.testEnvironment.merging(["MINIC_HOME": home.path]) { $1 }
        // A bind of another home's .git, one level down, judged by where it lives too.
        let second = TestHome()
        XCTAssertEqual(mkdir(outer.path + "/second-refs", 0o755), 0)
        XCTAssertEqual(Shell.run("mount", ["--bind", second.path + "/.git/refs", outer.path + "/second-refs"]).status, 0)
        defer { Shell.run("umount", [outer.path + "/second-refs"]) }
        for workdir in [outer.path + "/git", outer.path + "/holder", outer.path + "/git/refs", outer.path + "/second-refs"] {
            let result = Shell.run(Shell.minicBinary, ["sandbox", "run", "--workdir", workdir, "--", "sh", "-c", "echo x > /work/PWNED"], environment: environment)
            XCTAssertEqual(result.status, 2, "\(workdir): \(result.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.git/PWNED"))
        GitChecks.assertFsckClean(home.path)
    }
}

extension GuardrailAttackRegressionTests {
    /// Denied programs are not in the sandbox at all: a script the filter cannot read copies,
    /// links and runs one every way it can, and none of it runs.
    func testDeniedProgramsCannotRunInAnySpelling() throws {
        guard let mount = ["/usr/bin/mount", "/bin/mount"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no mount binary on this host")
        }
        let work = TemporaryDirectory("hidden")
        work.write(
            "run.sh",
            """
            cp \(mount) /tmp/x; /tmp/x --version
            ln -s \(mount) /tmp/l; /tmp/l --version
            PATH=/tmp:$PATH; x --version
            (exec 3<\(mount); /proc/self/fd/3 --version)
            \(mount) --version; /proc/self/root\(mount) --version
            wc -c < \(mount)
            echo end

            """)
        let user = TemporaryDirectory("user")
        let result = Shell.run(
            Shell.minicBinary, ["sandbox", "run", "--workdir", work.path, "--", "sh", "run.sh"],
            environment: Shell.testEnvironment.merging(["HOME": user.path]) { $1 })
        XCTAssertTrue(result.stdout.contains("end"), result.stdout + result.stderr)
        XCTAssertFalse((result.stdout + result.stderr).contains("util-linux"), result.stdout + result.stderr)
    }
}

extension GuardrailAttackRegressionTests {
    /// A denied name covers its family: `mkfs` is `mkfs.ext4` too.
    func testADeniedProgramsFamilyIsHiddenToo() throws {
        guard let family = ["/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4", "/usr/sbin/mkfs.minix"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw XCTSkip("no mkfs.* on this host") }
        let work = TemporaryDirectory("family")
        work.write("run.sh", "\(family) -V; echo end\n")
        let user = TemporaryDirectory("user")
        let result = Shell.run(
            Shell.minicBinary, ["sandbox", "run", "--workdir", work.path, "--", "sh", "run.sh"],
            environment: Shell.testEnvironment.merging(["HOME": user.path]) { $1 })
        XCTAssertTrue(result.stdout.contains("end"), result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("Permission denied"), result.stderr)
    }
}
