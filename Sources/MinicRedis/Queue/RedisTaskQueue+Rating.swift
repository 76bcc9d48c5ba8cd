import Foundation
import MinicQueue

extension RedisTaskQueue {
    public func rate(_ id: Int64, rating: TaskRating, now: Date = Date()) throws(QueueError) -> TaskRecord {
        try rating.check()
        let reply = try run(QueueScripts.rate, [String(id), RedisTaskQueue.time(now), rating.stored, rating.verdict.rawValue])
        if case .error(let message) = reply {
            if message.contains("MINIC_NO_TASK") { throw .badInput("no task \(id)") }
            if let state = RedisTaskQueue.stateNamed(in: message) {
                throw .refused("task \(id) is \(state); only a finished task (succeeded, failed, dead or cancelled) can be rated")
            }
        }
        try RedisTaskQueue.expect(reply, "rate")
        guard let record = try RedisTaskQueue.record(reply, expected: id) else { throw .badInput("no task \(id)") }
        return record
    }

    public func ratingCounts() throws(QueueError) -> [TaskRating.Verdict: Int] {
        let verdicts = TaskRating.Verdict.allCases
        let replies = try client.pipeline(verdicts.map { ["ZCARD", "\(prefix):r:\($0.rawValue)"] })
        var counts: [TaskRating.Verdict: Int] = [:]
        for (verdict, reply) in zip(verdicts, replies) {
            try RedisTaskQueue.expect(reply, "counting ratings")
            guard let count = reply.integer else { throw .internal("Redis: counting ratings answered no number") }
            counts[verdict] = Int(count)
        }
        return counts
    }
}
