import Foundation
import MinicTestSupport
import MinicUpdates
import XCTest

/// minic killed with SIGKILL in the middle of a merge leaves the old head and work tree intact.
final class CrashSafetyTests: XCTestCase {
    func testKillDuringAMergeLeavesTheOldStateIntact() throws {
        let home = TestHome()
        home.commitOnMain("slow hook") {
            $0.write(
                "hooks/pre-merge",
                "#!/bin/sh\necho $$ > \"$MINIC_HOME/state/hook-started.tmp\"\nmv \"$MINIC_HOME/state/hook-started.tmp\" \"$MINIC_HOME/state/hook-started\"\nsleep 20\n",
                executable: true)
        }
        home.write("config.json", #"{"version": 1, "log": {"level": "debug"}}"#)
        let id = try home.engine().propose(ProposalRequest(title: "Debug")).proposal.id
        let head = home.head()
        let configBefore = home.read("config.json")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["update", "merge", id, "--yes", "--home", home.path]
        process.environment = Shell.testEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !home.directory.exists("state/hook-started") && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(home.directory.exists("state/hook-started"), "the hook never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The hook leads its own process group; minic's death leaves it orphaned, so end it here.
        if let pid = home.read("state/hook-started").flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) { kill(-pid, SIGKILL) }

        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(home.read("config.json"), configBefore)
        XCTAssertEqual(GitChecks.status(home.path), "")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), ["refs/heads/proposals/\(id)"])
        XCTAssertFalse(home.directory.exists(".git/refs/heads/main.lock"))
        GitChecks.assertFsckClean(home.path)
        // And the proposal is still mergeable afterwards, once the hook is fixed by hand.
        home.commitOnMain("fast hook") { $0.write("hooks/pre-merge", "#!/bin/sh\nexit 0\n", executable: true) }
        XCTAssertNoThrow(try home.engine().merge(id))
    }
}
