import Foundation
import MinicBase
import MinicQueue

extension RedisTaskQueue {
    public func claim(owner: String, limit: Int, now: Date = Date()) throws(QueueError) -> [ClaimedTask] {
        precondition(limit > 0, "claim limit must be positive")
        let expires = now.addingTimeInterval(settings.leaseSeconds)
        let tokens = (0..<limit).map { _ in RedisTaskQueue.randomHex() }
        let reply = try run(QueueScripts.claim, [owner, RedisTaskQueue.time(now), RedisTaskQueue.time(expires), String(limit)] + tokens)
        return try leased(reply, owner: owner, expires: expires, what: "claim")
    }

    public func claim(taskID: Int64, owner: String, now: Date = Date()) throws(QueueError) -> ClaimedTask? {
        let expires = now.addingTimeInterval(settings.leaseSeconds)
        let reply = try run(
            QueueScripts.claimOne, [String(taskID), owner, RedisTaskQueue.time(now), RedisTaskQueue.time(expires), RedisTaskQueue.randomHex()])
        if case .null = reply { return nil }
        return try leased(.array([reply]), owner: owner, expires: expires, what: "claim \(taskID)").first
    }

    private func leased(_ reply: RedisValue, owner: String, expires: Date, what: String) throws(QueueError) -> [ClaimedTask] {
        try RedisTaskQueue.expect(reply, what)
        guard let items = reply.array else { throw .internal("Redis: \(what) answered an unexpected reply") }
        var claimed: [ClaimedTask] = []
        for item in items {
            guard let (record, token) = try RedisTaskQueue.recordWithToken(item) else { throw .internal("Redis: \(what) leased a task that has no fields") }
            let expiry = record.leaseExpiresAt ?? expires
            claimed.append(ClaimedTask(task: record, lease: Lease(taskID: record.id, owner: owner, token: token, expiresAt: expiry)))
        }
        return claimed
    }

    public func heartbeat(_ lease: Lease, now: Date = Date()) throws(QueueError) -> Lease? {
        let expires = now.addingTimeInterval(settings.leaseSeconds)
        let at = RedisTaskQueue.time(expires)
        let reply = try run(QueueScripts.heartbeat, [String(lease.taskID), lease.token, at, RedisTaskQueue.time(now)])
        try RedisTaskQueue.expect(reply, "heartbeat")
        guard reply.integer == 1 else { return nil }
        var renewed = lease
        renewed.expiresAt = Date(timeIntervalSince1970: Double(at) ?? expires.timeIntervalSince1970)
        return renewed
    }

    public func complete(_ lease: Lease, outcome: TaskOutcome, now: Date = Date()) throws(QueueError) -> Bool {
        let reply = try run(
            QueueScripts.complete,
            [
                String(lease.taskID), lease.token, RedisTaskQueue.time(now), outcome.result, TaskCoding.encodeUsage(outcome.usage) ?? "",
                outcome.agentCommit ?? "", outcome.report?.stored ?? "",
            ])
        try RedisTaskQueue.expect(reply, "complete")
        return reply.integer == 1
    }

    public func fail(_ lease: Lease, error message: String, retryable: Bool, outcome: TaskOutcome?, now: Date = Date()) throws(QueueError) -> TaskState? {
        let kept =
            outcome.map { ["1", $0.result, TaskCoding.encodeUsage($0.usage) ?? "", $0.report?.stored ?? "", $0.agentCommit ?? ""] } ?? ["0", "", "", "", ""]
        let reply = try run(
            QueueScripts.fail,
            [
                String(lease.taskID), lease.token, message, retryable ? "1" : "0", RedisTaskQueue.time(now), String(Double.random(in: 0...1)),
                String(settings.backoff.base), String(settings.backoff.maximum),
            ] + kept)
        try RedisTaskQueue.expect(reply, "fail")
        if case .null = reply { return nil }
        guard let text = reply.text, let state = TaskState(rawValue: text) else { throw .internal("Redis: fail answered an unexpected reply") }
        return state
    }

    public func release(_ lease: Lease, notBefore: Date?, now: Date = Date()) throws(QueueError) -> Bool {
        let reply = try run(QueueScripts.release, [String(lease.taskID), lease.token, RedisTaskQueue.time(now), RedisTaskQueue.time(notBefore ?? now)])
        try RedisTaskQueue.expect(reply, "release")
        return reply.integer == 1
    }

    public func rescueExpired(now: Date = Date()) throws(QueueError) -> Int {
        let batch = 1_000
        var total = 0
        while true {
            let reply = try run(QueueScripts.rescue, [RedisTaskQueue.time(now), String(batch)])
            try RedisTaskQueue.expect(reply, "rescue")
            guard let counts = reply.array, counts.count == 2, let rescued = counts[0].integer, let seen = counts[1].integer else {
                throw .internal("Redis: rescue answered an unexpected reply")
            }
            total += Int(rescued)
            // Each script call stays short (Redis runs one at a time); a larger backlog takes several.
            if seen < batch { return total }
        }
    }

    public func cancel(_ id: Int64, now: Date = Date()) throws(QueueError) -> TaskRecord {
        let reply = try run(QueueScripts.cancel, [String(id), RedisTaskQueue.time(now)])
        if case .error(let message) = reply {
            if message.contains("MINIC_NO_TASK") { throw .badInput("no task \(id)") }
            if let state = RedisTaskQueue.stateNamed(in: message) { throw .refused("task \(id) is \(state); nothing to cancel") }
        }
        try RedisTaskQueue.expect(reply, "cancel")
        guard let record = try RedisTaskQueue.record(reply) else { throw .badInput("no task \(id)") }
        return record
    }

    public func retry(_ id: Int64, now: Date = Date()) throws(QueueError) -> TaskRecord {
        let reply = try run(QueueScripts.retry, [String(id), RedisTaskQueue.time(now)])
        if case .error(let message) = reply {
            if message.contains("MINIC_NO_TASK") { throw .badInput("no task \(id)") }
            if let state = RedisTaskQueue.stateNamed(in: message) {
                throw .refused("task \(id) is \(state); only failed, dead or cancelled tasks can be retried")
            }
        }
        try RedisTaskQueue.expect(reply, "retry")
        guard let record = try RedisTaskQueue.record(reply) else { throw .badInput("no task \(id)") }
        return record
    }

    public func task(_ id: Int64) throws(QueueError) -> TaskRecord? {
        try RedisTaskQueue.record(client.run(["HGETALL", "\(prefix):t:\(id)"], while: "reading task \(id)"), expected: id)
    }

    public func tasks(_ filter: TaskFilter) throws(QueueError) -> [TaskRecord] {
        // Newest first when limited (like SQLite's `ORDER BY id DESC LIMIT`), all in id order otherwise.
        let newestFirst = filter.limit != nil
        let page = 500
        var found: [TaskRecord] = []
        var pages: IDPages
        if let state = filter.state {
            pages = .index("\(prefix):s:\(state.rawValue)", start: 0, below: filter.beforeID)
        } else {
            // Every task is in exactly one state's set: their union, in id order (bounded by the tasks
            // there are, whatever the id counter says).
            let sets = try client.pipeline(TaskState.allCases.map { ["ZRANGE", "\(prefix):s:\($0.rawValue)", "0", "-1"] })
            var ids: [Int64] = []
            for reply in sets {
                try RedisTaskQueue.expect(reply, "listing tasks")
                guard let items = reply.array else { throw .internal("Redis: listing tasks answered an unexpected reply") }
                for item in items {
                    guard let id = item.text.flatMap({ Int64($0) }) else { throw .internal("Redis: a state set of the queue holds something that is no task id") }
                    ids.append(id)
                }
            }
            ids.sort()
            if let before = filter.beforeID { ids.removeAll { $0 >= before } }
            pages = .list(newestFirst ? ids.reversed() : ids, start: 0)
        }
        while true {
            let ids = try nextPage(&pages, size: page, newestFirst: newestFirst)
            if ids.isEmpty { break }
            for (id, reply) in zip(ids, try client.pipeline(ids.map { ["HGETALL", "\(prefix):t:\($0)"] })) {
                try RedisTaskQueue.expect(reply, "listing tasks")
                // An id in a set whose hash is gone (deleted by hand) has no task to list.
                guard let record = try RedisTaskQueue.record(reply, expected: Int64(id)) else { continue }
                if let state = filter.state, record.state != state { continue }
                if let type = filter.type, record.type != type { continue }
                found.append(record)
                if let limit = filter.limit, found.count >= limit { return found }
            }
        }
        return found
    }

    public func counts() throws(QueueError) -> [TaskState: Int] {
        let replies = try client.pipeline(TaskState.allCases.map { ["ZCARD", "\(prefix):s:\($0.rawValue)"] })
        var counts: [TaskState: Int] = [:]
        for (state, reply) in zip(TaskState.allCases, replies) {
            try RedisTaskQueue.expect(reply, "counting tasks")
            guard let count = reply.integer else { throw .internal("Redis: counting tasks answered no number") }
            counts[state] = Int(count)
        }
        return counts
    }

    /// Where a listing is in its walk over ids.
    enum IDPages {
        /// A state's sorted set (scored by id), from rank `start`, only ids below `below` when set.
        case index(String, start: Int, below: Int64?)
        /// Ids already known, from `start`.
        case list([Int64], start: Int)
    }

    private func nextPage(_ pages: inout IDPages, size: Int, newestFirst: Bool) throws(QueueError) -> [String] {
        switch pages {
        case .index(let key, let start, let below):
            let command: [String]
            if let below {
                let top = "(\(below)"
                command =
                    newestFirst
                    ? ["ZREVRANGEBYSCORE", key, top, "-inf", "LIMIT", String(start), String(size)]
                    : ["ZRANGEBYSCORE", key, "-inf", top, "LIMIT", String(start), String(size)]
            } else {
                command = [newestFirst ? "ZREVRANGE" : "ZRANGE", key, String(start), String(start + size - 1)]
            }
            guard let items = try client.run(command, while: "listing tasks").array else { throw .internal("Redis: listing tasks answered no list") }
            pages = .index(key, start: start + items.count, below: below)
            return items.compactMap(\.text)
        case .list(let ids, let start):
            let end = min(ids.count, start + size)
            pages = .list(ids, start: end)
            return ids[start..<end].map(String.init)
        }
    }

    /// Throws for an error reply a script or command gave.
    static func expect(_ reply: RedisValue, _ what: String) throws(QueueError) {
        if case .error(let message) = reply { throw .internal("Redis: \(what): \(TerminalText.escapedForLog(String(message.prefix(300))))") }
    }

    static func stateNamed(in message: String) -> String? {
        guard let range = message.range(of: "MINIC_STATE ") else { return nil }
        return String(message[range.upperBound...].prefix(while: { $0.isLetter }))
    }
}

extension RedisTaskQueue {
    /// Records many outcomes in one round trip (each still its own atomic script run);
    /// `false` for a lease that was lost, as ``complete(_:outcome:now:)``.
    public func completeAll(_ outcomes: [(lease: Lease, outcome: TaskOutcome)], now: Date = Date()) throws(QueueError) -> [Bool] {
        let at = RedisTaskQueue.time(now)
        let replies = try QueueScripts.complete.script.runPipelined(
            client, keys: [prefix + ":meta"],
            argumentLists: outcomes.map { item in
                [
                    prefix, queueID, String(item.lease.taskID), item.lease.token, at, item.outcome.result, TaskCoding.encodeUsage(item.outcome.usage) ?? "",
                    item.outcome.agentCommit ?? "",
                ]
            })
        return try replies.map { (reply) throws(QueueError) in
            if case .error(let message) = reply, message.contains("MINIC_WRONG_QUEUE") {
                throw .internal("the Redis queue at \(client.url.redacted) no longer holds queue \(queueID); \(RedisTaskQueue.wayOut)")
            }
            return reply.integer == 1
        }
    }
}
