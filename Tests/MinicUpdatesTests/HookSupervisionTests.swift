import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// Hooks run under the one process supervisor: waited for until they exit, not until their output closes.
final class HookSupervisionTests: XCTestCase {
    func testAPreMergeHookThatClosesItsOutputAndKeepsWorkingDoesNotBlockTheMerge() throws {
        let home = TestHome()
        // The hook detaches from its output (as daemons and some CI wrappers do), works for a second, then approves.
        home.commitOnMain("quiet hook") {
            $0.write("hooks/pre-merge", "#!/bin/sh\nexec >&- 2>&-\nsleep 1\ntouch \"$MINIC_HOME/state/hook-finished\"\nexit 0\n", executable: true)
        }
        let before = home.head()
        home.write("config.json", #"{"version": 1, "log": {"level": "debug"}}"#)
        let proposal = try home.engine().propose(ProposalRequest(title: "Log at debug"))
        let outcome = try home.engine().merge(proposal.proposal.id)
        XCTAssertEqual(home.head(), outcome.commit.hex)
        XCTAssertNotEqual(home.head(), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: home.path + "/state/hook-finished"), "the hook was killed before its end")
    }
}
