import Foundation
import MinicCore
import MinicTestSupport
import XCTest

/// A program started ahead of its work: it waits on its input until `finish` closes it, its time limit counts
/// from then, and one never finished is killed and reaped.
final class StartedProcessTests: XCTestCase {
    func start(_ script: String, in directory: TemporaryDirectory) throws -> StartedProcess {
        directory.write("p.sh", "#!/bin/sh\n" + script, executable: true)
        return try ProcessRunner.start(executable: directory.path + "/p.sh", arguments: [], environment: ["PATH": "/usr/bin:/bin"], directory: directory.path)
    }

    func testItWaitsForItsInputToCloseAndItsDeadlineCountsFromTheHandover() throws {
        let directory = TemporaryDirectory("started")
        let process = try start("cat > /dev/null\necho work > handed-over\nsleep 0.3\necho done\n", in: directory)
        usleep(800_000)
        XCTAssertFalse(process.hasExited)
        XCTAssertFalse(directory.exists("handed-over"), "it went on before its input closed")
        // 0.8 s have passed since the start: a deadline counted from there would already be over.
        let result = process.finish(timeout: 0.7)
        XCTAssertFalse(result.timedOut, "the wait before the handover counted against its time")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.outputText, "done\n")
        XCTAssertEqual(directory.read("handed-over"), "work\n")
    }

    func testItsTimeLimitStillHoldsAfterTheHandover() throws {
        let directory = TemporaryDirectory("started-late")
        let process = try start("cat > /dev/null\nsleep 30\n", in: directory)
        let began = Date()
        let result = process.finish(timeout: 0.5)
        XCTAssertTrue(result.timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(began), 5)
    }

    func testOneNeverFinishedIsKilledAndReapedAndOneThatExitedIsSeen() throws {
        let directory = TemporaryDirectory("started-dropped")
        var process: StartedProcess? = try start("cat > /dev/null\necho ran > ran\n", in: directory)
        let pid = try XCTUnwrap(process?.pid)
        process = nil
        XCTAssertNotEqual(kill(pid, 0), 0, "a dropped process was left running or unreaped")
        let quitter = try start("exit 3\n", in: directory)
        let gone = Date().addingTimeInterval(5)
        while !quitter.hasExited && Date() < gone { usleep(10_000) }
        XCTAssertTrue(quitter.hasExited)
        XCTAssertEqual(quitter.finish(timeout: 5).status, 3)
    }
}
