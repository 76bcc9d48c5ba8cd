import Foundation
import GRDB
import MinicCore
import MinicGit

/// Opens a home's task queue as its config says: the one place the CLI, workers and
/// the pipeline get a queue from (a Redis backend will be chosen here too).
///
/// The home remembers its queue's id in its own git config (`minic.queue-id` in
/// `.git/config`), not in `state/`: the `Task-Id:` trailers the ids must stay true
/// to live in the repository, and a `state/` wiped or copied from elsewhere takes
/// a sidecar file with it, while the repository's config stays. A queue file that
/// is missing, empty or another queue is then refused instead of recreated.
public enum QueueFactory {
    /// The local git config key holding the id of the home's queue.
    public static let queueIDKey = "minic.queue-id"

    /// Where a home's SQLite queue lives.
    public static func sqlitePath(home: Home) -> String { home.stateDirectory + "/queue.sqlite3" }

    /// The queue of `home`, from `queue.*` in its committed config. Needs no provider
    /// and no API key, so read-only commands work whatever `llm.*` says.
    /// - Throws: ``MinicError`` when the config cannot be read or the queue file is not the home's queue.
    public static func open(home: Home) throws(MinicError) -> any TaskQueue {
        let config = try home.config().queue
        switch config.backend {
        case "sqlite": return try openSQLite(home: home, settings: QueueSettings(config))
        default: throw .badInput("queue.backend '\(config.backend)' is not supported")
        }
    }

    /// The home's SQLite queue. The first open creates it and remembers its id;
    /// every later one requires that id (see ``SQLiteTaskQueue/init(path:settings:expectedID:)``).
    ///
    /// The first open also makes the ids start after the highest `Task-Id:` trailer in the
    /// home's history: a home with no queue remembered may still carry trailers (a `git clone`
    /// of a home, a home made by an older minic, a `minic.queue-id` unset), and they must not
    /// come to name new tasks. The history is read once, here; later opens find the id remembered.
    public static func openSQLite(home: Home, settings: QueueSettings) throws(MinicError) -> SQLiteTaskQueue {
        let remembered = home.repository.localConfigString(queueIDKey)
        let queue = try SQLiteTaskQueue(path: sqlitePath(home: home), settings: settings, expectedID: remembered)
        if remembered == nil {
            // Before the id is remembered, so every process that opens the queue before then
            // raises the ids itself before it queues anything (raising is idempotent).
            if let highest = try highestTaskIDInHistory(home) { try queue.continueIDs(after: highest) }
            try remember(queue.queueID, home: home)
        }
        return queue
    }

    /// What ``startNewQueue(home:force:)`` did.
    public struct NewQueue: Sendable {
        public let queueID: String
        /// Where the previous file was moved, if there was one.
        public let keptAs: String?
        /// The highest task id known: the previous file's, or a `Task-Id:` trailer's in the
        /// home's history, whichever is higher; new ids continue after it. `nil`: none found.
        public let idsContinueAfter: Int64?
    }

    /// The way out when the home's queue file is lost or replaced: moves whatever is at
    /// the path (and its `-wal`/`-shm`) aside to `queue.sqlite3.old-TIMESTAMP`, creates a
    /// new queue whose ids continue after the highest id known (the old file's, when it can
    /// be read, and every `Task-Id:` trailer in the home's history), and makes the home
    /// remember the new queue.
    /// - Parameter force: also when the current queue is the home's own and opens fine.
    /// - Throws: ``MinicError`` (refused) when the queue is fine and `force` is false.
    public static func startNewQueue(home: Home, force: Bool) throws(MinicError) -> NewQueue {
        let settings = QueueSettings(try home.config().queue)
        let path = sqlitePath(home: home)
        if !force {
            do throws(MinicError) {
                _ = try openSQLite(home: home, settings: settings)
                throw MinicError.refused("the task queue \(path) is this home's and opens fine; add --force to start a new one anyway")
            } catch where error.kind == .refused {
                throw error
            } catch {
                // Lost or replaced: what this command is for.
            }
        }
        let highest = [highestTaskID(path), try highestTaskIDInHistory(home)].compactMap { $0 }.max()
        var keptAs: String?
        if SQLiteTaskQueue.fileIdentity(path) != nil {
            let stamp = Timestamp.iso8601(Date()).replacingOccurrences(of: ":", with: "")
            let target = path + ".old-" + stamp
            for suffix in ["", "-wal", "-shm"] where rename(path + suffix, target + suffix) != 0 && errno != ENOENT {
                throw .internal("cannot move \(path + suffix) aside: \(String(cString: strerror(errno)))")
            }
            keptAs = target
        }
        let queue = try SQLiteTaskQueue(path: path, settings: settings, expectedID: nil)
        if let highest { try queue.continueIDs(after: highest) }
        try remember(queue.queueID, home: home)
        return NewQueue(queueID: queue.queueID, keptAs: keptAs, idsContinueAfter: highest)
    }

    /// The highest task id a queue file ever gave out, read-only; `nil` when it cannot be read.
    static func highestTaskID(_ path: String) -> Int64? {
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

    /// The highest `Task-Id:` trailer on any commit reachable from any reference (the
    /// branch, proposals, backups): ids a new queue must not hand out again.
    static func highestTaskIDInHistory(_ home: Home) throws(MinicError) -> Int64? {
        let repository = home.repository
        var highest: Int64?
        do throws(GitError) {
            var walked: [OID] = []
            for (_, target) in try repository.references(matching: "refs/*") where !walked.contains(target) {
                // A reference to a tree or a blob has no history to read (libgit2: not found as a commit).
                // Any other failure is not skipped: ids must not restart below a trailer that went unread.
                do {
                    _ = try repository.commit(target)
                } catch where error.code == .notFound {
                    continue
                }
                for id in try repository.commits(from: target, excluding: walked) {
                    let message = try repository.commit(id).message
                    guard message.contains("Task-Id:"), let value = Trailers.value("Task-Id", in: message), let taskID = Int64(value) else { continue }
                    highest = max(highest ?? taskID, taskID)
                }
                walked.append(target)
            }
        } catch {
            throw MinicError(error, while: "reading the task ids in \(home.path)'s history")
        }
        return highest
    }

    static func remember(_ queueID: String, home: Home) throws(MinicError) {
        do throws(GitError) {
            try home.repository.setConfigString(queueIDKey, queueID)
        } catch {
            throw MinicError(error, while: "recording the task queue's id in \(home.path)/.git/config")
        }
    }
}
