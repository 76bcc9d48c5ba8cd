import Foundation
import MinicQueue

extension RedisTaskQueue {
    /// A task from a `HGETALL` reply (field, value, field, value…); `nil` for an empty one.
    /// - Parameter expected: the id the hash's key names, when known; a hash claiming another id is corrupt.
    static func record(_ reply: RedisValue, expected: Int64? = nil) throws(QueueError) -> TaskRecord? {
        guard let record = try recordWithToken(reply)?.record else { return nil }
        if let expected, record.id != expected { throw .internal("task \(expected) in Redis is corrupt: its hash says it is task \(record.id)") }
        return record
    }

    /// Like ``record(_:)``, with the lease token.
    static func recordWithToken(_ reply: RedisValue) throws(QueueError) -> (record: TaskRecord, token: String)? {
        guard let items = reply.array, items.count % 2 == 0 else { throw .internal("a task in Redis is not a hash minic wrote") }
        guard !items.isEmpty else { return nil }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].text { fields[key] = items[index + 1].text }
            index += 2
        }
        // Fail closed: a hash edited by hand or by another program (a field missing, or not what minic
        // writes) is a corrupt task, refused with its id, never run with guessed values.
        let label = "task \(fields["id"] ?? "?") in Redis"
        func corrupt(_ field: String) -> QueueError { .internal("\(label) is corrupt: its \(field) is missing or not what minic writes") }
        func date(_ key: String) throws(QueueError) -> Date? {
            guard let text = fields[key] else { return nil }
            guard let seconds = Double(text), seconds.isFinite else { throw corrupt(key) }
            return Date(timeIntervalSince1970: seconds)
        }
        func integer(_ key: String, default value: Int? = nil) throws(QueueError) -> Int {
            guard let text = fields[key] else {
                guard let value else { throw corrupt(key) }
                return value
            }
            guard let number = Int(text) else { throw corrupt(key) }
            return number
        }
        guard let id = fields["id"].flatMap({ Int64($0) }) else { throw corrupt("id") }
        guard let type = fields["type"], !type.isEmpty else { throw corrupt("type") }
        guard let state = fields["state"].flatMap(TaskState.init(rawValue:)) else { throw corrupt("state") }
        guard let prompt = fields["prompt"] else { throw corrupt("prompt") }
        guard let runAt = try date("run_at") else { throw corrupt("run_at") }
        guard let createdAt = try date("created_at") else { throw corrupt("created_at") }
        let files: [String]
        if let text = fields["files"] {
            guard let list = TaskCoding.decodeListStrictly(text) else { throw corrupt("files") }
            files = list
        } else {
            files = []
        }
        let parameters: [String: String]
        if let text = fields["parameters"] {
            guard let map = TaskCoding.decodeMapStrictly(text) else { throw corrupt("parameters") }
            parameters = map
        } else {
            parameters = [:]
        }
        var usage: TaskUsage?
        if let text = fields["usage"] {
            guard let decoded = TaskCoding.decodeUsage(text) else { throw corrupt("usage") }
            usage = decoded
        }
        // Values minic never writes are corruption too: they would let a task run more often than allowed, or never.
        let priority = try integer("priority")
        let attempts = try integer("attempts", default: 0)
        let maxAttempts = try integer("max_attempts")
        guard NewTask.priorityRange.contains(priority) else { throw corrupt("priority") }
        guard (1...NewTask.maxAttemptsLimit).contains(maxAttempts) else { throw corrupt("max_attempts") }
        guard (0...NewTask.maxAttemptsLimit + 1).contains(attempts) else { throw corrupt("attempts") }
        guard (0..<253_402_300_800).contains(runAt.timeIntervalSince1970) else { throw corrupt("run_at") }
        guard state != .running || fields["lease_token"] != nil else { throw corrupt("lease (running without one)") }
        // Options that do not read are corruption: the task would run without its checks.
        var options = TaskOptions()
        if let text = fields["options"] {
            guard let decoded = TaskOptions.decode(text) else { throw corrupt("options") }
            options = decoded
        }
        // A rating minic did not write is corruption too: it would show or count a verdict nobody gave.
        var rating: TaskRating?
        if let text = fields["rating"] {
            guard let decoded = TaskRating.decodeStrictly(text) else { throw corrupt("rating") }
            rating = decoded
        }
        let record = TaskRecord(
            id: id, type: type, prompt: prompt, files: files, parameters: parameters, priority: priority, runAt: runAt, state: state,
            attempts: attempts, maxAttempts: maxAttempts, leaseOwner: fields["lease_owner"],
            leaseExpiresAt: try date("lease_expires_at"), result: fields["result"], error: fields["error"], usage: usage, agentCommit: fields["agent_commit"],
            idempotencyKey: fields["idempotency_key"], createdAt: createdAt, updatedAt: try date("updated_at") ?? createdAt, startedAt: try date("started_at"),
            finishedAt: try date("finished_at"), options: options, report: TaskReport.decode(fields["report"]),
            rating: rating)
        return (record, fields["lease_token"] ?? "")
    }
}
