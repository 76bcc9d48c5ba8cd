import Foundation
import MinicBase
import MinicQueue

extension RedisTaskQueue {
    public func enqueue(_ tasks: [NewTask]) throws(QueueError) -> [TaskRecord] {
        guard !tasks.isEmpty else { return [] }
        let batch = try EnqueueBatch(tasks, queue: self, now: Date())
        return try batch.records(from: run(QueueScripts.enqueue, batch.arguments), queue: self)
    }

    /// Queues many batches in one round trip: each batch is one script run, atomic on its own (a
    /// refused batch queues none of its tasks, the others are queued). Each batch is sent as soon as
    /// it is built, so Redis runs one while the next is being prepared.
    /// - Returns: per batch, its tasks, or the error that refused it.
    public func enqueue(batches: [[NewTask]]) throws(QueueError) -> [Result<[TaskRecord], QueueError>] {
        let now = Date()
        var prepared: [Result<EnqueueBatch, QueueError>] = []
        prepared.reserveCapacity(batches.count)
        let head = [prefix, queueID]
        let replies = try QueueScripts.enqueue.script.runStreamed(client, keys: [prefix + ":meta"], count: batches.count) { (index) -> [String]? in
            do throws(QueueError) {
                let batch = try EnqueueBatch(batches[index], queue: self, now: now)
                prepared.append(.success(batch))
                return head + batch.arguments
            } catch {
                prepared.append(.failure(error))
                return nil
            }
        }
        var results: [Result<[TaskRecord], QueueError>] = []
        var next = replies.makeIterator()
        for item in prepared {
            switch item {
            case .failure(let error): results.append(.failure(error))
            case .success(let batch):
                guard let reply = next.next() else { throw .internal("Redis: fewer replies than batches sent") }
                do throws(QueueError) {
                    results.append(.success(try batch.records(from: reply, queue: self)))
                } catch {
                    if error.kind == .broken { throw error }
                    results.append(.failure(error))
                }
            }
        }
        return results
    }
}

/// One batch of new tasks as the enqueue script takes them, and what its reply means.
struct EnqueueBatch {
    let tasks: [NewTask]
    let arguments: [String]
    let resolved: [(runAt: Date, maxAttempts: Int)]
    let now: Date

    /// Checks every task (nothing is sent for a batch with a bad one) and builds the script's arguments.
    init(_ tasks: [NewTask], queue: RedisTaskQueue, now: Date) throws(QueueError) {
        self.tasks = tasks
        self.now = now
        let at = RedisTaskQueue.time(now)
        var arguments = [at, String(tasks.count)]
        arguments.reserveCapacity(2 + tasks.count * 13)
        var resolved: [(runAt: Date, maxAttempts: Int)] = []
        resolved.reserveCapacity(tasks.count)
        for task in tasks {
            try task.check()
            let runAtText = task.runAt.map(RedisTaskQueue.time) ?? at
            let maxAttempts = task.maxAttempts ?? queue.settings.maxAttempts
            resolved.append((task.runAt ?? now, maxAttempts))
            let options = task.options.stored
            let digest = task.idempotencyKey.map { _ in
                TaskCoding.requestDigest(
                    type: task.type, prompt: task.prompt, files: task.files, parameters: task.parameters, priority: task.priority, maxAttempts: maxAttempts,
                    options: task.options.digested)
            }
            arguments += [
                task.type, task.prompt, TaskCoding.encodeList(task.files), TaskCoding.encodeMap(task.parameters), String(task.priority),
                runAtText, String(maxAttempts), task.idempotencyKey == nil ? "0" : "1", task.idempotencyKey ?? "", digest ?? "",
                RedisTaskQueue.rankPrefix(priority: task.priority, runAt: runAtText), task.agentCommit ?? "", options ?? "",
            ]
        }
        self.arguments = arguments
        self.resolved = resolved
    }

    /// The tasks the script's reply names: a new task's id becomes the task as sent (nothing is read
    /// back), a known idempotency key's task is the one Redis holds.
    func records(from reply: RedisValue, queue: RedisTaskQueue) throws(QueueError) -> [TaskRecord] {
        if case .error(let message) = reply {
            if message.contains("MINIC_WRONG_QUEUE") {
                throw .internal("the Redis queue at \(queue.client.url.redacted) no longer holds queue \(queue.queueID); \(RedisTaskQueue.wayOut)")
            }
            let parts = message.split(separator: " ")
            if let marker = parts.firstIndex(where: { $0.hasSuffix("MINIC_IDEMPOTENCY") }), parts.count > marker + 2, let index = Int(parts[marker + 1]),
                tasks.indices.contains(index)
            {
                let key = tasks[index].idempotencyKey ?? ""
                let id = parts[marker + 2] == "0" ? "another in this batch" : "task \(parts[marker + 2])"
                throw .badInput(
                    "idempotency key '\(key)' was already used for a different request (\(id)); use a new key, or resubmit exactly the same task")
            }
            throw .internal("Redis at \(queue.client.url.redacted): enqueue: \(TerminalText.escapedForLog(String(message.prefix(300))))")
        }
        guard let items = reply.array, items.count == tasks.count else {
            throw .internal("Redis: enqueue answered \(reply.array?.count ?? 0) results for \(tasks.count) tasks")
        }
        var records: [TaskRecord] = []
        records.reserveCapacity(tasks.count)
        let created = RedisTaskQueue.stored(now)
        for (offset, item) in items.enumerated() {
            if case .integer(let id) = item {
                let task = tasks[offset]
                records.append(
                    TaskRecord(
                        id: id, type: task.type, prompt: task.prompt, files: task.files, parameters: task.parameters, priority: task.priority,
                        runAt: RedisTaskQueue.stored(resolved[offset].runAt), state: .queued, attempts: 0, maxAttempts: resolved[offset].maxAttempts,
                        agentCommit: task.agentCommit, idempotencyKey: task.idempotencyKey, createdAt: created, updatedAt: created, options: task.options))
            } else if let record = try RedisTaskQueue.record(item) {
                records.append(record)
            } else {
                throw .internal("Redis: enqueue answered an empty task")
            }
        }
        return records
    }
}
