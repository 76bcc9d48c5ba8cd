import Foundation
import MinicCore
import MinicGit
import MinicQueue
import MinicRedis

/// Opens a home's task queue as its config says: the one place the CLI, workers,
/// the pipeline and library users get a queue from (SQLite in `state/`, or Redis).
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
        case "redis": return try openRedis(home: home, config: config)
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
        let queue = try queueCall { () throws(QueueError) in try SQLiteTaskQueue(path: sqlitePath(home: home), settings: settings, expectedID: remembered) }
        if remembered == nil {
            // Before the id is remembered, so every process that opens the queue before then
            // raises the ids itself before it queues anything (raising is idempotent).
            if let highest = try highestTaskIDInHistory(home) { try queueCall { () throws(QueueError) in try queue.continueIDs(after: highest) } }
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
        let config = try home.config().queue
        if config.backend == "redis" { return try startNewRedisQueue(home: home, config: config, force: force) }
        let settings = QueueSettings(config)
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
        let highest = [SQLiteTaskQueue.highestTaskID(atPath: path), try highestTaskIDInHistory(home)].compactMap { $0 }.max()
        var keptAs: String?
        if SQLiteTaskQueue.fileIdentity(path) != nil {
            let stamp = Timestamp.iso8601(Date()).replacingOccurrences(of: ":", with: "")
            let target = path + ".old-" + stamp
            for suffix in ["", "-wal", "-shm"] where rename(path + suffix, target + suffix) != 0 && errno != ENOENT {
                throw .internal("cannot move \(path + suffix) aside: \(String(cString: strerror(errno)))")
            }
            keptAs = target
        }
        let queue = try queueCall { () throws(QueueError) in try SQLiteTaskQueue(path: path, settings: settings, expectedID: nil) }
        if let highest { try queueCall { () throws(QueueError) in try queue.continueIDs(after: highest) } }
        try remember(queue.queueID, home: home)
        return NewQueue(queueID: queue.queueID, keptAs: keptAs, idsContinueAfter: highest)
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

    static func remember(_ queueID: String, key: String = queueIDKey, home: Home) throws(MinicError) {
        do throws(GitError) {
            try home.repository.setConfigString(key, queueID)
        } catch {
            throw MinicError(error, while: "recording the task queue's id in \(home.path)/.git/config")
        }
    }
}

extension QueueFactory {
    /// The local git config key holding the id of the home's Redis queue (apart from the
    /// SQLite one: switching backends must not make either look like the other).
    public static let redisQueueIDKey = "minic.redis-queue-id"

    /// The Redis server a home's queue lives on: `MINIC_REDIS_URL` if set, else `queue.redis_url`.
    /// - Throws: ``MinicError`` (bad input) when neither is set or the URL does not parse.
    public static func redisURL(home: Home, config: QueueConfig) throws(MinicError) -> RedisURL {
        let variable = home.environment[QueueConfig.redisURLVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard let text = variable ?? config.redisURL else {
            throw .badInput("queue.backend is redis but no server is named: set queue.redis_url or \(QueueConfig.redisURLVariable)")
        }
        do throws(QueueError) {
            return try RedisURL(parsing: text)
        } catch {
            throw .badInput("\(variable != nil ? QueueConfig.redisURLVariable : "queue.redis_url"): \(error.message)")
        }
    }

    /// The home's Redis queue, shared with every worker pointed at the same server and prefix.
    /// The first open by a home adopts the queue there (or creates it) and remembers its id; later
    /// opens require that id, so a server flushed or restarted without its data is refused instead
    /// of handing out task ids the home's history already names.
    public static func openRedis(home: Home, config: QueueConfig) throws(MinicError) -> RedisTaskQueue {
        let client = RedisClient(url: try redisURL(home: home, config: config), timeout: config.redisTimeoutSeconds)
        let remembered = home.repository.localConfigString(redisQueueIDKey)
        let queue = try queueCall { () throws(QueueError) in
            try RedisTaskQueue(client: client, name: config.redisPrefix, settings: QueueSettings(config), expectedID: remembered)
        }
        if remembered == nil {
            if let highest = try highestTaskIDInHistory(home) { try queueCall { () throws(QueueError) in try queue.continueIDs(after: highest) } }
            try remember(queue.queueID, key: redisQueueIDKey, home: home)
        }
        return queue
    }

    /// `minic tasks new-queue` on Redis: adopts the queue the server holds now (or creates one
    /// when it holds none), continuing ids after every `Task-Id:` trailer in the home's history.
    /// Nothing in Redis is deleted.
    /// - Throws: ``MinicError`` (refused) when the home's own queue opens fine and `force` is false.
    public static func startNewRedisQueue(home: Home, config: QueueConfig, force: Bool) throws(MinicError) -> NewQueue {
        let client = RedisClient(url: try redisURL(home: home, config: config), timeout: config.redisTimeoutSeconds)
        let remembered = home.repository.localConfigString(redisQueueIDKey)
        if !force, remembered != nil {
            let opened: QueueError?
            do throws(QueueError) {
                _ = try RedisTaskQueue(client: client, name: config.redisPrefix, settings: QueueSettings(config), expectedID: remembered)
                opened = nil
            } catch {
                opened = error
            }
            switch opened {
            case nil: throw .refused("the Redis queue at \(client.url.redacted) is this home's and opens fine; add --force to adopt it anew anyway")
            // Unreachable, or a bad setting: nothing to start anew.
            case let error? where error.kind != .broken: throw MinicError(error)
            // Gone or another queue: what this command is for.
            default: break
            }
        }
        let queue = try queueCall { () throws(QueueError) in
            try RedisTaskQueue(client: client, name: config.redisPrefix, settings: QueueSettings(config), expectedID: nil)
        }
        let highest = try highestTaskIDInHistory(home)
        if let highest { try queueCall { () throws(QueueError) in try queue.continueIDs(after: highest) } }
        try remember(queue.queueID, key: redisQueueIDKey, home: home)
        return NewQueue(queueID: queue.queueID, keptAs: nil, idsContinueAfter: highest)
    }
}
