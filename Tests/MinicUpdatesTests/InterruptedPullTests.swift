import Foundation
import MinicTestSupport
import XCTest

/// `minic home pull` killed at each step: the next command leaves the old state or the new one, never half.
final class InterruptedPullTests: XCTestCase {
    func testAPullKilledAfterMainMovedIsFinishedByTheNextCommand() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let before = clone.head()
        let merged = origin.mergeChange("prompt_templates/explain.mustache", appending: "after the kill", title: "Kill test")
        let pull = try BackgroundMinic(clone, ["home", "pull"], environment: ["MINIC_TEST_PAUSE_AT": "after-ref"])
        XCTAssertTrue(pull.waitUntilStopped())
        pull.kill()
        XCTAssertEqual(clone.head(), merged, "main moved before the kill")
        XCTAssertTrue(FileManager.default.fileExists(atPath: clone.path + "/state/update-intent.json"))
        XCTAssertFalse(clone.read("prompt_templates/explain.mustache")?.contains("after the kill") ?? true, "the work tree had not followed yet")

        let next = clone.minic("home", "status", "--no-fetch")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("finished the pull of \(merged.prefix(7))"), next.stderr)
        XCTAssertEqual(GitChecks.status(clone.path), "")
        XCTAssertTrue(clone.read("prompt_templates/explain.mustache")?.contains("after the kill") ?? false)
        XCTAssertEqual(clone.journal().first?.from, before)
        XCTAssertEqual(clone.journal().first?.to, merged)
        XCTAssertFalse(FileManager.default.fileExists(atPath: clone.path + "/state/update-intent.json"))
        GitChecks.assertFsckClean(clone.path)
    }

    func testAPullKilledBeforeMainMovedChangesNothing() throws {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let before = clone.head()
        origin.mergeChange("prompt_templates/explain.mustache", appending: "never here", title: "Kill test")
        let pull = try BackgroundMinic(clone, ["home", "pull"], environment: ["MINIC_TEST_PAUSE_AT": "after-intent"])
        XCTAssertTrue(pull.waitUntilStopped())
        pull.kill()
        let next = clone.minic("home", "status", "--no-fetch")
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("dropped the pull of"), next.stderr)
        XCTAssertEqual(clone.head(), before)
        XCTAssertTrue(GitChecks.refs(clone.path, "refs/minic/backups/").isEmpty, "the unused backup went")
        XCTAssertTrue(clone.journal().isEmpty)
        // And the pull then goes through.
        XCTAssertEqual(clone.minic("home", "pull").status, 0)
        XCTAssertEqual(clone.head(), origin.head())
    }
}
