import Foundation
import MinicQueue
import MinicTestSupport
import XCTest

/// Ratings as the SQLite file holds them (read with the sqlite3 CLI), and a queue file from before ratings.
final class SQLiteRatingTests: XCTestCase {
    var directory: TemporaryDirectory!
    var path: String { directory.path + "/state/queue.sqlite3" }

    override func setUp() { directory = TemporaryDirectory("queue") }

    func sqlite(_ sql: String) -> CommandResult { Shell.run("sqlite3", [path, sql]) }
    func value(_ sql: String) -> String { sqlite(sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    func finishedTask(_ queue: SQLiteTaskQueue, _ prompt: String) throws -> TaskRecord {
        let task = try queue.enqueue(NewTask(type: "explain", prompt: prompt))
        let claimed = try XCTUnwrap(try queue.claim(taskID: task.id, owner: "w", now: Date()))
        XCTAssertTrue(try queue.complete(claimed.lease, outcome: TaskOutcome(result: "answer to \(prompt)"), now: Date()))
        return task
    }

    func testTheRatingIsJSONInItsOwnColumn() throws {
        let queue = try SQLiteTaskQueue(path: path)
        let task = try finishedTask(queue, "p")
        _ = try queue.rate(task.id, rating: TaskRating(verdict: .bad, note: "wrong", ratedAt: Date(timeIntervalSince1970: 1_764_000_000.5)), now: Date())
        XCTAssertEqual(value("SELECT rating FROM tasks WHERE id = \(task.id)"), #"{"note":"wrong","rated_at":1764000000.5,"verdict":"bad"}"#)
        // Counting verdicts reads the partial index alone.
        XCTAssertTrue(
            value("EXPLAIN QUERY PLAN SELECT rating FROM tasks INDEXED BY tasks_rated WHERE rating IS NOT NULL").contains("COVERING INDEX tasks_rated"))
        // A rating edited into something unreadable shows as none and is not counted; the task still reads.
        XCTAssertEqual(sqlite("UPDATE tasks SET rating = 'not json' WHERE id = \(task.id)").status, 0)
        XCTAssertNil(try queue.task(task.id)?.rating)
        XCTAssertEqual(try queue.ratingCounts(), [:])
    }

    /// A queue file made before ratings (schema v3) keeps its tasks, gains the column, and its tasks can be rated.
    func testAQueueFromBeforeRatingsKeepsItsTasks() throws {
        var ids: [Int64] = []
        do {
            let queue = try SQLiteTaskQueue(path: path)
            ids = try ["one", "two"].map { try finishedTask(queue, $0).id }
            _ = try queue.enqueue(NewTask(type: "explain", prompt: "three", options: TaskOptions(checks: ["true"])))
        }
        // Back to what the v3 schema was: no rating column, no index, the migration not yet run.
        let downgrade = sqlite("DROP INDEX tasks_rated; ALTER TABLE tasks DROP COLUMN rating; DELETE FROM grdb_migrations WHERE identifier = 'v4-rating';")
        XCTAssertEqual(downgrade.status, 0, downgrade.stderr)
        XCTAssertFalse(value("SELECT sql FROM sqlite_master WHERE name = 'tasks'").contains("rating"))

        let queue = try SQLiteTaskQueue(path: path)
        XCTAssertEqual(value("SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1"), "v4-rating")
        let tasks = try queue.tasks(TaskFilter())
        XCTAssertEqual(tasks.map(\.prompt), ["one", "two", "three"])
        XCTAssertEqual(tasks.map(\.result), ["answer to one", "answer to two", nil])
        XCTAssertEqual(tasks.last?.options?.checks, ["true"])
        XCTAssertTrue(tasks.allSatisfy { $0.rating == nil })
        XCTAssertEqual(try queue.rate(ids[0], rating: TaskRating(verdict: .good, ratedAt: Date()), now: Date()).rating?.verdict, .good)
        XCTAssertEqual(value("SELECT json_extract(rating, '$.verdict') FROM tasks WHERE id = \(ids[0])"), "good")
    }
}
