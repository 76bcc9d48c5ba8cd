// Throughput of SQLiteTaskQueue through the library API. Prints one line per
// measurement: `<name> <tasks> <seconds> <tasks per second>`.
// Usage: minic-queue-bench DIR [N]
import Foundation
import MinicCore
import MinicQueue

AllocatorTuning.apply()

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: minic-queue-bench DIR [N]\n".utf8))
    exit(2)
}
let directory = arguments[1]
let count = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000

func fresh(_ name: String) throws -> SQLiteTaskQueue {
    let path = directory + "/\(name).sqlite3"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return try SQLiteTaskQueue(path: path, settings: QueueSettings(leaseSeconds: 60))
}

func measure(_ name: String, tasks: Int, _ body: () throws -> Void) throws {
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
        for _ in 0..<(batchCount / 1000) { _ = try batched.enqueue(batch) }
    }
    try measure("claim_batched_complete", tasks: count) {
        var done = 0
        while done < count {
            let claimed = try batched.claim(owner: "bench", limit: 100, now: Date())
            for item in claimed { _ = try batched.complete(item.lease, outcome: TaskOutcome(result: "ok"), now: Date()) }
            done += claimed.count
        }
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
