// Throughput of the task queue through the library API, on Redis or SQLite. Prints one
// line per measurement: `<name> <tasks> <seconds> <tasks per second>`.
// Usage: minic-redis-bench redis URL [N] | minic-redis-bench sqlite DIR [N]
import Foundation
import MinicBase
import MinicQueue
import MinicRedis

AllocatorTuning.apply()

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["redis", "sqlite"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: minic-redis-bench redis URL [N] | sqlite DIR [N]\n".utf8))
    exit(2)
}
let backend = arguments[1]
let place = arguments[2]
let count = arguments.count > 3 ? Int(arguments[3]) ?? 20_000 : 20_000

/// An empty queue for one measurement.
func fresh(_ name: String) throws -> any TaskQueue {
    if backend == "redis" {
        let client = RedisClient(url: try RedisURL(parsing: place))
        return try RedisTaskQueue(client: client, name: "bench-\(name)", settings: QueueSettings(leaseSeconds: 60))
    }
    let path = place + "/\(name).sqlite3"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return try SQLiteTaskQueue(path: path, settings: QueueSettings(leaseSeconds: 60))
}

/// `MINIC_BENCH_ONLY=name` runs one measurement (for profiling); the others still set up what it needs.
let only = ProcessInfo.processInfo.environment["MINIC_BENCH_ONLY"]

func measure(_ name: String, tasks: Int, _ body: () throws -> Void) throws {
    if let only, only != name, !(only == "claim_complete_batched" && name == "enqueue_batched"), !(only == "claim_complete_one" && name == "enqueue_one") { return }
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "%@ %d %.4f %.0f", name, tasks, seconds, Double(tasks) / seconds))
}

do {
    let task = NewTask(type: "analyze", prompt: "benchmark task")
    let single = try fresh("single")
    try measure("enqueue_one", tasks: count) {
        for _ in 0..<count { _ = try single.enqueue([task]) }
    }
    try measure("claim_complete_one", tasks: count) {
        for _ in 0..<count {
            guard let claimed = try single.claim(owner: "bench", limit: 1, now: Date()).first else { fatalError("queue ran dry") }
            _ = try single.complete(claimed.lease, outcome: TaskOutcome(result: "ok"), now: Date())
        }
    }
    let batched = try fresh("batched")
    let batchCount = count * 5
    let batch = [NewTask](repeating: task, count: 1000)
    try measure("enqueue_batched", tasks: batchCount) {
        if let redis = batched as? RedisTaskQueue {
            // Redis: batches of 1,000, 16 in flight at a time (as redis-benchmark -P 16), each its own atomic script run.
            var left = batchCount / 1000
            while left > 0 {
                let group = min(16, left)
                for result in try redis.enqueue(batches: Array(repeating: batch, count: group)) { _ = try result.get() }
                left -= group
            }
        } else {
            for _ in 0..<(batchCount / 1000) { _ = try batched.enqueue(batch) }
        }
    }
    try measure("claim_complete_batched", tasks: count) {
        var done = 0
        while done < count {
            let claimed = try batched.claim(owner: "bench", limit: 100, now: Date())
            if let redis = batched as? RedisTaskQueue {
                // Redis: the completions of a batch in one round trip (each still its own script run).
                _ = try redis.completeAll(claimed.map { ($0.lease, TaskOutcome(result: "ok")) })
            } else {
                for item in claimed { _ = try batched.complete(item.lease, outcome: TaskOutcome(result: "ok"), now: Date()) }
            }
            done += claimed.count
        }
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
