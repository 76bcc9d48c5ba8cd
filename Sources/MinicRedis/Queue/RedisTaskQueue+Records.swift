import Foundation
import MinicQueue

extension RedisTaskQueue {
    /// A task from a `HGETALL` reply (field, value, field, value…); `nil` for an empty one.
    static func record(_ reply: RedisValue) throws(QueueError) -> TaskRecord? {
        try recordWithToken(reply)?.record
    }

    /// Like ``record(_:)``, with the lease token.
    static func recordWithToken(_ reply: RedisValue) throws(QueueError) -> (record: TaskRecord, token: String)? {
        guard let items = reply.array else { throw .internal("a task in Redis is not a hash (\(reply))") }
        guard !items.isEmpty else { return nil }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].text { fields[key] = items[index + 1].text }
            index += 2
        }
        func number(_ key: String) -> Double? { fields[key].flatMap(Double.init) }
        func date(_ key: String) -> Date? { number(key).map { Date(timeIntervalSince1970: $0) } }
        guard let id = fields["id"].flatMap({ Int64($0) }), let type = fields["type"], let stateText = fields["state"],
            let state = TaskState(rawValue: stateText)
        else { throw .internal("a task in Redis is missing its id, type or state") }
        let record = TaskRecord(
            id: id, type: type, prompt: fields["prompt"] ?? "", files: TaskCoding.decodeList(fields["files"]),
            parameters: TaskCoding.decodeMap(fields["parameters"]), priority: fields["priority"].flatMap { Int($0) } ?? 0,
            runAt: date("run_at") ?? Date(timeIntervalSince1970: 0), state: state, attempts: fields["attempts"].flatMap { Int($0) } ?? 0,
            maxAttempts: fields["max_attempts"].flatMap { Int($0) } ?? 0, leaseOwner: fields["lease_owner"], leaseExpiresAt: date("lease_expires_at"),
            result: fields["result"], error: fields["error"], usage: TaskCoding.decodeUsage(fields["usage"]), agentCommit: fields["agent_commit"],
            idempotencyKey: fields["idempotency_key"], createdAt: date("created_at") ?? Date(timeIntervalSince1970: 0),
            updatedAt: date("updated_at") ?? Date(timeIntervalSince1970: 0), startedAt: date("started_at"), finishedAt: date("finished_at"))
        return (record, fields["lease_token"] ?? "")
    }
}
