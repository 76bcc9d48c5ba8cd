import XCTest

@testable import MinicTasks

final class SelfUpdateParseTests: XCTestCase {
    let diff = "diff --git a/config.json b/config.json\n--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-a\n+b\n"

    func testFencedAndBareDiffs() throws {
        let fenced = try XCTUnwrap(SelfUpdate.parse("Title: Tune it\n\nWhy: because.\n```diff\n\(diff)```\nDone."))
        XCTAssertEqual(fenced.title, "Tune it")
        XCTAssertEqual(fenced.patch, diff)
        let bare = try XCTUnwrap(SelfUpdate.parse("Some words first.\n\(diff)\n"))
        XCTAssertNil(bare.title)
        XCTAssertEqual(bare.patch, diff)
        XCTAssertNil(SelfUpdate.parse("Title: nothing\nI would not change anything."))
    }
}
