import Foundation
import GRDB
import MinicBase

/// The queue file's identity.
///
/// Task ids are only meaningful inside one queue: `Task-Id:` trailers in a home's
/// history name tasks of that queue. A queue file that is emptied, replaced or
/// deleted and silently recreated would restart the ids and make those trailers
/// point at new tasks. So every queue carries a random id (`queue_meta`) and
/// SQLite's `application_id` ("minc"), the opener compares the id with the one it
/// expects, and an open queue notices when its path stops naming the file it opened
/// (before each claim) or the file stops holding its id (inside each claim).
extension SQLiteTaskQueue {
    /// `PRAGMA application_id` of a minic queue: "minc" in ASCII.
    static let applicationID: Int32 = 0x6D69_6E63

    /// What to say about the way out in every refusal.
    static let wayOut = "restore it, or start a new queue with `minic tasks new-queue` (the old file is kept beside it)"

    /// 128 random bits as 32 hex digits.
    static func newQueueID() -> String {
        (0..<2).map { _ in
            let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// What stands at the queue's path before it is opened.
    enum FileState {
        case absent, empty, present
    }

    static func fileState(_ path: String) throws(QueueError) -> FileState {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw .internal("cannot check \(path): \(String(cString: strerror(errno)))") }
            return .absent
        }
        // A symlink or other non-file is refused later by StateFiles, with its own message.
        return info.st_mode & S_IFMT == S_IFREG && info.st_size == 0 ? .empty : .present
    }

    /// Creates a migrated queue at `path` all at once: built under a temporary name
    /// and linked into place, so a crash never leaves an empty file there (an empty
    /// queue file is then always someone else's doing, and refused). `link(2)` does not
    /// replace: if another process created the queue first, its file is kept.
    static func createFile(_ path: String) throws(QueueError) {
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            for name in [temporary, temporary + "-journal"] { unlink(name) }
        }
        do {
            try StateFiles.prepareDatabase(temporary)
            let database = try DatabaseQueue(path: temporary)
            try migrator.migrate(database)
            try database.close()
        } catch let error as MinicError {
            throw QueueError(error)
        } catch {
            throw .internal("cannot create the task queue at \(path): \(describe(error))")
        }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw .internal("cannot create the task queue at \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Checks, before anything is written to it, that the opened file is the queue expected:
    /// the one with id `expectedID`, or (with no expectation) a minic queue at all.
    static func checkIdentity(_ database: DatabaseQueue, path: String, expectedID: String?) throws(QueueError) {
        let found: (application: Int32, hasTasks: Bool, queueID: String?)
        do {
            found = try database.writeWithoutTransaction { db in
                let application = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let hasTasks = try db.tableExists("tasks")
                let queueID = try db.tableExists("queue_meta") ? try String.fetchOne(db, sql: "SELECT value FROM queue_meta WHERE key = 'queue_id'") : nil
                return (application, hasTasks, queueID)
            }
        } catch {
            throw .internal("\(path) is not a task queue minic can read (\(describe(error))); \(wayOut)")
        }
        if let expectedID {
            guard let queueID = found.queueID else {
                throw .internal("\(path) is not this home's task queue (it has no queue id; the home's is \(expectedID)): it was replaced; \(wayOut)")
            }
            guard queueID == expectedID else {
                throw .internal("\(path) is not this home's task queue (its id is \(queueID), the home's is \(expectedID)): it was replaced; \(wayOut)")
            }
            return
        }
        // No expectation: a queue from before ids (application id 0, a tasks table) is
        // adopted and migrated; any other SQLite file is someone else's and left alone.
        guard found.application == applicationID || (found.application == 0 && found.hasTasks && found.queueID == nil) else {
            throw .internal("\(path) is not a minic task queue; \(wayOut)")
        }
    }

    /// The device and inode the queue's path names now; `nil` when nothing is there.
    public static func fileIdentity(_ path: String) -> FileIdentity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Throws when the queue's path no longer names the file this process opened
    /// (deleted, or replaced by a rename or a copy): whatever is written from here on
    /// would go to a file nobody else reads. One `lstat`, so cheap enough before every claim.
    public func verifyFile() throws(QueueError) {
        guard let now = SQLiteTaskQueue.fileIdentity(path) else {
            throw .internal("the task queue \(path) was deleted while this process had it open; no more tasks are claimed from it")
        }
        guard now == fileIdentity else {
            throw .internal("the task queue \(path) was replaced while this process had it open; no more tasks are claimed from it")
        }
    }

    /// Throws, inside a claim's transaction, when the file no longer holds this queue: contents
    /// copied over it in place (`cat other.sqlite3 > queue.sqlite3`) keep its inode, so
    /// ``verifyFile()`` passes, but not its `queue_meta` id.
    ///
    /// The id is one cached `SELECT` of a one-row table, under the lock the claim takes anyway.
    /// But in WAL mode SQLite keeps its page cache for as long as the WAL index is unchanged, and
    /// a file overwritten by something other than SQLite leaves it unchanged: the `SELECT` would
    /// read the id from the cache. So when the file's change time, modification time or size
    /// differ from the last claim's (an outside write, or any process's checkpoint: rare), the
    /// connection's cache is dropped first (`sqlite3_db_release_memory`, through GRDB's
    /// `releaseMemory()`) and the id read from the file.
    func verifyContents(_ db: Database) throws(QueueError) {
        let stamp = SQLiteTaskQueue.changeStamp(path)
        if stamp != lastChange.withLock({ $0 }) {
            db.releaseMemory()
            lastChange.withLock { $0 = stamp }
        }
        let found: String?
        do {
            found = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM queue_meta WHERE key = 'queue_id'"))
        } catch {
            throw .internal(
                "the task queue \(path) was replaced while this process had it open (its queue id cannot be read: \(SQLiteTaskQueue.describe(error))); no more tasks are claimed from it"
            )
        }
        guard found == queueID else {
            throw .internal(
                "the task queue \(path) was replaced while this process had it open (it now holds queue \(found ?? "without an id"), not \(queueID)); no more tasks are claimed from it"
            )
        }
    }

    /// When the file at `path` last changed, as `lstat` tells it; `nil` when nothing is there.
    static func changeStamp(_ path: String) -> ChangeStamp? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return ChangeStamp(
            changed: [Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec)], modified: [Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec)],
            size: Int64(info.st_size))
    }
}

/// What changes whenever a file's bytes are written, by SQLite or anything else.
struct ChangeStamp: Equatable, Sendable {
    let changed: [Int64]
    let modified: [Int64]
    let size: Int64
}

/// A file's device and inode: what stays the same for as long as a path names one file.
public struct FileIdentity: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64
}

extension SQLiteTaskQueue {
    /// Makes the next task id at least `after + 1` (AUTOINCREMENT reads `sqlite_sequence`),
    /// so a new queue never hands out an id an earlier one gave. Never lowers it: ids this
    /// queue already gave out stay behind the next one.
    public func continueIDs(after highest: Int64) throws(QueueError) {
        try write("continue ids") { db in
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'tasks'") ?? 0
            guard highest > max(sequence, try Int64.fetchOne(db, sql: "SELECT max(id) FROM tasks") ?? 0) else { return }
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'tasks'")
            try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('tasks', ?)", arguments: [highest])
        }
    }

    /// The highest task id a queue file ever gave out, read-only; `nil` when it cannot be read.
    public static func highestTaskID(atPath path: String) -> Int64? {
        guard SQLiteTaskQueue.fileIdentity(path) != nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            return try database.read { db in
                let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'tasks'") ?? 0
                return max(sequence, try Int64.fetchOne(db, sql: "SELECT max(id) FROM tasks") ?? 0)
            }
        } catch {
            // Unreadable (empty, corrupt, not SQLite): the new queue's ids start at 1, and the CLI says so.
            return nil
        }
    }

}
