import Foundation
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

/// The queue notices its file: an empty, foreign, replaced or missing file is refused
/// (and left as it was), and an open queue stops claiming once its path names another file.
final class QueueIdentityTests: XCTestCase {
    var directory: TemporaryDirectory!
    var path: String { directory.path + "/state/queue.sqlite3" }

    override func setUp() { directory = TemporaryDirectory("queue-identity") }

    func sqlite(_ file: String, _ sql: String) -> String {
        Shell.run("sqlite3", [file, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func size(_ file: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int }

    func assertRefused(_ file: String, expectedID: String?, mentioning words: [String], line: UInt = #line) {
        XCTAssertThrowsError(try SQLiteTaskQueue(path: file, expectedID: expectedID), line: line) { error in
            guard let error = error as? QueueError else { return XCTFail("not a QueueError: \(error)", line: line) }
            XCTAssertEqual(error.kind, .broken, line: line)
            XCTAssertFalse(error.message.contains("\n"), "one line", line: line)
            for word in words + ["minic tasks new-queue"] { XCTAssertTrue(error.message.contains(word), "\(word): \(error.message)", line: line) }
        }
    }

    func testANewQueueCarriesARandomIDAndTheApplicationID() throws {
        let queue = try SQLiteTaskQueue(path: path)
        XCTAssertEqual(queue.queueID.count, 32)
        XCTAssertEqual(sqlite(path, "SELECT value FROM queue_meta WHERE key = 'queue_id'"), queue.queueID)
        XCTAssertEqual(sqlite(path, "PRAGMA application_id"), String(0x6D69_6E63))
        XCTAssertNotEqual(try SQLiteTaskQueue(path: directory.path + "/other.sqlite3").queueID, queue.queueID)
        XCTAssertEqual(try SQLiteTaskQueue(path: path, expectedID: queue.queueID).queueID, queue.queueID, "reopens as itself")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/state").filter { $0.contains(".new-") }
        XCTAssertEqual(leftovers, [], "the temporary file it was built in is gone")
    }

    func testAZeroLengthFileIsRefusedAndNotRecreated() throws {
        let id = try SQLiteTaskQueue(path: path).queueID
        XCTAssertEqual(truncate(path, 0), 0)
        assertRefused(path, expectedID: id, mentioning: ["empty", path])
        assertRefused(path, expectedID: nil, mentioning: ["empty"])
        XCTAssertEqual(size(path), 0, "left as it was")
    }

    func testAReplacedFileIsRefusedAndNotWritten() throws {
        let id = try SQLiteTaskQueue(path: path).queueID
        let other = directory.path + "/other.sqlite3"
        let otherID = try {
            let otherQueue = try SQLiteTaskQueue(path: other)
            _ = try otherQueue.enqueue(NewTask(type: "t", prompt: "elsewhere"))
            return otherQueue.queueID
        }()  // closed: its WAL is checkpointed into the file copied below
        XCTAssertEqual(unlink(path), 0)
        XCTAssertTrue(Shell.run("cp", [other, path]).status == 0)
        assertRefused(path, expectedID: id, mentioning: ["replaced", otherID, id])
        XCTAssertEqual(sqlite(path, "SELECT prompt FROM tasks"), "elsewhere")
    }

    func testAForeignSQLiteFileIsRefusedAndNotMigrated() throws {
        XCTAssertEqual(Shell.run("mkdir", ["-p", directory.path + "/state"]).status, 0)
        XCTAssertEqual(Shell.run("sqlite3", [path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')"]).status, 0)
        assertRefused(path, expectedID: nil, mentioning: ["not a minic task queue"])
        XCTAssertEqual(sqlite(path, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'"), "notes", "no table added")
        XCTAssertEqual(unlink(path), 0)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("not a database at all, just some text\n".utf8)))
        assertRefused(path, expectedID: nil, mentioning: ["not a task queue minic can read"])
    }

    func testAMissingFileIsRefusedWhenAQueueIsExpected() throws {
        let id = try SQLiteTaskQueue(path: path).queueID
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        assertRefused(path, expectedID: id, mentioning: ["missing", id])
        XCTAssertNil(size(path), "not recreated")
    }

    /// A queue made before ids existed (schema v1 only) is adopted: it gets an id, and
    /// its keyed tasks get digests, so a retried submission still finds its task.
    func testAQueueFromBeforeIdsIsAdoptedWithItsTasks() throws {
        XCTAssertEqual(Shell.run("mkdir", ["-p", directory.path + "/state"]).status, 0)
        let legacy = """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, prompt TEXT NOT NULL, files TEXT NOT NULL DEFAULT '[]',
                parameters TEXT NOT NULL DEFAULT '{}', priority INTEGER NOT NULL DEFAULT 0, run_at REAL NOT NULL, state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL, lease_owner TEXT, lease_token TEXT, lease_expires_at REAL,
                result TEXT, error TEXT, usage TEXT, agent_commit TEXT, idempotency_key TEXT UNIQUE, created_at REAL NOT NULL,
                updated_at REAL NOT NULL, started_at REAL, finished_at REAL);
            INSERT INTO tasks (type, prompt, files, parameters, priority, run_at, state, max_attempts, idempotency_key, created_at, updated_at)
                VALUES ('explain', 'old one', '["a.py"]', '{"depth":"2"}', 1, 0, 'queued', 3, 'legacy-key', 0, 0);
            """
        XCTAssertEqual(Shell.run("sqlite3", [path, legacy]).status, 0)
        let queue = try SQLiteTaskQueue(path: path, settings: QueueSettings(maxAttempts: 3))
        XCTAssertEqual(sqlite(path, "SELECT value FROM queue_meta"), queue.queueID)
        XCTAssertEqual(sqlite(path, "SELECT length(request_digest) FROM tasks"), "64")
        let same = NewTask(type: "explain", prompt: "old one", files: ["a.py"], parameters: ["depth": "2"], priority: 1, idempotencyKey: "legacy-key")
        XCTAssertEqual(try queue.enqueue(same).id, 1)
        var different = same
        different.prompt = "new one"
        XCTAssertThrowsError(try queue.enqueue(different))
    }

    func testClaimsStopWhenTheFileIsReplacedOrDeleted() throws {
        let queue = try SQLiteTaskQueue(path: path)
        _ = try queue.enqueue([NewTask(type: "t", prompt: "1"), NewTask(type: "t", prompt: "2")])
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1).count, 1)
        // Replaced by a rename (what `mv`, `cp` to a temporary then `mv`, or a restore does).
        XCTAssertEqual(rename(path, path + ".aside"), 0)
        XCTAssertEqual(Shell.run("cp", [path + ".aside", path]).status, 0)
        assertClaimRefused(queue, mentioning: "replaced")
        XCTAssertEqual(try queue.tasks(TaskFilter(state: .queued)).count, 1, "nothing more claimed from the old file")
        // Deleted.
        XCTAssertEqual(unlink(path), 0)
        assertClaimRefused(queue, mentioning: "deleted")
        XCTAssertNil(size(path))
    }

    /// Another queue's bytes copied over the file in place keep its inode (the `lstat`
    /// check passes) but not its id: the claim's transaction reads the id and stops.
    func testClaimsStopWhenTheFileIsOverwrittenInPlace() throws {
        let queue = try SQLiteTaskQueue(path: path)
        _ = try queue.enqueue([NewTask(type: "t", prompt: "1"), NewTask(type: "t", prompt: "2")])
        XCTAssertEqual(try queue.claim(owner: "w", limit: 1).count, 1)
        let other = directory.path + "/other.sqlite3"
        let otherID = try {
            let otherQueue = try SQLiteTaskQueue(path: other)
            _ = try otherQueue.enqueue([NewTask(type: "t", prompt: "elsewhere 1"), NewTask(type: "t", prompt: "elsewhere 2")])
            return otherQueue.queueID
        }()  // closed: its WAL is checkpointed into the file copied below
        let inode = { () -> ino_t in
            var info = stat()
            XCTAssertEqual(lstat(self.path, &info), 0)
            return info.st_ino
        }
        let before = inode()
        XCTAssertEqual(Shell.run("sh", ["-c", "cat \"$0\" > \"$1\"", other, path]).status, 0)
        XCTAssertEqual(inode(), before, "the same file, other contents")
        let bytes = { [path] in [path, path + "-wal"].map { FileManager.default.contents(atPath: $0) } }
        let untouched = bytes()
        assertClaimRefused(queue, mentioning: "replaced")
        assertClaimRefused(queue, mentioning: otherID)
        XCTAssertEqual(bytes(), untouched, "nothing written: not to the file, not to the WAL a checkpoint would copy into it")
        XCTAssertEqual(sqlite(path, "SELECT value FROM queue_meta"), otherID)
    }

    func assertClaimRefused(_ queue: SQLiteTaskQueue, mentioning word: String, line: UInt = #line) {
        for attempt in [{ _ = try queue.claim(owner: "w", limit: 1) }, { _ = try queue.claim(taskID: 2, owner: "w") }] {
            XCTAssertThrowsError(try attempt(), line: line) { error in
                XCTAssertTrue((error as? QueueError)?.message.contains(word) ?? false, "\(error)", line: line)
            }
        }
    }
}
