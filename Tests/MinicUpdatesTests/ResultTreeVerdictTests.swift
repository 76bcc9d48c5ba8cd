import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// Path rules judge what would come into force: the head's tree against the tree the
/// merge would record, whatever the proposal's history looks like.
final class ResultTreeVerdictTests: XCTestCase {
    /// A home whose rules a person tightened on main after the first commit: the older
    /// approved commit `old` still has the looser `protected.list` and hook.
    func homeWithTightenedRules() -> (home: TestHome, old: String) {
        let home = TestHome()
        let old = home.head()
        home.commitOnMain("tighten the rules") {
            $0.write("protected.list", ($0.read("protected.list") ?? "") + "/secrets-policy.md\n")
            $0.write("hooks/pre-merge", "#!/bin/sh\necho strict\nexit 0\n", executable: true)
        }
        return (home, old)
    }

    /// Makes `proposals/<name>` with plumbing: a commit with `tree` and `parents`.
    @discardableResult
    func plumbedProposal(_ home: TestHome, _ name: String, tree: String, parents: [String]) -> String {
        let arguments = ["commit-tree", tree] + parents.flatMap { ["-p", $0] } + ["-m", "Handmade \(name)"]
        let commit = Shell.run("git", ["-C", home.path] + arguments, environment: Shell.testEnvironment).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.git("update-ref", "refs/heads/proposals/\(name)", commit).status, 0)
        return commit
    }

    /// The head's tree with `paths` taken from commit `from` (a temporary index; the home's is untouched).
    func headTree(_ home: TestHome, takingFrom from: String, _ paths: [String]) -> String {
        let index = home.path + "/.git/minic-test-index"
        defer { unlink(index) }
        let environment = Shell.testEnvironment.merging(["GIT_INDEX_FILE": index]) { $1 }
        XCTAssertEqual(Shell.run("git", ["-C", home.path, "read-tree", "HEAD"], environment: environment).status, 0)
        for path in paths {
            let entry = Shell.run("git", ["-C", home.path, "ls-tree", from, path], environment: environment).stdout
            let fields = entry.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
            XCTAssertEqual(fields.count, 4, "ls-tree \(path): \(entry)")
            let info = "\(fields[0]),\(fields[2]),\(path)"
            XCTAssertEqual(Shell.run("git", ["-C", home.path, "update-index", "--cacheinfo", info], environment: environment).status, 0)
        }
        return Shell.run("git", ["-C", home.path, "write-tree"], environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func assertRefusedAndUnchanged(_ home: TestHome, _ name: String, mentions paths: [String], file: StaticString = #filePath, line: UInt = #line) {
        let head = home.head()
        let refusal = assertMinicError(.refused, file: file, line: line) { try home.engine().merge(name) }
        for path in paths {
            XCTAssertTrue(refusal?.details.contains { $0.hasPrefix(path + ":") } ?? false, "\(path) in \(refusal?.details ?? [])", file: file, line: line)
        }
        XCTAssertEqual(home.head(), head, file: file, line: line)
        XCTAssertEqual(home.git("diff", "--quiet", "HEAD").status, 0, file: file, line: line)
        XCTAssertTrue(home.activityLog.contains("- WARNING - security: merge of \(name) refused: protected path: \(paths[0])"), file: file, line: line)
        GitChecks.assertFsckClean(home.path, file: file, line: line)
    }

    /// A merge commit whose other parent is an earlier approved commit of main brings back
    /// the older `protected.list` and hook: every commit's own change looks empty.
    func testAMergeCommitThatRestoresAnOlderProtectedFileIsRefused() {
        let (home, old) = homeWithTightenedRules()
        let head = home.head()
        let tree = headTree(home, takingFrom: old, ["protected.list", "hooks/pre-merge"])
        plumbedProposal(home, "restore", tree: tree, parents: [head, old])
        assertRefusedAndUnchanged(home, "restore", mentions: ["hooks/pre-merge", "protected.list"])
        // The per-commit view alone would have let it through: the verdict is the result tree's.
        XCTAssertEqual(try home.engine().review("restore").violations.map(\.path), ["hooks/pre-merge", "protected.list"])
    }

    /// The same with the parents the other way round, with three parents, and one level further down.
    func testOtherMergeShapesAreJudgedByTheirResult() {
        let (home, old) = homeWithTightenedRules()
        let head = home.head()
        let tree = headTree(home, takingFrom: old, ["protected.list"])
        plumbedProposal(home, "swapped", tree: tree, parents: [old, head])
        assertRefusedAndUnchanged(home, "swapped", mentions: ["protected.list"])

        let innocent = plumbedProposal(home, "side", tree: headTree(home, takingFrom: head, []), parents: [head])
        plumbedProposal(home, "octopus", tree: tree, parents: [head, old, innocent])
        assertRefusedAndUnchanged(home, "octopus", mentions: ["protected.list"])

        // A merge deep in the branch, then an ordinary commit on top of it.
        let merge = plumbedProposal(home, "deep-base", tree: tree, parents: [head, old])
        home.git("checkout", "-q", "-b", "proposals/deep", merge)
        home.write("notes.md", "on top\n")
        GitChecks.commitAll(home.path, "an innocent commit on top")
        home.git("checkout", "-q", "main")
        assertRefusedAndUnchanged(home, "deep", mentions: ["protected.list"])
    }

    /// A rewritten branch whose parent is an old commit: git's own merge result keeps the
    /// head's rules, and that result is what is judged, so the innocent part merges.
    func testABranchMadeOnAnOldCommitIsJudgedByTheMergeResult() throws {
        let (home, old) = homeWithTightenedRules()
        home.git("checkout", "-q", "-b", "proposals/old-base", old)
        home.write("notes.md", "from an old base\n")
        GitChecks.commitAll(home.path, "notes")
        home.git("checkout", "-q", "main")
        let merged = try home.engine().merge("old-base")
        XCTAssertEqual(home.git("diff", "--name-only", merged.previousHead.hex, merged.commit.hex).stdout, "notes.md\n")
        XCTAssertTrue(home.read("protected.list")?.contains("/secrets-policy.md") ?? false)
    }

    /// `state/` is minic's, like `hooks/`: never part of a proposal, in any spelling.
    func testStateIsAlwaysProtected() throws {
        for path in ["state/queue.sqlite3", "state/activity.log", "state/new/file", "STATE/x", "State/activity.log"] {
            let home = TestHome()
            home.handmadeProposal("state") { $0.shell("mkdir -p \"$(dirname '\(path)')\" && echo x > '\(path)' && git add -f '\(path)'") }
            let refusal = assertMinicError(.refused) { try home.engine().merge("state") }
            XCTAssertTrue(refusal?.details.contains { $0.hasPrefix(path + ":") && $0.contains("/state") } ?? false, "\(path): \(refusal?.details ?? [])")
        }
    }

    /// propose refuses a change that could never merge (exit 1, naming the paths), keeping the work.
    func testProposeRefusesProtectedPathsAtOnce() throws {
        let home = TestHome()
        home.write("protected.list", "# nothing\n")
        home.write("hooks/post-merge", "#!/bin/sh\n", executable: true)
        home.write("prompt_templates/analyze.mustache", "{{#user}}fine{{/user}}\n")
        let refusal = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "loosen")) }
        XCTAssertEqual(refusal?.details.map { String($0.prefix { $0 != ":" }) }, ["hooks/post-merge", "protected.list"])
        XCTAssertTrue(refusal?.message.contains("could never merge") ?? false)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertEqual(home.read("protected.list"), "# nothing\n", "the work is kept")
        XCTAssertTrue(home.activityLog.contains("- WARNING - security: proposal refused: protected path: hooks/post-merge"))
        XCTAssertTrue(home.activityLog.contains("- WARNING - update: proposal refused: hooks/post-merge"))
        // A template that does not parse is refused at propose too.
        home.git("checkout", "-q", ".")
        home.write("prompt_templates/explain.mustache", "{{#user}}unclosed\n")
        let broken = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "broken")) }
        XCTAssertTrue(broken?.details.joined().contains("prompt_templates/explain.mustache") ?? false, "\(broken?.details ?? [])")
    }
}
