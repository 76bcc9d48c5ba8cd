import Foundation
import GRDB

extension SQLiteTaskQueue {
    /// Runs a statement returning ``columns`` and decodes each row in place from
    /// the cursor, without GRDB's per-row copy.
    static func records(_ statement: Statement, arguments: StatementArguments) throws -> [TaskRecord] {
        try recordsWithTokens(statement, arguments: arguments).map(\.record)
    }

    /// Like ``records(_:arguments:)``, with each row's lease token.
    static func recordsWithTokens(_ statement: Statement, arguments: StatementArguments) throws -> [(record: TaskRecord, token: String)] {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var found: [(record: TaskRecord, token: String)] = []
        while let row = try cursor.next() {
            let token: String? = row[11]
            found.append((record(row), token ?? ""))
        }
        return found
    }

    /// Decodes a row of ``columns`` by position.
    static func record(_ row: Row) -> TaskRecord {
        TaskRecord(
            id: row[0], type: row[1], prompt: row[2], files: TaskCoding.decodeList(row[3]), parameters: TaskCoding.decodeMap(row[4]), priority: row[5],
            runAt: TaskCoding.date(row[6]) ?? Date(timeIntervalSince1970: 0), state: TaskState(rawValue: row[7]) ?? .queued, attempts: row[8], maxAttempts: row[9],
            leaseOwner: row[10], leaseExpiresAt: TaskCoding.date(row[12]), result: row[13], error: row[14], usage: TaskCoding.decodeUsage(row[15]), agentCommit: row[16],
            idempotencyKey: row[17], createdAt: TaskCoding.date(row[18]) ?? Date(timeIntervalSince1970: 0), updatedAt: TaskCoding.date(row[19]) ?? Date(timeIntervalSince1970: 0),
            startedAt: TaskCoding.date(row[20]), finishedAt: TaskCoding.date(row[21]), options: TaskOptions.decode(row[22]), report: TaskReport.decode(row[23]),
            rating: TaskRating.decode(row[24]))
    }
}
