import ArgumentParser
import Foundation
import MinicCore
import MinicQueue
import MinicTasks

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue tasks for workers; prints each task's id.",
        discussion: """
            --from FILE reads JSON lines ('-' for stdin), one task a line: {"type", "prompt", "files", "params", "priority", \
            "run_at" (ISO-8601 or Unix seconds), "max_attempts", "idempotency_key"}; they are queued in one transaction per \
            1000 lines. The same idempotency key twice gives the first task's id.
            """)

    @OptionGroup var task: TaskOptions
    @Option(help: "Higher runs sooner.") var priority = 0
    @Option(help: ArgumentHelp("Not before this time: ISO-8601, Unix seconds, or +SECONDS from now.", valueName: "time")) var at: String?
    @Option(help: "Attempts before the task is dead (default: queue.max_attempts).") var maxAttempts: Int?
    @Option(help: "Submitting the same key again returns the first task.") var idempotencyKey: String?
    @Option(help: ArgumentHelp("Read tasks as JSON lines from FILE ('-' for stdin).", valueName: "file")) var from: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "submit")
        let pipeline = try TaskPipeline.open(home: home)
        var records: [TaskRecord] = []
        if let from {
            let data = from == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: from)
            guard let data else { throw MinicError.badInput("--from \(from): cannot read it") }
            var batch: [NewTask] = []
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                batch.append(try Submit.parse(line: String(line), number: number + 1))
                if batch.count == 1000 {
                    records += try pipeline.submit(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { records += try pipeline.submit(batch) }
        } else {
            records = try pipeline.submit([
                try task.newTask(priority: priority, runAt: try at.map(Submit.parseTime), maxAttempts: maxAttempts, idempotencyKey: idempotencyKey)
            ])
        }
        if output.json {
            try Output.json(records)
        } else {
            print(records.map { String($0.id) }.joined(separator: "\n"))
        }
    }

    /// One JSON line of `--from`.
    static func parse(line: String, number: Int) throws -> NewTask {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw MinicError.badInput("--from line \(number): not a JSON object")
        }
        let known: Set<String> = ["type", "prompt", "files", "params", "priority", "run_at", "max_attempts", "idempotency_key"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) { throw MinicError.badInput("--from line \(number): unknown key '\(unknown)'") }
        guard let type = object["type"] as? String else { throw MinicError.badInput("--from line \(number): \"type\" must be a string") }
        try TaskInput.validateType(type)
        let runAt: Date?
        if let seconds = object["run_at"] as? Double {
            runAt = Date(timeIntervalSince1970: seconds)
        } else if let text = object["run_at"] as? String {
            runAt = try parseTime(text)
        } else {
            runAt = nil
        }
        return NewTask(
            type: type, prompt: object["prompt"] as? String ?? "", files: object["files"] as? [String] ?? [],
            parameters: (object["params"] as? [String: Any] ?? [:]).mapValues { "\($0)" }, priority: object["priority"] as? Int ?? 0, runAt: runAt,
            maxAttempts: object["max_attempts"] as? Int, idempotencyKey: object["idempotency_key"] as? String)
    }

    static func parseTime(_ text: String) throws -> Date {
        if text.hasPrefix("+"), let seconds = Double(text.dropFirst()) { return Date().addingTimeInterval(seconds) }
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        throw MinicError.badInput("'\(text)' is not a time (ISO-8601, Unix seconds or +SECONDS)")
    }
}
