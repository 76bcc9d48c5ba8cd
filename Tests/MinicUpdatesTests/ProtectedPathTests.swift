import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// Each way a proposal can touch a protected path, refused with exit-1 semantics,
/// naming the path, and leaving the head, the work tree and the proposal untouched.
final class ProtectedPathTests: XCTestCase {
    @discardableResult
    func assertRefused(
        _ home: TestHome, _ name: String, mentions path: String, reason: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> MinicError? {
        let head = home.head()
        let refusal = assertMinicError(.refused, file: file, line: line) { try home.engine().merge(name) }
        let details = refusal?.details ?? []
        XCTAssertTrue(details.contains { $0.hasPrefix(path + ":") }, "no violation for \(path) in \(details)", file: file, line: line)
        if let reason { XCTAssertTrue(details.contains { $0.contains(reason) }, "no '\(reason)' in \(details)", file: file, line: line) }
        XCTAssertEqual(home.head(), head, file: file, line: line)
        XCTAssertEqual(GitChecks.status(home.path), "", file: file, line: line)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), ["refs/heads/proposals/\(name)"], file: file, line: line)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/backups"), [], file: file, line: line)
        GitChecks.assertFsckClean(home.path, file: file, line: line)
        return refusal
    }

    func testAdded() throws {
        let home = TestHome()
        home.handmadeProposal("add-hook") { $0.write("hooks/pre-commit", "#!/bin/sh\n", executable: true) }
        try assertRefused(home, "add-hook", mentions: "hooks/pre-commit", reason: "added")
    }

    func testModified() throws {
        let home = TestHome()
        home.handmadeProposal("edit-hook") { $0.write("hooks/pre-merge", "#!/bin/sh\nexit 0\n", executable: true) }
        try assertRefused(home, "edit-hook", mentions: "hooks/pre-merge", reason: "modified")
    }

    func testDeleted() throws {
        let home = TestHome()
        home.handmadeProposal("drop-list") { $0.git("rm", "-q", "protected.list") }
        try assertRefused(home, "drop-list", mentions: "protected.list", reason: "deleted")
    }

    func testRenamedFrom() throws {
        let home = TestHome()
        home.handmadeProposal("move-hook") { $0.git("mv", "hooks/post-merge", "prompt_templates/post-merge.mustache") }
        try assertRefused(home, "move-hook", mentions: "hooks/post-merge")
    }

    func testRenamedTo() throws {
        let home = TestHome()
        home.handmadeProposal("into-attributes") { $0.git("mv", "prompt_templates/explain.mustache", ".gitattributes") }
        try assertRefused(home, "into-attributes", mentions: ".gitattributes")
    }

    func testModeChanged() throws {
        let home = TestHome()
        home.handmadeProposal("chmod") { $0.shell("chmod -x hooks/post-merge") }
        try assertRefused(home, "chmod", mentions: "hooks/post-merge", reason: "mode changed 100755 -> 100644")
    }

    func testTurnedIntoASymlink() throws {
        let home = TestHome()
        home.handmadeProposal("symlinked-hook") { $0.shell("rm hooks/post-merge && ln -s ../prompt_templates/analyze.mustache hooks/post-merge") }
        try assertRefused(home, "symlinked-hook", mentions: "hooks/post-merge", reason: "typechange")
    }

    func testSymlinkToAProtectedPath() throws {
        let home = TestHome()
        home.handmadeProposal("link-to-hook") { $0.shell("ln -s ../hooks/pre-merge prompt_templates/review.mustache") }
        try assertRefused(home, "link-to-hook", mentions: "prompt_templates/review.mustache", reason: "symlink to protected path hooks/pre-merge")
    }

    func testSymlinksLeavingTheHome() throws {
        let home = TestHome()
        home.handmadeProposal("escape") {
            $0.shell("ln -s /etc/passwd prompt_templates/a.mustache && ln -s ../../../outside prompt_templates/b.mustache && ln -s .. prompt_templates/top")
        }
        let refusal = try assertRefused(home, "escape", mentions: "prompt_templates/a.mustache", reason: "absolute path")
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix("prompt_templates/b.mustache:") && $0.contains("outside the home") } ?? false)
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix("prompt_templates/top:") } ?? false)
    }

    func testSubmoduleGitlink() throws {
        let home = TestHome()
        let head = home.head()
        home.handmadeProposal("submodule", stageAll: false) { $0.git("update-index", "--add", "--cacheinfo", "160000,\(head),vendor/lib") }
        try assertRefused(home, "submodule", mentions: "vendor/lib", reason: "gitlink")
    }

    func testCaseFolding() throws {
        let home = TestHome()
        home.handmadeProposal("upper") {
            $0.write("HOOKS/pre-merge", "#!/bin/sh\n", executable: true)
            $0.write("Protected.List", "\n")
        }
        let refusal = try assertRefused(home, "upper", mentions: "HOOKS/pre-merge", reason: "after case folding")
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix("Protected.List:") } ?? false)
    }

    func testUnicodeNormalisation() throws {
        let home = TestHome()
        home.commitOnMain("protect a name with an accent") { $0.write("protected.list", "protected.list\nhooks/\ncafé.json\n") }
        home.handmadeProposal("unicode") {
            $0.write("hoo\u{200C}ks/pre-merge", "#!/bin/sh\n")  // HFS+ ignorable code point
            $0.write("ｈｏｏｋｓ/post-merge", "#!/bin/sh\n")  // full-width letters (NFKC)
            $0.write("cafe\u{0301}.json", "{}\n")  // NFD spelling of an NFC pattern
        }
        let refusal = try assertRefused(home, "unicode", mentions: "cafe\u{0301}.json", reason: "Unicode normalisation")
        XCTAssertEqual(refusal?.details.filter { $0.contains("after case folding") }.count, 3, "\(refusal?.details ?? [])")
    }

    func testAlwaysProtectedWhateverTheListSays() throws {
        let home = TestHome()
        home.commitOnMain("empty list") { $0.write("protected.list", "# nothing\n") }
        home.handmadeProposal("meta", stageAll: false) {
            $0.write("hooks/pre-merge", "#!/bin/sh\n", executable: true)
            $0.write(".gitmodules", "[submodule \"x\"]\n")
            $0.write("sub/.gitattributes", "* filter=evil\n")
            $0.write(".gitignore", "*\n")
            $0.write("protected.list", "\n")
            // .gitignore now says "*", so name each file (as an attacker would).
            $0.git("add", "-f", "hooks/pre-merge", ".gitmodules", "sub/.gitattributes", ".gitignore", "protected.list")
        }
        let refusal = try assertRefused(home, "meta", mentions: "hooks/pre-merge")
        for path in [".gitmodules", "sub/.gitattributes", ".gitignore", "protected.list"] {
            XCTAssertTrue(refusal?.details.contains { $0.hasPrefix(path + ":") } ?? false, path)
        }
    }

    /// A proposal that un-protects a path and changes it in the same breath is judged by the head's list.
    func testRulesComeFromTheHeadNotTheProposal() throws {
        let home = TestHome()
        home.commitOnMain("protect secret.txt") {
            $0.write("protected.list", "protected.list\nhooks/\nsecret.txt\n")
            $0.write("secret.txt", "v1\n")
        }
        home.handmadeProposal("sneaky") {
            $0.write("protected.list", "hooks/\n")
            $0.write("secret.txt", "v2\n")
        }
        let refusal = try assertRefused(home, "sneaky", mentions: "secret.txt", reason: "protected by 'secret.txt'")
        XCTAssertTrue(refusal?.details.contains { $0.hasPrefix("protected.list:") } ?? false)
    }

    /// A change to a protected path made and undone inside the proposal: the verdict judges what
    /// comes into force (nothing protected changes), `update show` still lists the commit's detail,
    /// and the intermediate commit can never become the head through a rollback.
    func testAProtectedChangeUndoneInsideTheProposalIsShownButJudgedByTheResult() throws {
        let home = TestHome()
        home.git("checkout", "-q", "-b", "proposals/two-step")
        home.write("hooks/pre-merge", "#!/bin/sh\nexit 0\n", executable: true)
        let swapped = GitChecks.commitAll(home.path, "swap the hook")
        home.git("checkout", "-q", "main", "--", "hooks/pre-merge")
        home.write("notes.md", "innocent\n")
        GitChecks.commitAll(home.path, "restore it")
        home.git("checkout", "-q", "main")
        let review = try home.engine().review("two-step")
        XCTAssertEqual(review.violations, [])
        XCTAssertEqual(review.commitViolations.map(\.path), ["hooks/pre-merge"])
        let merged = try home.engine().merge("two-step")
        XCTAssertEqual(home.git("diff", "--name-only", merged.previousHead.hex, merged.commit.hex).stdout, "notes.md\n")
        let refusal = assertMinicError(.refused) { try home.engine().rollback(to: swapped) }
        XCTAssertTrue(refusal?.message.contains("was never the head") ?? false, refusal?.message ?? "")
        XCTAssertEqual(home.head(), merged.commit.hex)
        GitChecks.assertFsckClean(home.path)
    }

    func testShowClassifiesAndListCounts() throws {
        let home = TestHome()
        home.handmadeProposal("mixed") {
            $0.write("hooks/pre-merge", "#!/bin/sh\n", executable: true)
            $0.write("prompt_templates/analyze.mustache", "{{#user}}x{{/user}}\n")
            $0.write("config.json", "{\"version\": 1}\n")
        }
        let review = try home.engine().review("mixed")
        XCTAssertEqual(
            Dictionary(uniqueKeysWithValues: review.paths.map { ($0.path, $0.class) }),
            ["hooks/pre-merge": .protected, "prompt_templates/analyze.mustache": .auto, "config.json": .review])
        XCTAssertEqual(review.violations.map(\.path), ["hooks/pre-merge"])
        let counts = try home.engine().list().first?.counts
        XCTAssertEqual(counts, [.protected: 1, .auto: 1, .review: 1])
    }
}
