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
        return migrator
    }

    /// The columns every query returns, in the order ``record(_:)`` reads them.
    static let columns = """
        id, type, prompt, files, parameters, priority, run_at, state, attempts, max_attempts, lease_owner, lease_token, \
        lease_expires_at, result, error, usage, agent_commit, idempotency_key, created_at, updated_at, started_at, finished_at
        """
}
