import Foundation
import GRDB

extension SQLiteTaskQueue {
    public func rate(_ id: Int64, rating: TaskRating, now: Date = Date()) throws(QueueError) -> TaskRecord {
        try rating.check()
        let ratable = TaskRating.ratableStates.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        let row = try write("rate") { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE tasks SET rating = ?, updated_at = ?
                    WHERE id = ? AND state IN (\(ratable))
                    RETURNING \(SQLiteTaskQueue.columns)
                    """, arguments: [rating.stored, now.timeIntervalSince1970, id])
        }
        if let row { return SQLiteTaskQueue.record(row) }
        guard let existing = try task(id) else { throw .badInput("no task \(id)") }
        throw .refused("task \(id) is \(existing.state.rawValue); only a finished task (succeeded, failed, dead or cancelled) can be rated")
    }

    public func ratingCounts() throws(QueueError) -> [TaskRating.Verdict: Int] {
        try read("count ratings") { db in
            // Read from the partial index alone (tasks_rated). Text that is not JSON (edited by hand) has no
            // verdict to count, as the task shows none: json_extract alone would fail the whole count on it.
            let sql = """
                SELECT CASE WHEN json_valid(rating) THEN json_extract(rating, '$.verdict') END AS verdict, COUNT(*)
                FROM tasks INDEXED BY tasks_rated WHERE rating IS NOT NULL GROUP BY verdict
                """
            var counts: [TaskRating.Verdict: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql) {
                guard let name = row[0] as String?, let verdict = TaskRating.Verdict(rawValue: name) else { continue }
                counts[verdict, default: 0] += row[1] as Int
            }
            return counts
        }
    }
}
