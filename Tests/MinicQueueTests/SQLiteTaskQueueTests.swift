import Foundation
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

/// What only the SQLite backend shows (its file, as the sqlite3 CLI reads it); the behaviour
/// both backends share is in ``SQLiteConformanceTests``.
final class SQLiteTaskQueueTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUp() { directory = TemporaryDirectory("queue") }

    func makeQueue(lease: Double = 30, maxAttempts: Int = 3) throws -> SQLiteTaskQueue {
        try SQLiteTaskQueue(
            path: directory.path + "/state/queue.sqlite3",
            settings: QueueSettings(leaseSeconds: lease, maxAttempts: maxAttempts, backoff: Backoff(base: 2, maximum: 60)))
    }

    /// Reads the queue file with the sqlite3 CLI, independently of GRDB.
    func sqlite(_ sql: String) -> String {
        Shell.run("sqlite3", [directory.path + "/state/queue.sqlite3", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testLifecycleAsSQLiteSeesIt() throws {
        let queue = try makeQueue()
        let task = try queue.enqueue(NewTask(type: "analyze", prompt: "look", files: ["a.swift"], parameters: ["depth": "2"]))
        XCTAssertEqual(task.state, .queued)
        XCTAssertEqual(sqlite("PRAGMA journal_mode"), "wal")
        let claimed = try queue.claim(owner: "w1", limit: 5)
        XCTAssertEqual(claimed.map(\.task.id), [task.id])
        XCTAssertEqual(claimed[0].task.attempts, 1)
        XCTAssertEqual(sqlite("SELECT state, lease_owner, length(lease_token) FROM tasks WHERE id = \(task.id)"), "running|w1|32")
        XCTAssertTrue(
            try queue.complete(claimed[0].lease, outcome: TaskOutcome(result: "fine", usage: TaskUsage(inputTokens: 3, outputTokens: 4), agentCommit: "abc")))
        XCTAssertEqual(sqlite("SELECT state, result, agent_commit, lease_token IS NULL FROM tasks WHERE id = \(task.id)"), "succeeded|fine|abc|1")
        let done = try XCTUnwrap(try queue.task(task.id))
        XCTAssertEqual(done.files, ["a.swift"])
        XCTAssertEqual(done.parameters, ["depth": "2"])
        XCTAssertEqual(done.usage, TaskUsage(inputTokens: 3, outputTokens: 4))
        XCTAssertNotNil(done.finishedAt)
        XCTAssertEqual(try queue.claim(owner: "w1", limit: 5).count, 0)
    }

    /// Options edited into something unreadable are no options (the task would run without its checks): nil, and the
    /// pipeline refuses to run it; a report that does not read counts as blocked.
    func testUnreadableOptionsAndReportsFailClosed() throws {
        let queue = try makeQueue()
        let task = try queue.enqueue(NewTask(type: "generate", prompt: "p", options: TaskOptions(checks: ["python3 -m unittest"])))
        XCTAssertEqual(sqlite("SELECT options FROM tasks WHERE id = \(task.id)"), #"{"allow_failing_checks":false,"base":null,"checks":["python3 -m unittest"],"fix_rounds":null,"model":null}"#)
        _ = sqlite("UPDATE tasks SET options = '{\"checks\": 5}', report = 'not json' WHERE id = \(task.id)")
        let read = try XCTUnwrap(try queue.task(task.id))
        XCTAssertNil(read.options)
        XCTAssertEqual(read.report?.blocked, true)
    }

    func testBackoffCeilingDoublesUpToTheMaximum() {
        let backoff = Backoff(base: 2, maximum: 30)
        XCTAssertEqual((1...6).map { backoff.ceiling(afterAttempt: $0) }, [2, 4, 8, 16, 30, 30])
        for _ in 0..<100 { XCTAssertLessThanOrEqual(backoff.delay(afterAttempt: 3), 8) }
    }
}
