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
            id: row[0], type: row[1], prompt: row[2], files: decodeList(row[3]), parameters: decodeMap(row[4]), priority: row[5],
            runAt: date(row[6]) ?? Date(timeIntervalSince1970: 0), state: TaskState(rawValue: row[7]) ?? .queued, attempts: row[8], maxAttempts: row[9],
            leaseOwner: row[10], leaseExpiresAt: date(row[12]), result: row[13], error: row[14], usage: decodeUsage(row[15]), agentCommit: row[16],
            idempotencyKey: row[17], createdAt: date(row[18]) ?? Date(timeIntervalSince1970: 0), updatedAt: date(row[19]) ?? Date(timeIntervalSince1970: 0),
            startedAt: date(row[20]), finishedAt: date(row[21]))
    }

    static func date(_ seconds: Double?) -> Date? { seconds.map { Date(timeIntervalSince1970: $0) } }

    static func encodeList(_ list: [String]) -> String {
        guard !list.isEmpty else { return "[]" }
        return json(list) ?? "[]"
    }

    static func encodeMap(_ map: [String: String]) -> String {
        guard !map.isEmpty else { return "{}" }
        return json(map) ?? "{}"
    }

    /// Usage as JSON with sorted keys, so the stored text is the same every time.
    static func encodeUsage(_ usage: TaskUsage?) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let usage, let data = try? encoder.encode(usage) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static func json(_ value: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let text, text != "[]", let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return [] }
        return value
    }

    static func decodeMap(_ text: String?) -> [String: String] {
        guard let text, text != "{}", let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else { return [:] }
        return value
    }

    static func decodeUsage(_ text: String?) -> TaskUsage? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(TaskUsage.self, from: Data(text.utf8))
    }
}
