#!/usr/bin/env python3
"""The reference for minic's queue benchmark: the same SQL protocol as
SQLiteTaskQueue (schema, WAL, synchronous=NORMAL, one IMMEDIATE transaction per
operation, claims as UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING),
driven from Python's sqlite3 module. Prints lines like the Swift benchmark.
Usage: queue_reference.py DIR [N]"""
import os
import secrets
import sqlite3
import sys
import time

SCHEMA = """
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, prompt TEXT NOT NULL, files TEXT NOT NULL DEFAULT '[]',
    parameters TEXT NOT NULL DEFAULT '{}', priority INTEGER NOT NULL DEFAULT 0, run_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1), lease_owner TEXT, lease_token TEXT,
    lease_expires_at REAL, result TEXT, error TEXT, usage TEXT, agent_commit TEXT, idempotency_key TEXT UNIQUE,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, started_at REAL, finished_at REAL);
CREATE INDEX tasks_ready ON tasks (priority DESC, run_at, id) WHERE state IN ('queued', 'failed');
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE state = 'running';
CREATE INDEX tasks_state ON tasks (state, id);
"""
COLUMNS = ("id, type, prompt, files, parameters, priority, run_at, state, attempts, max_attempts, lease_owner, lease_token, "
           "lease_expires_at, result, error, usage, agent_commit, idempotency_key, created_at, updated_at, started_at, finished_at")
INSERT = ("INSERT INTO tasks (type, prompt, files, parameters, priority, run_at, state, max_attempts, idempotency_key, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING " + COLUMNS)
CLAIM = ("UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = lower(hex(randomblob(16))), "
         "lease_expires_at = ?, started_at = COALESCE(started_at, ?), updated_at = ? WHERE id IN (SELECT id FROM tasks INDEXED BY tasks_ready WHERE state IN "
         "('queued', 'failed') AND run_at <= ? ORDER BY priority DESC, run_at, id LIMIT ?) RETURNING " + COLUMNS)
COMPLETE = ("UPDATE tasks SET state = 'succeeded', result = ?, usage = ?, agent_commit = COALESCE(?, agent_commit), error = NULL, "
            "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, finished_at = ?, updated_at = ? "
            "WHERE id = ? AND state = 'running' AND lease_token = ?")


def fresh(directory, name):
    path = os.path.join(directory, name + ".sqlite3")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None, timeout=10)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(SCHEMA)
    return db


def measure(name, tasks, body):
    start = time.perf_counter()
    body()
    seconds = time.perf_counter() - start
    print(f"{name} {tasks} {seconds:.4f} {tasks / seconds:.0f}")


def main():
    directory = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    single = fresh(directory, "py-single")

    def enqueue_one():
        for _ in range(count):
            now = time.time()
            single.execute("BEGIN IMMEDIATE")
            single.execute(INSERT, ("analyze", "benchmark task", "[]", "{}", 0, now, 3, None, now, now)).fetchall()
            single.execute("COMMIT")

    def claim_complete_one():
        for _ in range(count):
            now = time.time()
            single.execute("BEGIN IMMEDIATE")
            rows = single.execute(CLAIM, ("bench", now + 60, now, now, now, 1)).fetchall()
            single.execute("COMMIT")
            row = rows[0]
            single.execute("BEGIN IMMEDIATE")
            single.execute(COMPLETE, ("ok", None, None, now, now, row[0], row[11]))
            single.execute("COMMIT")

    measure("enqueue_one", count, enqueue_one)
    measure("claim_complete_one", count, claim_complete_one)
    batched = fresh(directory, "py-batched")
    batch_count = count * 5

    def enqueue_batched():
        for _ in range(batch_count // 1000):
            now = time.time()
            batched.execute("BEGIN IMMEDIATE")
            for _ in range(1000):
                batched.execute(INSERT, ("analyze", "benchmark task", "[]", "{}", 0, now, 3, None, now, now)).fetchall()
            batched.execute("COMMIT")

    def claim_batched_complete():
        done = 0
        while done < count:
            now = time.time()
            batched.execute("BEGIN IMMEDIATE")
            rows = batched.execute(CLAIM, ("bench", now + 60, now, now, now, 100)).fetchall()
            batched.execute("COMMIT")
            for row in rows:
                batched.execute("BEGIN IMMEDIATE")
                batched.execute(COMPLETE, ("ok", None, None, now, now, row[0], row[11]))
                batched.execute("COMMIT")
            done += len(rows)

    measure("enqueue_batched", batch_count, enqueue_batched)
    measure("claim_batched_complete", count, claim_batched_complete)


if __name__ == "__main__":
    main()
