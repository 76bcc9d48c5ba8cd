import GRDB

extension SQLiteTaskQueue {
    /// The queue's schema, versioned with GRDB's migrator. Dates are Unix seconds
    /// (REAL), so `sqlite3` reads them with `datetime(run_at, 'unixepoch')`.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tasks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        type TEXT NOT NULL,
                        prompt TEXT NOT NULL,
                        files TEXT NOT NULL DEFAULT '[]',
                        parameters TEXT NOT NULL DEFAULT '{}',
                        priority INTEGER NOT NULL DEFAULT 0,
                        run_at REAL NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
                        lease_owner TEXT,
                        lease_token TEXT,
                        lease_expires_at REAL,
                        result TEXT,
                        error TEXT,
                        usage TEXT,
                        agent_commit TEXT,
                        idempotency_key TEXT UNIQUE,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        started_at REAL,
                        finished_at REAL
                    );
                    -- Claims read this partial index in claim order and touch nothing else.
                    CREATE INDEX tasks_ready ON tasks (priority DESC, run_at, id) WHERE state IN ('queued', 'failed');
                    CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE state = 'running';
                    CREATE INDEX tasks_state ON tasks (state, id);
                    """)
        }
        // The queue's identity (see SQLiteTaskQueue+Identity.swift) and the digest that
        // tells a reused idempotency key from a retried request (SQLiteTaskQueue+Digest.swift).
        migrator.registerMigration("v2-identity-and-request-digest") { db in
            try db.execute(sql: "CREATE TABLE queue_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            try db.execute(sql: "INSERT INTO queue_meta (key, value) VALUES ('queue_id', ?)", arguments: [SQLiteTaskQueue.newQueueID()])
            try db.execute(sql: "PRAGMA application_id = \(SQLiteTaskQueue.applicationID)")
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN request_digest TEXT")
            // Tasks queued before this migration get the digest of what they hold, so a
            // retry of their submission is still recognised.
            let keyed = try Row.fetchAll(
                db, sql: "SELECT id, type, prompt, files, parameters, priority, max_attempts FROM tasks WHERE idempotency_key IS NOT NULL")
            for row in keyed {
                let digest = TaskCoding.requestDigest(
                    type: row[1], prompt: row[2], files: TaskCoding.decodeList(row[3]), parameters: TaskCoding.decodeMap(row[4]),
                    priority: row[5], maxAttempts: row[6])
                try db.execute(sql: "UPDATE tasks SET request_digest = ? WHERE id = ?", arguments: [digest, row[0] as Int64])
            }
        }
        // Checks, model and fix rounds asked for (TaskOptions), and what running found (TaskReport): JSON text.
        migrator.registerMigration("v3-options-and-report") { db in
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN options TEXT")
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN report TEXT")
        }
        // A person's verdict on the answer (TaskRating): JSON text. The partial index covers counting
        // verdicts (the server's metrics, on every scrape): only rated tasks are read, and only their rating.
        migrator.registerMigration("v4-rating") { db in
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN rating TEXT")
            try db.execute(sql: "CREATE INDEX tasks_rated ON tasks (rating) WHERE rating IS NOT NULL")
        }
        return migrator
    }

    /// The columns every query returns, in the order ``record(_:)`` reads them.
    static let columns = """
        id, type, prompt, files, parameters, priority, run_at, state, attempts, max_attempts, lease_owner, lease_token, \
        lease_expires_at, result, error, usage, agent_commit, idempotency_key, created_at, updated_at, started_at, finished_at, options, report, rating
        """
}
