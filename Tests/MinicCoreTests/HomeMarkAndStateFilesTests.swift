import Foundation
import MinicCore
import MinicTestSupport
import XCTest

/// A home is what `minic init` marked in the repository's own git config, and the
/// files minic writes under `state/` are its owner's only, never through a symlink.
final class HomeMarkAndStateFilesTests: XCTestCase {
    func testInitMarksTheRepositoryAndOnlyTheMarkMakesAHome() throws {
        let home = TestHome()
        XCTAssertEqual(home.git("config", "--local", "--get", "minic.home").stdout, "true\n")
        XCTAssertTrue(Home.isHome(home.path))

        // A checkout with every file a home has (minic's own source tree, say), but no mark.
        let lookalike = TemporaryDirectory("lookalike")
        for file in ["config.json", "protected.list", "hooks/pre-merge", "prompt_templates/analyze.mustache"] { lookalike.write(file, "x\n") }
        XCTAssertEqual(Shell.git(lookalike.path, "init", "-q").status, 0)
        _ = GitChecks.commitAll(lookalike.path, "source")
        XCTAssertFalse(Home.isHome(lookalike.path))
        XCTAssertThrowsError(try Home(openAt: lookalike.path)) { error in
            XCTAssertEqual((error as? MinicError)?.kind, .badInput)
            XCTAssertTrue((error as? MinicError)?.message.contains("git -C \(lookalike.path) config minic.home true") ?? false)
        }
        let head = GitChecks.revParse(lookalike.path, "HEAD")
        // Typed inside the checkout, with no --home: it is not taken as the home.
        let environment = Shell.testEnvironment.merging(["MINIC_HOME": "", "HOME": lookalike.path + "/nohome"]) { $1 }
        let rollback = Shell.run(Shell.minicBinary, ["update", "rollback", "HEAD", "--yes"], in: lookalike.path, environment: environment)
        XCTAssertEqual(rollback.status, 2, rollback.stderr)
        let explicit = Shell.run(Shell.minicBinary, ["update", "rollback", "HEAD", "--yes", "--home", lookalike.path], environment: environment)
        XCTAssertEqual(explicit.status, 2, explicit.stderr)
        XCTAssertEqual(explicit.stderr.split(separator: "\n").count, 1, explicit.stderr)
        XCTAssertEqual(GitChecks.revParse(lookalike.path, "HEAD"), head)

        // A mark in the global git config does not count: only the repository's own.
        let userHome = TemporaryDirectory("user-home")
        userHome.write(".gitconfig", "[minic]\n\thome = true\n")
        let global = Shell.run(
            Shell.minicBinary, ["update", "list", "--home", lookalike.path],
            environment: Shell.testEnvironment.merging(["HOME": userHome.path, "XDG_CONFIG_HOME": userHome.path]) { $1 })
        XCTAssertEqual(global.status, 2, global.stderr)
        // Nor does a path inside the home, or its .git.
        XCTAssertThrowsError(try Home(openAt: home.path + "/.git"))
        XCTAssertThrowsError(try Home(openAt: home.path + "/prompt_templates"))
    }

    func testStateFilesAreOwnerOnlyAndNeverFollowSymlinks() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("submit", "--type", "explain", "hello").status, 0)
        for file in ["state/activity.log", "state/queue.sqlite3"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: home.path + "/" + file)
            XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600, file)
        }
        let state = try FileManager.default.attributesOfItem(atPath: home.path + "/state")
        XCTAssertEqual((state[.posixPermissions] as? Int).map { $0 & 0o077 }, 0, "state/ is its owner's only")

        // A symlink planted at the log or the queue is not followed: its target stays untouched.
        let victim = TemporaryDirectory("victim")
        victim.write("target", "precious\n")
        let fresh = TestHome()
        try FileManager.default.removeItem(atPath: fresh.path + "/state")
        XCTAssertEqual(mkdir(fresh.path + "/state", 0o700), 0)
        XCTAssertEqual(symlink(victim.path + "/target", fresh.path + "/state/queue.sqlite3"), 0)
        XCTAssertEqual(symlink(victim.path + "/target", fresh.path + "/state/activity.log"), 0)
        let submitted = fresh.minic("submit", "--type", "explain", "hello")
        XCTAssertNotEqual(submitted.status, 0)
        XCTAssertTrue(submitted.stderr.contains("symlink"), submitted.stderr)
        XCTAssertEqual(victim.read("target"), "precious\n")

        // state/ itself a symlink: refused, nothing written there.
        let linked = TestHome()
        try FileManager.default.removeItem(atPath: linked.path + "/state")
        XCTAssertEqual(symlink(victim.path, linked.path + "/state"), 0)
        let result = linked.minic("submit", "--type", "explain", "hello")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: victim.path), ["target"])

        // An older queue file made 0644 is tightened when it is opened.
        let older = TestHome()
        XCTAssertEqual(older.minic("submit", "--type", "explain", "hello").status, 0)
        XCTAssertEqual(chmod(older.path + "/state/queue.sqlite3", 0o644), 0)
        XCTAssertEqual(older.minic("tasks", "list").status, 0)
        let tightened = try FileManager.default.attributesOfItem(atPath: older.path + "/state/queue.sqlite3")
        XCTAssertEqual((tightened[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600)
    }
}

extension HomeMarkAndStateFilesTests {
    /// A mark that arrives through `include.path` is another file's, not the repository's.
    func testAnIncludedMarkDoesNotCount() throws {
        let lookalike = TemporaryDirectory("lookalike")
        lookalike.write("config.json", "{}\n")
        XCTAssertEqual(Shell.git(lookalike.path, "init", "-q").status, 0)
        _ = GitChecks.commitAll(lookalike.path, "source")
        lookalike.write("marked.cfg", "[minic]\n\thome = true\n")
        XCTAssertEqual(Shell.git(lookalike.path, "config", "include.path", lookalike.path + "/marked.cfg").status, 0)
        XCTAssertEqual(Shell.git(lookalike.path, "config", "--get", "minic.home").stdout, "true\n", "git itself sees the included value")
        XCTAssertFalse(Home.isHome(lookalike.path))
    }

    /// A hard link planted as a state file would have minic write into the file it shares.
    func testAHardLinkedStateFileIsRefused() throws {
        let home = TestHome()
        let victim = TemporaryDirectory("victim")
        victim.write("target", "precious\n")
        try FileManager.default.removeItem(atPath: home.path + "/state/activity.log")
        XCTAssertEqual(link(victim.path + "/target", home.path + "/state/activity.log"), 0)
        XCTAssertEqual(link(victim.path + "/target", home.path + "/state/queue.sqlite3"), 0)
        let result = home.minic("submit", "--type", "explain", "hello")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("hard links"), result.stderr)
        XCTAssertEqual(victim.read("target"), "precious\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: victim.path + "/target")
        XCTAssertNotEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600, "not chmodded")
    }
}
