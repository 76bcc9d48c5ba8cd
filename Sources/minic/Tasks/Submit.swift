import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue tasks for workers; prints each task's id.",
        discussion: """
            --from FILE reads JSON lines ('-' for stdin), one task a line: {"type", "prompt", "files", "params", "priority", \
            "run_at" (ISO-8601 or Unix seconds), "max_attempts", "idempotency_key", "checks", "fix_rounds", \
            "allow_failing_checks", "model"}; an unknown key or a value of the wrong type \
            refuses the whole file (exit 2, naming the line and the field), and so does a key given twice in one object (at any \
            depth), an integer field written otherwise than as an integer (2, not 2.0 or 1e2, as for --priority) and a run_at \
            (or --at) that is not a time from 1970-01-01 to 100 years from now. All lines are queued in one transaction, so a \
            refused file queues nothing. The same idempotency key again for the same task gives the first task's id; for a \
            different task it is refused (exit 2).
            """)

    @OptionGroup var task: TaskArguments
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
            // Every line is checked before anything is queued, and all go in one transaction:
            // a refused line (or key, or secret) queues nothing.
            var batch: [NewTask] = []
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                batch.append(try SubmitLine.parse(String(line), number: number + 1))
            }
            if !batch.isEmpty { records = try pipeline.submit(batch) }
        } else {
            if let maxAttempts, maxAttempts < 1 { throw MinicError.badInput("--max-attempts must be at least 1") }
            records = try pipeline.submit([
                try task.newTask(
                    priority: priority, runAt: try at.map(TaskInput.parseTime), maxAttempts: maxAttempts, idempotencyKey: idempotencyKey,
                    maxPromptBytes: try home.config().security.maxPromptBytes)
            ])
        }
        if output.json {
            try Output.json(records)
        } else {
            print(records.map { String($0.id) }.joined(separator: "\n"))
        }
    }

    /// Reads `--at` (and a `run_at` given as text): ISO-8601, Unix seconds or +SECONDS from now.
    /// - Throws: ``MinicError`` (bad input) when it is none of these, or not ``TaskInput/runAtRange``.
}
