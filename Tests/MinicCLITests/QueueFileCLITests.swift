import Foundation
import MinicTestSupport
import XCTest

/// The home remembers its queue: a queue file emptied, deleted or swapped is refused
/// (exit 3, one line, nothing recreated) until `minic tasks new-queue`; a worker whose
/// file is swapped under it stops.
final class QueueFileCLITests: XCTestCase {
    func sqlite(_ file: String, _ sql: String) -> String {
        Shell.run("sqlite3", [file, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func assertRefused(_ result: CommandResult, mentioning word: String, line: UInt = #line) {
        XCTAssertEqual(result.status, 3, result.stderr, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line: \(result.stderr)", line: line)
        XCTAssertTrue(result.stderr.contains(word), result.stderr, line: line)
        XCTAssertTrue(result.stderr.contains("minic tasks new-queue"), "names the way out: \(result.stderr)", line: line)
    }

    func testTheHomeRemembersItsQueueAndRefusesALostOrSwappedOne() throws {
        let home = TestHome()
        let queue = home.path + "/state/queue.sqlite3"
        XCTAssertEqual(home.minic("submit", "first").stdout, "1\n")
        let remembered = home.git("config", "--local", "minic.queue-id").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(remembered.count, 32)
        XCTAssertEqual(sqlite(queue, "SELECT value FROM queue_meta WHERE key = 'queue_id'"), remembered)

        // Emptied.
        XCTAssertEqual(truncate(queue, 0), 0)
        assertRefused(home.minic("tasks", "list"), mentioning: "empty")
        assertRefused(home.minic("submit", "second"), mentioning: "empty")
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: queue))[.size] as? Int, 0, "not recreated")

        // Deleted with everything else in state/: the id lives in .git/config, not there.
        home.shell("rm -rf state/*")
        assertRefused(home.minic("result", "1"), mentioning: "missing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: queue), "not recreated")

        // Another home's queue copied in.
        let other = TestHome()
        XCTAssertEqual(other.minic("submit", "elsewhere").status, 0)
        home.shell("mkdir -p state && cp \(other.path)/state/queue.sqlite3 state/")
        assertRefused(home.minic("worker", "--drain"), mentioning: "replaced")
        XCTAssertEqual(sqlite(queue, "SELECT state FROM tasks"), "queued", "the other queue's task was not run")
    }

    func testNewQueueIsTheWayOutAndKeepsIdsAboveEveryOneUsed() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("submit", "first").stdout, "1\n")
        XCTAssertEqual(home.minic("submit", "second").stdout, "2\n")
        let fine = home.minic("tasks", "new-queue")
        XCTAssertEqual(fine.status, 1, "refused while the queue is fine: \(fine.stderr)")
        XCTAssertTrue(fine.stderr.contains("--force"), fine.stderr)

        // A proposal of task 41 in the history (as `update propose` records it), then the queue swapped for an empty file.
        home.commitOnMain("Tweak\n\nProposed-by: minic task 41\nTask-Id: 41") { $0.write("notes.txt", "x\n") }
        let before = home.git("config", "--local", "minic.queue-id").stdout
        XCTAssertEqual(truncate(home.path + "/state/queue.sqlite3", 0), 0)
        let started = home.minic("tasks", "new-queue")
        XCTAssertEqual(started.status, 0, started.stderr)
        XCTAssertTrue(started.stdout.contains("task ids continue after 41"), started.stdout)
        let kept = try FileManager.default.contentsOfDirectory(atPath: home.path + "/state").filter { $0.hasPrefix("queue.sqlite3.old-") }
        XCTAssertEqual(kept.count, 1, "the old file is kept")
        XCTAssertNotEqual(home.git("config", "--local", "minic.queue-id").stdout, before, "the home remembers the new queue")
        XCTAssertEqual(home.minic("submit", "third").stdout, "42\n", "no id is handed out twice")

        // A fine queue replaced on purpose: ids continue after the old file's.
        let forced = home.minic("tasks", "new-queue", "--force")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains("task ids continue after 42"), forced.stdout)
        XCTAssertEqual(home.minic("submit", "fourth").stdout, "43\n")
        XCTAssertEqual(home.minic("tasks", "list").status, 0)
    }

    /// A home with no queue remembered may still carry `Task-Id:` trailers (a clone of a
    /// home, a home from an older minic, `minic.queue-id` unset): its first queue's ids
    /// start after them, so no trailer comes to name a new task.
    func testAFirstQueueStartsIdsAfterTheTaskIdsInTheHistory() throws {
        let home = TestHome()
        home.commitOnMain("Tweak\n\nProposed-by: minic task 7\nTask-Id: 7") { $0.write("notes.txt", "x\n") }
        let clones = TemporaryDirectory("clone")
        let clone = clones.path + "/home"
        XCTAssertEqual(Shell.run("git", ["clone", "-q", home.path, clone], environment: Shell.testEnvironment).status, 0)
        XCTAssertEqual(Shell.run("git", ["-C", clone, "config", "minic.home", "true"], environment: Shell.testEnvironment).status, 0)
        let submit = { (text: String) in Shell.run(Shell.minicBinary, ["submit", text, "--home", clone], in: clone, environment: Shell.testEnvironment) }
        let first = submit("in the clone")
        XCTAssertEqual(first.stdout, "8\n", first.stderr)
        XCTAssertEqual(submit("next").stdout, "9\n", "the history is read once: ids go on from the queue")
        XCTAssertEqual(sqlite(clone + "/state/queue.sqlite3", "SELECT min(id) FROM tasks"), "8", "checked with sqlite3")

        // The id forgotten and the file gone: the same.
        XCTAssertEqual(home.minic("submit", "first").stdout, "8\n")
        home.git("config", "--local", "--unset", "minic.queue-id")
        home.shell("rm -f state/queue.sqlite3*")
        XCTAssertEqual(home.minic("submit", "after the unset").stdout, "8\n", "7 is the highest id known: the lost file's 8 is not")
        // The id forgotten, the file kept: adopted, and its ids go on.
        home.git("config", "--local", "--unset", "minic.queue-id")
        XCTAssertEqual(home.minic("submit", "adopted").stdout, "9\n")
    }

    /// A worker whose queue file is swapped under it stops claiming, says so on stderr
    /// and in the activity log, and exits non-zero.
    func testAWorkerStopsWhenItsQueueFileIsSwapped() throws {
        let home = TestHome()
        // Swapped the way a restore would: a copy renamed over the path.
        let stderr = try runWorker(
            home, swap: "cp state/queue.sqlite3 state/copy.sqlite3 && mv state/queue.sqlite3 state/aside.sqlite3 && mv state/copy.sqlite3 state/queue.sqlite3")
        // "deleted" or "replaced", depending on whether a claim fell between the two renames.
        XCTAssertTrue(stderr.contains("while this process had it open; no more tasks are claimed from it"), stderr)
        let left = Int(sqlite(home.path + "/state/aside.sqlite3", "SELECT count(*) FROM tasks WHERE state = 'queued'")) ?? 0
        XCTAssertGreaterThan(left, 0, "it stopped instead of draining the old file")
    }

    /// Another home's queue copied over the file in place (same inode: the path still
    /// names the file opened) stops the worker too: a claim reads the queue id.
    func testAWorkerStopsWhenItsQueueFileIsOverwrittenInPlace() throws {
        let home = TestHome()
        let other = TestHome()
        XCTAssertEqual(other.minic("submit", "elsewhere").status, 0)
        let stderr = try runWorker(home, swap: "cat \(other.path)/state/queue.sqlite3 > state/queue.sqlite3")
        XCTAssertTrue(stderr.contains("the task queue \(home.path)/state/queue.sqlite3 was replaced while this process had it open"), stderr)
        XCTAssertTrue(stderr.contains("no more tasks are claimed from it"), stderr)
    }

    /// Runs a worker on 20,000 queued tasks, runs `swap` in the home once 50 are done, and
    /// returns the worker's stderr once it has exited 3 (logging why).
    func runWorker(_ home: TestHome, swap: String, line: UInt = #line) throws -> String {
        let lines = (0..<20000).map { #"{"type": "explain", "prompt": "task \#($0)"}"# }.joined(separator: "\n")
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(lines.utf8)).status, 0, line: line)
        let queue = home.path + "/state/queue.sqlite3"
        let errors = home.path + "/worker.err"
        XCTAssertTrue(FileManager.default.createFile(atPath: errors, contents: nil), line: line)
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        worker.arguments = ["worker", "--home", home.path, "--concurrency", "2"]
        worker.environment = Shell.testEnvironment
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try worker.run()
        var deadline = Date().addingTimeInterval(20)
        while Int(sqlite(queue, "SELECT count(*) FROM tasks WHERE state = 'succeeded'")) ?? 0 < 50 && Date() < deadline { usleep(20_000) }
        home.shell(swap)
        deadline = Date().addingTimeInterval(20)
        while worker.isRunning && Date() < deadline { usleep(20_000) }
        if worker.isRunning { kill(worker.processIdentifier, SIGKILL) }
        worker.waitUntilExit()
        XCTAssertEqual(worker.terminationStatus, 3, "stopped, not killed", line: line)
        XCTAssertTrue(home.activityLog.contains("ERROR - task: worker"), home.activityLog.suffix(500).description, line: line)
        XCTAssertTrue(home.activityLog.contains("while this process had it open"), line: line)
        return String(decoding: FileManager.default.contents(atPath: errors) ?? Data(), as: UTF8.self)
    }
}
