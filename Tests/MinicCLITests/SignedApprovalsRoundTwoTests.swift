import Foundation
import MinicTestSupport
import XCTest

/// The second attack on signed approvals, each fixed: approvals bind the merge's tree, an auto key's revert must be one,
/// and an approval counts only while its key is allowed at the merge.
final class SignedApprovalsRoundTwoTests: XCTestCase {
    let keys = SSHKeys()

    private func id(_ result: CommandResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// A commit made with `git commit-tree`, signed by `key` when given.
    private func commitTree(_ home: TestHome, tree: String, parents: [String], message: String, key: String?) -> String {
        var arguments = key.map { ["-c", "user.signingkey=" + $0] } ?? []
        arguments += ["commit-tree", tree] + parents.flatMap { ["-p", $0] } + ["-m", message]
        if key != nil { arguments.append("-S") }
        let result = Shell.run("git", ["-C", home.path] + arguments, environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The tree of main with config.json's log level set to `level`.
    private func treeWithLevel(_ home: TestHome, _ level: String, from old: String = "info") -> String {
        let config = (home.read("config.json") ?? "").replacingOccurrences(of: "\"level\": \"\(old)\"", with: "\"level\": \"\(level)\"")
        XCTAssertTrue(config.contains("\"level\": \"\(level)\""))
        let blob = Shell.run("git", ["-C", home.path, "hash-object", "-w", "--stdin"], environment: Shell.testEnvironment, input: Data(config.utf8)).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let entries = home.git("ls-tree", "HEAD").stdout.split(separator: "\n").map { line -> String in
            line.hasSuffix("\tconfig.json") ? "100644 blob \(blob)\tconfig.json" : String(line)
        }
        return Shell.run("git", ["-C", home.path, "mktree"], environment: Shell.testEnvironment, input: Data((entries.joined(separator: "\n") + "\n").utf8)).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testApprovalsCountOnlyForTheTreeTheyApproveAndWhileTheKeyIsAllowed() throws {
        let admin = keys.make("admin")
        let bob = keys.make("bob")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "bob@example.com", bob + ".pub").status, 0)
        home.mergeChange("config.json", title: "two for config") {
            $0.replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"approvals_required\": {\"paths\": {\"config.json\": 2}},")
        }
        home.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"level\": \"info\"", with: "\"level\": \"warning\""))
        let proposal = id(home.minic("update", "propose", "--title", "warnings", "--no-auto-merge"))
        XCTAssertEqual(home.minic("update", "approve", proposal).status, 0)
        XCTAssertEqual(home.minic("update", "merge", proposal, "--yes", environment: ["MINIC_SIGNING_KEY": bob]).status, 0)
        let merged = home.head()
        let approvedHead = home.git("rev-parse", "\(merged)^2").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.minic("run", "hello").status, 0)

        // Bob replays the admin's approval (the same message, trailers and second parent) over another tree.
        let message = home.git("log", "-1", "--format=%B", merged).stdout
        let forged = commitTree(home, tree: treeWithLevel(home, "debug", from: "warning"), parents: [merged, approvedHead], message: message, key: bob)
        XCTAssertEqual(home.git("update-ref", "refs/heads/main", forged).status, 0)
        XCTAssertEqual(home.git("reset", "-q", "--hard").status, 0)
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("its tree is not what merging the approved head"), run.stderr)
    }

    func testAnAutoKeysRevertMustRevertAMergeOnMain() throws {
        let admin = keys.make("admin")
        let machine = keys.make("machine")
        let home = TestHome(signingKey: admin)
        XCTAssertEqual(home.minic("update", "signers", "add", "ci@example.com", machine + ".pub", "--role", "auto").status, 0)
        let head = home.head()
        let evil = treeWithLevel(home, "debug")
        // A made-up "merge" that changed config.json, and a revert proposal naming it.
        let fake = commitTree(home, tree: evil, parents: [head], message: "fake", key: nil)
        let revert = commitTree(home, tree: evil, parents: [fake], message: "Revert\n\nReverts: \(fake)", key: nil)
        let message = "Merge proposal 0009-revert: Revert\n\nProposal-Id: 0009-revert\nApproved-by: auto\nRule: auto-revert\nReverts: \(fake)"
        let merge = commitTree(home, tree: evil, parents: [head, revert], message: message, key: machine)
        XCTAssertEqual(home.git("update-ref", "refs/heads/main", merge).status, 0)
        let off = home.minic("run", "hello")
        XCTAssertEqual(off.status, 1)
        XCTAssertTrue(off.stderr.contains("updates.auto_revert was off"), off.stderr)
        XCTAssertEqual(home.git("update-ref", "refs/heads/main", head).status, 0)
        XCTAssertEqual(home.git("reset", "-q", "--hard").status, 0)
        home.mergeChange("config.json", title: "auto revert on") { $0.replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"auto_revert\": true,") }
        let on = home.head()
        let again = commitTree(home, tree: treeWithLevel(home, "debug"), parents: [on, revert], message: message, key: machine)
        XCTAssertEqual(home.git("update-ref", "refs/heads/main", again).status, 0)
        let run = home.minic("run", "hello")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("is not a merge on main's history"), run.stderr)
    }
}
