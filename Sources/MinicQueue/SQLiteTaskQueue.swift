import Foundation
import GRDB
import MinicBase

/// The embedded queue: one SQLite file (through GRDB), no server.
///
/// WAL journal, `synchronous=NORMAL`, a busy timeout, and one writer connection
/// per process. Every change is one IMMEDIATE transaction, so writers from any
/// number of processes take turns on SQLite's lock (waiting up to the busy
/// timeout) and a claim's select-and-update is atomic: no task is leased twice.
public final class SQLiteTaskQueue: TaskQueue {
    public let path: String
    public let settings: QueueSettings
    /// The queue's random id, kept in the file (`queue_meta`); the home remembers it (see ``QueueFactory``).
    public let queueID: String
    let database: DatabaseQueue
    /// The file opened, checked against the path before every claim (``verifyFile()``);
    /// its contents are checked inside every claim (``verifyContents(_:)``).
    let fileIdentity: FileIdentity
    /// The file's change stamp when a claim last read the queue id (``verifyContents(_:)``).
    let lastChange: Locked<ChangeStamp?>

    /// Opens the queue file at `path`, creating it if absent and no queue is expected.
    ///
    /// - Parameters:
    ///   - expectedID: the id of the queue that must be there (what the home remembers);
    ///     `nil` creates a queue when there is none, and adopts an existing minic queue.
    /// - Throws: ``MinicError`` (internal) when the file is empty, not a minic queue, not
    ///   the expected queue, or missing while one is expected; nothing is created then.
    public init(path: String, settings: QueueSettings = QueueSettings(), expectedID: String? = nil) throws(QueueError) {
        self.path = path
        self.settings = settings
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(settings.busyTimeoutSeconds)
        configuration.label = "minic.queue"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        try SQLiteTaskQueue.files { () throws(MinicError) in try StateFiles.prepareDirectory((path as NSString).deletingLastPathComponent) }
        switch try SQLiteTaskQueue.fileState(path) {
        case .absent:
            if let expectedID {
                throw .internal(
                    "the task queue \(path) is missing, but this home had queue \(expectedID) (its task ids may be in the home's history); \(SQLiteTaskQueue.wayOut)"
                )
            }
            try SQLiteTaskQueue.createFile(path)
        case .empty:
            throw .internal("the task queue \(path) is empty (zero bytes): it was truncated or replaced; \(SQLiteTaskQueue.wayOut)")
        case .present:
            break
        }
        // Created 0600 and never through a symlink: the queue holds every task's prompt and files.
        try SQLiteTaskQueue.files { () throws(MinicError) in try StateFiles.prepareDatabase(path) }
        let before = SQLiteTaskQueue.fileIdentity(path)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .internal("\(path) is not a task queue minic can read (\(SQLiteTaskQueue.describe(error))); \(SQLiteTaskQueue.wayOut)")
        }
        // Before the migrator writes anything: never into a file that is not the queue expected.
        try SQLiteTaskQueue.checkIdentity(database, path: path, expectedID: expectedID)
        do {
            try SQLiteTaskQueue.migrator.migrate(database)
            queueID = try database.writeWithoutTransaction { db in try String.fetchOne(db, sql: "SELECT value FROM queue_meta WHERE key = 'queue_id'") } ?? ""
        } catch {
            throw .internal("cannot open the task queue at \(path): \(SQLiteTaskQueue.describe(error))")
        }
        // The path must still name the file opened (not swapped while it was being opened).
        guard let before, let after = SQLiteTaskQueue.fileIdentity(path), before == after, !queueID.isEmpty else {
            throw .internal("the task queue \(path) changed while it was being opened; try again")
        }
        fileIdentity = after
        lastChange = Locked(SQLiteTaskQueue.changeStamp(path))
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction (rolled back if it throws), and
    /// is the one place database errors become ``MinicError``s, with SQLite's message.
    ///
    /// The transaction statements are cached: GRDB's own wrapper prepares `BEGIN`
    /// and `COMMIT` from text on every write, which cost a third of a claim.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(QueueError) -> T {
        do {
            return try database.writeWithoutTransaction { db in
                try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
                do {
                    let result = try body(db)
                    try db.cachedStatement(sql: "COMMIT").execute()
                    return result
                } catch {
                    if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
                    throw error
                }
            }
        } catch let error as QueueError {
            throw error
        } catch let error as MinicError {
            throw QueueError(error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            // Another process held the file's lock past the busy timeout: worth trying again.
            throw .unavailable("task queue: \(what): the queue file stayed locked for \(settings.busyTimeoutSeconds) s (\(SQLiteTaskQueue.describe(error)))")
        } catch {
            throw .internal("task queue: \(what): \(SQLiteTaskQueue.describe(error))")
        }
    }

    /// A state-file step (directory, permissions) as a queue error.
    static func files(_ body: () throws(MinicError) -> Void) throws(QueueError) {
        do throws(MinicError) { try body() } catch { throw QueueError(error) }
    }

    /// A read on the queue's one connection. Plain statements, not GRDB's `read`,
    /// which wraps each read in a savepoint and `PRAGMA query_only` toggles.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(QueueError) -> T {
        do {
            return try database.writeWithoutTransaction(body)
        } catch {
            throw .internal("task queue: \(what): \(SQLiteTaskQueue.describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return "\(error.resultCode): \(error.message ?? "unknown")" }
        return "\(error)"
    }

    public func enqueue(_ tasks: [NewTask]) throws(QueueError) -> [TaskRecord] {
        let now = Date()
        let at = now.timeIntervalSince1970
        for task in tasks { try task.check() }
        return try write("enqueue") { db in
            // No RETURNING: the new row is the input plus its rowid, so only an
            // idempotency hit reads a row back.
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO tasks (type, prompt, files, parameters, priority, run_at, state, max_attempts, idempotency_key, request_digest, created_at, updated_at, agent_commit, options)
                    VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (idempotency_key) DO NOTHING
                    """)
            var records: [TaskRecord] = []
            records.reserveCapacity(tasks.count)
            for task in tasks {
                let runAt = task.runAt ?? now
                let maxAttempts = task.maxAttempts ?? settings.maxAttempts
                let options = task.options.stored
                // Only a keyed task needs its digest: the key is what it is compared under.
                let digest = task.idempotencyKey.map { _ in
                    TaskCoding.requestDigest(
                        type: task.type, prompt: task.prompt, files: task.files, parameters: task.parameters, priority: task.priority, maxAttempts: maxAttempts,
                        options: task.options.digested)
                }
                try insert.execute(
                    arguments: [
                        task.type, task.prompt, TaskCoding.encodeList(task.files), TaskCoding.encodeMap(task.parameters), task.priority,
                        runAt.timeIntervalSince1970, maxAttempts, task.idempotencyKey, digest, at, at, task.agentCommit, options,
                    ])
                if db.changesCount == 1 {
                    records.append(
                        TaskRecord(
                            id: db.lastInsertedRowID, type: task.type, prompt: task.prompt, files: task.files, parameters: task.parameters,
                            priority: task.priority, runAt: Date(timeIntervalSince1970: runAt.timeIntervalSince1970), state: .queued, attempts: 0,
                            maxAttempts: maxAttempts, agentCommit: task.agentCommit, idempotencyKey: task.idempotencyKey, createdAt: Date(timeIntervalSince1970: at),
                            updatedAt: Date(timeIntervalSince1970: at), options: task.options))
                } else if let key = task.idempotencyKey {
                    records.append(try SQLiteTaskQueue.existing(key: key, digest: digest, db))
                }
            }
            return records
        }
    }

    /// The task first queued under `key`, if it was queued for the same request (as
    /// payment APIs do: a retry gets the first answer, a different request under a
    /// used key is refused, and the whole batch with it).
    static func existing(key: String, digest: String?, _ db: Database) throws -> TaskRecord {
        let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT request_digest FROM tasks WHERE idempotency_key = ?"), arguments: [key])
        guard
            let record = try SQLiteTaskQueue.records(
                db.cachedStatement(sql: "SELECT \(SQLiteTaskQueue.columns) FROM tasks WHERE idempotency_key = ?"), arguments: [key]
            ).first
        else { throw MinicError.internal("idempotency key '\(key)' conflicted but no task has it") }
        guard stored == digest else {
            throw MinicError.badInput(
                "idempotency key '\(key)' was already used for a different request (task \(record.id)); use a new key, or resubmit exactly the same task")
        }
        return record
    }

    /// What a claim sets: a new lease with its own random token (per row), and one more attempt.
    /// Arguments: owner, expiry, now, now.
    static let leaseAssignments = """
        state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = lower(hex(randomblob(16))),
            lease_expires_at = ?, started_at = COALESCE(started_at, ?), updated_at = ?
        """

    public func claim(owner: String, limit: Int, now: Date = Date()) throws(QueueError) -> [ClaimedTask] {
        precondition(limit > 0, "claim limit must be positive")
        try verifyFile()
        let at = now.timeIntervalSince1970
        let expires = at + settings.leaseSeconds
        let claimed = try write("claim") { db in
            try verifyContents(db)
            return try SQLiteTaskQueue.recordsWithTokens(
                db.cachedStatement(
                    sql: """
                        UPDATE tasks SET \(SQLiteTaskQueue.leaseAssignments)
                        WHERE id IN (
                            -- The partial index is already in claim order; without INDEXED BY the
                            -- planner may take tasks_state and sort every ready row on every claim.
                            SELECT id FROM tasks INDEXED BY tasks_ready WHERE state IN ('queued', 'failed') AND run_at <= ?
                            ORDER BY priority DESC, run_at, id LIMIT ?)
                        RETURNING \(SQLiteTaskQueue.columns)
                        """), arguments: [owner, expires, at, at, at, limit])
        }
        return claimed.map { record, token in
            ClaimedTask(task: record, lease: Lease(taskID: record.id, owner: owner, token: token, expiresAt: Date(timeIntervalSince1970: expires)))
        }.sorted {
            ($0.task.priority, -$0.task.runAt.timeIntervalSince1970, -$0.task.id) > ($1.task.priority, -$1.task.runAt.timeIntervalSince1970, -$1.task.id)
        }
    }

    public func claim(taskID: Int64, owner: String, now: Date = Date()) throws(QueueError) -> ClaimedTask? {
        try verifyFile()
        let at = now.timeIntervalSince1970
        let expires = at + settings.leaseSeconds
        let claimed = try write("claim \(taskID)") { db in
            try verifyContents(db)
            return try SQLiteTaskQueue.recordsWithTokens(
                db.cachedStatement(
                    sql: """
                        UPDATE tasks SET \(SQLiteTaskQueue.leaseAssignments)
                        WHERE id = ? AND state IN ('queued', 'failed')
                        RETURNING \(SQLiteTaskQueue.columns)
                        """), arguments: [owner, expires, at, at, taskID])
        }
        return claimed.first.map { record, token in
            ClaimedTask(task: record, lease: Lease(taskID: record.id, owner: owner, token: token, expiresAt: Date(timeIntervalSince1970: expires)))
        }
    }

    public func heartbeat(_ lease: Lease, now: Date = Date()) throws(QueueError) -> Lease? {
        let expires = now.timeIntervalSince1970 + settings.leaseSeconds
        let changed = try write("heartbeat") { db in
            try db.cachedStatement(sql: "UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_token = ?").execute(
                arguments: [expires, now.timeIntervalSince1970, lease.taskID, lease.token])
            return db.changesCount
        }
        guard changed == 1 else { return nil }
        var renewed = lease
        renewed.expiresAt = Date(timeIntervalSince1970: expires)
        return renewed
    }

    public func complete(_ lease: Lease, outcome: TaskOutcome, now: Date = Date()) throws(QueueError) -> Bool {
        let at = now.timeIntervalSince1970
        return try write("complete") { db in
            try db.cachedStatement(
                sql: """
                    UPDATE tasks SET state = 'succeeded', result = ?, usage = ?, agent_commit = COALESCE(?, agent_commit), report = ?, error = NULL,
                        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_token = ?
                    """
            ).execute(
                arguments: [outcome.result, TaskCoding.encodeUsage(outcome.usage), outcome.agentCommit, outcome.report?.stored, at, at, lease.taskID, lease.token])
            return db.changesCount == 1
        }
    }

    public func fail(_ lease: Lease, error message: String, retryable: Bool, outcome: TaskOutcome?, now: Date = Date()) throws(QueueError) -> TaskState? {
        let at = now.timeIntervalSince1970
        return try write("fail") { db -> TaskState? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT attempts, max_attempts FROM tasks WHERE id = ? AND state = 'running' AND lease_token = ?"),
                    arguments: [lease.taskID, lease.token])
            else { return nil }
            let attempts: Int = row[0]
            let maxAttempts: Int = row[1]
            let state: TaskState = retryable && attempts < maxAttempts ? .failed : .dead
            let runAt = state == .failed ? at + settings.backoff.delay(afterAttempt: attempts) : nil
            try db.cachedStatement(
                sql: """
                    UPDATE tasks SET state = ?, error = ?, run_at = COALESCE(?, run_at), lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL, finished_at = ?, updated_at = ?,
                        result = CASE WHEN ? THEN ? ELSE result END, usage = CASE WHEN ? THEN ? ELSE usage END,
                        report = CASE WHEN ? THEN ? ELSE report END, agent_commit = COALESCE(?, agent_commit)
                    WHERE id = ? AND lease_token = ?
                    """
            ).execute(
                arguments: [
                    state.rawValue, message, runAt, state == .dead ? at : nil, at, outcome != nil, outcome?.result, outcome != nil,
                    TaskCoding.encodeUsage(outcome?.usage), outcome != nil, outcome?.report?.stored, outcome?.agentCommit, lease.taskID, lease.token,
                ])
            return state
        }
    }

    public func release(_ lease: Lease, notBefore: Date?, now: Date = Date()) throws(QueueError) -> Bool {
        let at = now.timeIntervalSince1970
        let runAt = (notBefore ?? now).timeIntervalSince1970
        return try write("release") { db in
            try db.cachedStatement(
                sql: """
                    UPDATE tasks SET state = 'queued', attempts = MAX(attempts - 1, 0), run_at = ?, lease_owner = NULL, lease_token = NULL,
                        lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_token = ?
                    """
            ).execute(
                arguments: [runAt, at, lease.taskID, lease.token])
            return db.changesCount == 1
        }
    }

    public func rescueExpired(now: Date = Date()) throws(QueueError) -> Int {
        let at = now.timeIntervalSince1970
        return try write("rescue") { db in
            try db.cachedStatement(
                sql: """
                    UPDATE tasks SET
                        state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                        error = 'lease expired: worker ' || COALESCE(lease_owner, '?') || ' stopped heartbeating',
                        finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END,
                        run_at = ?, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE state = 'running' AND lease_expires_at < ?
                    """
            ).execute(
                arguments: [at, at, at, at])
            return db.changesCount
        }
    }

    public func cancel(_ id: Int64, now: Date = Date()) throws(QueueError) -> TaskRecord {
        let at = now.timeIntervalSince1970
        let row = try write("cancel") { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE tasks SET state = 'cancelled', lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ?
                    WHERE id = ? AND state NOT IN ('succeeded', 'dead', 'cancelled')
                    RETURNING \(SQLiteTaskQueue.columns)
                    """, arguments: [at, at, id])
        }
        if let row { return SQLiteTaskQueue.record(row) }
        guard let existing = try task(id) else { throw .badInput("no task \(id)") }
        throw .refused("task \(id) is \(existing.state.rawValue); nothing to cancel")
    }

    public func retry(_ id: Int64, now: Date = Date()) throws(QueueError) -> TaskRecord {
        let at = now.timeIntervalSince1970
        let row = try write("retry") { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE tasks SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL, rating = NULL, updated_at = ?
                    WHERE id = ? AND state IN ('failed', 'dead', 'cancelled')
                    RETURNING \(SQLiteTaskQueue.columns)
                    """, arguments: [at, at, id])
        }
        if let row { return SQLiteTaskQueue.record(row) }
        guard let existing = try task(id) else { throw .badInput("no task \(id)") }
        throw .refused("task \(id) is \(existing.state.rawValue); only failed, dead or cancelled tasks can be retried")
    }

    public func task(_ id: Int64) throws(QueueError) -> TaskRecord? {
        try read("read task \(id)") { db in
            try SQLiteTaskQueue.records(db.cachedStatement(sql: "SELECT \(SQLiteTaskQueue.columns) FROM tasks WHERE id = ?"), arguments: [id]).first
        }
    }

    public func tasks(_ filter: TaskFilter) throws(QueueError) -> [TaskRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let state = filter.state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        if let type = filter.type {
            conditions.append("type = ?")
            arguments += [type]
        }
        if let before = filter.beforeID {
            conditions.append("id < ?")
            arguments += [before]
        }
        var sql = "SELECT \(SQLiteTaskQueue.columns) FROM tasks"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let limit = filter.limit {
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
        } else {
            sql += " ORDER BY id"
        }
        return try read("list tasks") { db in try SQLiteTaskQueue.records(db.makeStatement(sql: sql), arguments: arguments) }
    }

    public func counts() throws(QueueError) -> [TaskState: Int] {
        try read("count tasks") { db in
            var counts: [TaskState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM tasks GROUP BY state") {
                let name: String = row[0]
                guard let state = TaskState(rawValue: name) else { throw QueueError.internal("the queue holds a task in an unknown state") }
                counts[state] = row[1]
            }
            return counts
        }
    }
}
