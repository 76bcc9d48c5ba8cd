// The library's own submit rates on a home, for Benchmarks/run-http's ratios: the queue's enqueue one task at
// a time (what an HTTP submit ends in) and the pipeline's submit one at a time (the same plus the input checks
// an HTTP submit also runs). Prints `<name> <tasks> <seconds> <tasks per second>` per line.
// Usage: minic-http-bench HOME [N]
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks

AllocatorTuning.apply()
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: minic-http-bench HOME [N]\n".utf8))
    exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 5_000 : 5_000

func measure(_ name: String, _ body: () throws -> Void) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "%@ %d %.4f %.0f", name, count, seconds, Double(count) / seconds))
}

do {
    let home = try Home(openAt: arguments[1])
    let pipeline = try TaskPipeline.open(home: home)
    let queue = pipeline.queue
    try measure("queue_enqueue_one") {
        for index in 0..<count {
            _ = try queueCall { () throws(QueueError) in
                try queue.enqueue(NewTask(type: "explain", prompt: "benchmark task", idempotencyKey: "bench-q-\(index)"))
            }
        }
    }
    try measure("pipeline_submit_one") {
        for index in 0..<count {
            _ = try pipeline.submit([NewTask(type: "explain", prompt: "benchmark task", idempotencyKey: "bench-p-\(index)")])
        }
    }
} catch {
    FileHandle.standardError.write(Data("minic-http-bench: \(error)\n".utf8))
    exit(3)
}
