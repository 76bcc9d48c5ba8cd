import Foundation
import MinicCore
import MinicTestSupport
import XCTest

/// The one process supervisor: it waits for the process, not for its output to close.
final class ChildProcessTests: XCTestCase {
    func run(_ script: String, in directory: TemporaryDirectory, timeout: Double = 20) throws -> (ProcessResult, Double) {
        directory.write("p.sh", "#!/bin/sh\n" + script, executable: true)
        let start = Date()
        let result = try ProcessRunner.run(
            executable: directory.path + "/p.sh", arguments: [], environment: ["PATH": "/usr/bin:/bin"], directory: directory.path, timeout: timeout)
        return (result, Date().timeIntervalSince(start))
    }

    /// Whether `pid` names a live process (a zombie counts: it was not reaped).
    func alive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    func testAProgramThatClosesItsOutputAndKeepsWorkingRunsToItsEnd() throws {
        let directory = TemporaryDirectory("closes-output")
        let (result, seconds) = try run("echo before\nexec >&- 2>&-\nsleep 1\necho done > finished\nexit 0\n", in: directory)
        XCTAssertEqual(result.status, 0, result.outputText)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.outputText, "before\n")
        XCTAssertGreaterThanOrEqual(seconds, 0.9)
        XCTAssertEqual(directory.read("finished"), "done\n", "the program was stopped before its end")
    }

    func testAnExitIsSeenWhileABackgroundChildHoldsTheOutputOpenAndTheChildIsKilled() throws {
        let directory = TemporaryDirectory("background")
        let (result, seconds) = try run("sleep 30 &\necho $! > child.pid\necho parent done\nexit 4\n", in: directory)
        XCTAssertEqual(result.status, 4)
        XCTAssertEqual(result.outputText, "parent done\n")
        XCTAssertLessThan(seconds, 5, "waited for the background child's end of the pipe")
        let child = try XCTUnwrap(pid_t(directory.read("child.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        // Killed with the group; reaped by init shortly after (it was re-parented), so give it a moment.
        let gone = Date().addingTimeInterval(5)
        while alive(child) && Date() < gone { usleep(20_000) }
        XCTAssertFalse(alive(child), "the background child outlived its parent")
    }

    func testTheDeadlineKillsAProgramWhoseOutputIsClosed() throws {
        let directory = TemporaryDirectory("deadline")
        let (result, seconds) = try run("exec >&- 2>&-\nsleep 30\n", in: directory, timeout: 1)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.status, 128 + SIGKILL)
        XCTAssertLessThan(seconds, 5)
    }

    func testOutputIsCutAtTheLimitAndTheProgramStillFinishes() throws {
        let directory = TemporaryDirectory("limit")
        // 3 MiB of output, three times the limit, then a normal exit.
        let (result, _) = try run("head -c 3145728 /dev/zero | tr '\\0' x\necho end > finished\nexit 0\n", in: directory)
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.output.count, ProcessRunner.outputLimit)
        XCTAssertEqual(directory.read("finished"), "end\n")
    }

    func testStopAtLimitKillsTheGroupOnceTheOutputPassesIt() throws {
        var descriptors: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&descriptors), 0)
        let pid = try spawnInOwnGroup(["/usr/bin/yes"], stdout: descriptors[1])
        close(descriptors[1])
        let child = ChildProcess(adopting: pid, outputs: [descriptors[0]])
        var seen = 0
        let exit = child.wait(timeout: 20, outputLimit: 10_000, stopAtLimit: true, onOutput: { _, chunk in seen += chunk.count })
        XCTAssertTrue(exit.truncated)
        XCTAssertFalse(exit.timedOut)
        XCTAssertEqual(exit.status, 128 + SIGKILL)
        XCTAssertEqual(seen, 10_000)
    }

    func testAProcessNobodyWaitedForIsKilledAndReapedWhenItsOwnerGoes() throws {
        let pid = try spawnInOwnGroup(["/bin/sleep", "30"], stdout: -1)
        XCTAssertTrue(alive(pid))
        do { _ = ChildProcess(adopting: pid, outputs: []) }
        // Reaped here, not left a zombie: no such child any more.
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, WNOHANG), -1)
        XCTAssertEqual(errno, ECHILD)
        XCTAssertFalse(alive(pid))
    }

    /// `posix_spawn`s `argv` leading a new process group, stdout to `stdout` (or inherited when -1).
    func spawnInOwnGroup(_ argv: [String], stdout: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdout >= 0 { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, arguments, [nil])
        XCTAssertEqual(spawned, 0)
        return pid
    }
}
