import Foundation
import MinicTestSupport
import XCTest

/// `minic init --from`, `minic home pull|status`, and proposals pushed from a clone, checked with the git CLI.
final class HomeSharingCLITests: XCTestCase {
    func testInitFromMakesAHomeLikeInitDoes() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        XCTAssertEqual(clone.head(), origin.head())
        XCTAssertEqual(clone.git("config", "--local", "minic.home").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "true")
        XCTAssertEqual(clone.git("config", "--local", "core.logAllRefUpdates").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "always")
        XCTAssertEqual(clone.git("remote", "get-url", "origin").stdout.trimmingCharacters(in: .whitespacesAndNewlines), origin.path)
        XCTAssertEqual(clone.git("symbolic-ref", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "refs/heads/main")
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: clone.path + "/state", isDirectory: &isDirectory) && isDirectory.boolValue)
        // The hooks keep their executable bit; the work tree is clean; the home loads and validates.
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: clone.path + "/hooks/pre-merge"))
        XCTAssertEqual(GitChecks.status(clone.path), "")
        XCTAssertEqual(clone.minic("validate").status, 0)
        XCTAssertTrue(clone.activityLog.contains("home cloned from \(origin.path)"))
        GitChecks.assertFsckClean(clone.path)
    }

    func testInitFromRefusesWhatIsNotAHomeAndLeavesNothingBehind() throws {
        let scratch = TemporaryDirectory("not-homes")
        // A repository with a home's files but not made by `minic init` (minic's own source has them too).
        let origin = TestHome()
        let plain = scratch.path + "/plain"
        XCTAssertEqual(Shell.run("cp", ["-r", origin.path, plain]).status, 0)
        XCTAssertEqual(Shell.run("rm", ["-rf", plain + "/.git"]).status, 0)
        Shell.git(plain, "init", "-q", "-b", "main")
        GitChecks.commitAll(plain, "not a home")
        let env = Shell.testEnvironment
        for url in [plain, scratch.path + "/missing", "file://" + scratch.path + "/missing"] {
            let target = scratch.path + "/clone"
            let result = Shell.run(Shell.minicBinary, ["init", "--from", url, target], environment: env)
            XCTAssertEqual(result.status, 2, "\(url): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: target), "\(url) left \(target) behind")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), ["plain"], "a staging directory was left behind")
        // A directory that exists and is not empty: refused, its contents untouched.
        scratch.write("busy/notes.txt", "mine\n")
        let busy = Shell.run(Shell.minicBinary, ["init", "--from", origin.path, scratch.path + "/busy"], environment: env)
        XCTAssertEqual(busy.status, 2, busy.stderr)
        XCTAssertTrue(busy.stderr.contains("not an empty directory"), busy.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/busy"), ["notes.txt"])
        // An empty directory is fine.
        XCTAssertTrue((try? FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: false)) != nil)
        let empty = Shell.run(Shell.minicBinary, ["init", "--from", origin.path, scratch.path + "/empty"], environment: env)
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertEqual(GitChecks.revParse(scratch.path + "/empty", "HEAD"), origin.head())
    }

    func testHomePullFastForwardsToTheOriginAndRecordsTheMove() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let before = clone.head()
        let merged = origin.mergeChange("prompt_templates/explain.mustache", appending: "Mind the reader.", title: "Explain for readers")

        let status = clone.minic("home", "status", "--json")
        XCTAssertEqual(status.status, 0, status.stderr)
        let shown = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(shown["head"] as? String, before)
        XCTAssertEqual(shown["origin_head"] as? String, merged)
        XCTAssertEqual(shown["ahead"] as? Int, 0)
        XCTAssertEqual(shown["behind"] as? Int, 2)

        let pulled = clone.minic("home", "pull")
        XCTAssertEqual(pulled.status, 0, pulled.stderr)
        XCTAssertEqual(clone.head(), merged)
        XCTAssertEqual(GitChecks.status(clone.path), "", "the work tree follows main")
        XCTAssertTrue(clone.read("prompt_templates/explain.mustache")?.contains("Mind the reader.") ?? false)
        // Recorded like every head move: journal entry, backup of the old head, minic's reflog message.
        XCTAssertEqual(GitChecks.trailer(clone.path, "refs/minic/journal", "Event"), "pull")
        XCTAssertEqual(GitChecks.trailer(clone.path, "refs/minic/journal", "To"), merged)
        let backups = GitChecks.refs(clone.path, "refs/minic/backups/")
        XCTAssertEqual(backups.count, 1)
        XCTAssertEqual(GitChecks.revParse(clone.path, backups[0]), before)
        XCTAssertTrue(clone.git("reflog", "-1", "--format=%gs", "main").stdout.hasPrefix("minic: pull to"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: clone.path + "/state/update-intent.json"))
        XCTAssertEqual(clone.minic("home", "pull").stdout.contains("nothing to pull"), true)
        GitChecks.assertFsckClean(clone.path)
    }

    func testHomePullRefusesADivergedHistoryAndMovesNothing() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        origin.mergeChange("prompt_templates/explain.mustache", appending: "origin", title: "At the origin")
        let local = clone.commitOnMain("by hand here") { $0.write("prompt_templates/analyze.mustache", ($0.read("prompt_templates/analyze.mustache") ?? "") + "here\n") }
        let result = clone.minic("home", "pull")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("not a fast-forward"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertEqual(clone.head(), local)
        XCTAssertTrue(GitChecks.refs(clone.path, "refs/minic/").isEmpty, "nothing recorded")
    }

    func testHomePullRefusesAHeadThatWouldNotLoadOrChangesProtectedPaths() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let start = clone.head()
        // A config that does not parse, committed at the origin by hand.
        let broken = origin.commitOnMain("break config") { $0.write("config.json", "{ not json\n") }
        let refused = clone.minic("home", "pull")
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("would not load"), refused.stderr)
        XCTAssertEqual(clone.head(), start)
        XCTAssertEqual(GitChecks.revParse(clone.path, "refs/remotes/origin/main"), broken, "fetched, not pulled")
        // Fixed at the origin, but a hook changed by hand on the way: a protected path.
        origin.git("revert", "--no-edit", "HEAD")
        origin.commitOnMain("hook by hand") { $0.write("hooks/post-merge", ($0.read("hooks/post-merge") ?? "") + "# changed\n", executable: true) }
        let hook = clone.minic("home", "pull")
        XCTAssertEqual(hook.status, 1, hook.stderr)
        XCTAssertTrue(hook.stderr.contains("protect"), hook.stderr)
        XCTAssertEqual(clone.head(), start)
        // A person here accepts it.
        let accepted = clone.minic("home", "pull", "--accept-protected")
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(clone.head(), origin.head())
    }

    func testAProposalMadeOnACloneIsPushedToTheOriginAndNeverMovesItsMain() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let early = TestHome(cloning: origin.path)
        let originMain = origin.head()
        clone.write("prompt_templates/explain.mustache", (clone.read("prompt_templates/explain.mustache") ?? "") + "From a worker.\n")
        // All paths auto-approved: on a clone it still does not merge here; it goes to the origin.
        let proposed = clone.minic("update", "propose", "--title", "From a worker", "--json")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let view = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(proposed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(view["pushed"] as? Bool, true, proposed.stdout)
        let id = try XCTUnwrap(view["id"] as? String)
        XCTAssertEqual(clone.head(), originMain, "nothing merged on the worker")
        XCTAssertEqual(origin.head(), originMain, "the push did not move the origin's main")
        XCTAssertEqual(GitChecks.refs(origin.path, "refs/heads/"), ["refs/heads/main", "refs/heads/proposals/\(id)"])
        XCTAssertEqual(origin.git("branch", "--list", "--format=%(refname:short)").stdout, "main\nproposals/\(id)\n")
        XCTAssertEqual(GitChecks.revParse(origin.path, "proposals/\(id)"), view["head"] as? String)
        XCTAssertEqual(origin.git("log", "-1", "--format=%s", "proposals/\(id)").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "From a worker")
        GitChecks.assertFsckClean(origin.path)
        // Not merged on the clone: that would fork it from the origin.
        let here = clone.minic("update", "merge", id, "--yes")
        XCTAssertEqual(here.status, 1, here.stderr)
        XCTAssertTrue(here.stderr.contains("is a clone of"), here.stderr)
        XCTAssertEqual(clone.head(), originMain)
        // Reviewed and merged at the origin, then pulled back.
        XCTAssertEqual(origin.minic("update", "merge", id, "--yes").status, 0)
        XCTAssertEqual(clone.minic("home", "pull").status, 0)
        XCTAssertEqual(clone.head(), origin.head())
        // A clone made before that proposal existed still takes the next number (it fetches before numbering).
        let other = early
        other.write("prompt_templates/analyze.mustache", (other.read("prompt_templates/analyze.mustache") ?? "") + "Another.\n")
        let second = other.minic("update", "propose", "--title", "Another")
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.hasPrefix("0002-"), second.stdout)
    }
}

/// `minic worker --pull-every` and `minic home status` on homes with and without an origin.
final class HomeSharingWorkerCLITests: XCTestCase {
    func testWorkerPullsOnAClone() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        XCTAssertEqual(clone.minic("worker", "--drain", "--pull-every", "-1").status, 2)
        let merged = origin.mergeChange("prompt_templates/explain.mustache", appending: "for the worker", title: "For the worker")
        // A worker pulls at once as it starts, in the background (then every interval); draining, it lets that pull finish.
        let submitted = clone.minic("submit", "--type", "explain", "probe")
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let worked = clone.minic("worker", "--drain", "--pull-every", "60")
        XCTAssertEqual(worked.status, 0, worked.stderr)
        XCTAssertEqual(clone.head(), merged)
        XCTAssertTrue(clone.activityLog.contains("pulling from origin every 60.0 s"), clone.activityLog)
        XCTAssertTrue(clone.activityLog.contains("pulled main"), clone.activityLog)
        // 0 turns background pulls off.
        let again = origin.mergeChange("prompt_templates/explain.mustache", appending: "not pulled", title: "Not pulled")
        XCTAssertEqual(clone.minic("worker", "--drain", "--pull-every", "0").status, 0)
        XCTAssertNotEqual(clone.head(), again)
    }

    func testHomeStatusWithoutAnOrigin() {
        let home = TestHome()
        let status = home.minic("home", "status")
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("origin:      none"), status.stdout)
        let pull = home.minic("home", "pull")
        XCTAssertEqual(pull.status, 2, pull.stderr)
        XCTAssertTrue(pull.stderr.contains("has no origin remote"), pull.stderr)
    }
}

/// A password in an origin URL never reaches stderr, JSON or the activity log.
final class HomeSharingSecretsTests: XCTestCase {
    func testAPasswordInTheOriginURLIsNeverShown() throws {
        let password = "s3cret-Pa55word-xyz"
        let scratch = TemporaryDirectory("secret-url")
        // Nothing listens on port 9 of loopback: the clone fails, saying so without the password.
        let url = "http://someone:\(password)@127.0.0.1:9/origin"
        let refused = Shell.run(Shell.minicBinary, ["init", "--from", url, scratch.path + "/clone"], environment: Shell.testEnvironment)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertFalse((refused.stdout + refused.stderr).contains(password), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("someone:***@127.0.0.1"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/clone"))

        // A clone whose origin later carries a password: status, pull and the log keep it out.
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        clone.git("remote", "set-url", "origin", url)
        for arguments in [["home", "status", "--json"], ["home", "pull"], ["home", "status"]] {
            var args = arguments
            args += ["--home", clone.path]
            let result = Shell.run(Shell.minicBinary, args, environment: Shell.testEnvironment)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertFalse((result.stdout + result.stderr).contains(password), "\(arguments): \(result.stderr)")
        }
        let status = clone.minic("home", "status", "--no-fetch", "--json")
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertFalse(status.stdout.contains(password))
        XCTAssertTrue(status.stdout.contains("someone:***@"), status.stdout)
        XCTAssertFalse(clone.activityLog.contains(password))
    }
}
