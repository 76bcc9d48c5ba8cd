import MinicGit
import XCTest

@testable import MinicTasks

final class SelfUpdateParseTests: XCTestCase {
    let diff = "diff --git a/config.json b/config.json\n--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-a\n+b\n"

    /// The patch the update engine gets out of an answer (it normalizes what `parse` hands it).
    func patch(_ answer: String) throws -> String? {
        guard let parsed = SelfUpdate.parse(answer) else { return nil }
        return String(decoding: try PatchText.normalized(Array(parsed.patch.utf8)), as: UTF8.self)
    }

    func testFencedAndBareDiffs() throws {
        let fencedAnswer = "Title: Tune it\n\nWhy: because.\n```diff\n\(diff)```\nDone."
        XCTAssertEqual(SelfUpdate.parse(fencedAnswer)?.title, "Tune it")
        XCTAssertEqual(try patch(fencedAnswer), diff)
        let bareAnswer = "Some words first.\n\(diff)\n"
        XCTAssertNil(SelfUpdate.parse(bareAnswer)?.title)
        XCTAssertTrue(try XCTUnwrap(try patch(bareAnswer)).hasPrefix("Some words first.\n\(diff)"))
        XCTAssertNil(SelfUpdate.parse("Title: nothing\nI would not change anything."))
        XCTAssertNil(SelfUpdate.parse("Title: a rule\n--- \nnot a diff\n"))
    }

    /// A plain `---`/`+++` diff (no `diff --git` line) is a diff too, and every ```diff fence counts.
    func testPlainDiffsInSeveralFences() throws {
        let answer =
            "Title: Two files\n```diff\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n```\nand\n```diff\n--- /dev/null\n+++ b/y.txt\n@@ -0,0 +1 @@\n+y\n```\n"
        XCTAssertEqual(SelfUpdate.parse(answer)?.title, "Two files")
        XCTAssertEqual(
            try patch(answer),
            "diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n"
                + "diff --git a/y.txt b/y.txt\nnew file mode 100644\n--- /dev/null\n+++ b/y.txt\n@@ -0,0 +1 @@\n+y\n")
    }
}
