import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "List, show, cancel, retry and rate tasks.",
        subcommands: [ListTasks.self, ShowTask.self, CancelTask.self, RetryTask.self, RateTask.self, NewQueue.self])

    /// The home's queue alone: no provider, so no API key is needed whatever `llm.provider` says.
    static func queue(_ options: HomeOptions) throws -> any TaskQueue { try QueueFactory.open(home: options.open()) }
}

struct ListTasks: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Tasks, newest first (with --json, every match unless --limit).")

    @Option(help: "queued, running, succeeded, failed, dead or cancelled.") var state: String?
    @Option(help: "Only this task type.") var type: String?
    @Option(help: "At most this many (default 50 in text, all in --json).") var limit: Int?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        var filter = TaskFilter(type: type, limit: limit ?? (output.json ? nil : 50))
        if let state {
            guard let parsed = TaskState(rawValue: state) else {
                throw MinicError.badInput("unknown state '\(state)' (known: \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            filter.state = parsed
        }
        let tasks = try TasksCommand.queue(homeOptions).tasks(filter)
        if output.json {
            try Output.json(tasks)
            return
        }
        var rows = [["ID", "TYPE", "STATE", "ATTEMPTS", "AGE", "RATED", "PROMPT"]]
        for task in tasks {
            rows.append([
                String(task.id), task.type, task.state.rawValue, "\(task.attempts)/\(task.maxAttempts)", Output.age(since: task.createdAt),
                task.rating?.verdict.rawValue ?? "-",
                Output.safe(String(task.prompt.prefix(60)).replacingOccurrences(of: "\n", with: " ")),
            ])
        }
        print(Output.table(rows), terminator: "")
    }
}

struct ShowTask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One task, all its fields.")

    @Argument(help: "The task id.") var id: Int64
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        guard let task = try TasksCommand.queue(homeOptions).task(id) else { throw MinicError.badInput("no task \(id)") }
        if output.json {
            try Output.json(task)
            return
        }
        var text = "task \(task.id) (\(task.type), \(task.state.rawValue), attempt \(task.attempts) of \(task.maxAttempts))\n"
        text += "created:  \(Timestamp.iso8601(task.createdAt))\n"
        if let finished = task.finishedAt { text += "finished: \(Timestamp.iso8601(finished))\n" }
        if let commit = task.agentCommit { text += "agent:    \(commit)\n" }
        if let usage = task.usage {
            text += "usage:    \(usage.inputTokens) in, \(usage.outputTokens) out\(usage.costUSD.map { String(format: ", $%.4f", $0) } ?? "")\n"
        }
        if let report = task.report, report.provider != nil || report.model != nil {
            text += "model:    \(report.provider ?? "?") \(Output.safe(report.model ?? "?"))\(report.rounds > 1 ? " (\(report.rounds) rounds)" : "")\n"
        } else if let model = task.options?.model {
            text += "model:    \(Output.safe(model)) (asked for)\n"
        }
        if !task.files.isEmpty { text += "files:    \(task.files.joined(separator: ", "))\n" }
        if task.options == nil { text += "options:  UNREADABLE (the task is not run)\n" }
        for command in task.options?.checks ?? [] { text += "check:    \(Output.safe(command))\n" }
        text += "prompt:   \(Output.safe(task.prompt))\n"
        if let error = task.error { text += "error:    \(Output.safe(error))\n" }
        if let rating = task.rating {
            text += "rated:    \(rating.verdict.rawValue) at \(Timestamp.iso8601(rating.ratedAt))\(rating.note.map { ": " + Output.safe($0) } ?? "")\n"
        }
        if task.report?.blocked == true { text += "blocked:  the guardrails blocked this answer: never run or apply it\n" }
        if let why = task.report?.notExecuted { text += "not run:  \(Output.safe(why))\n" }
        for check in task.report?.checks ?? [] {
            text += "checked:  round \(check.round) `\(Output.safe(check.command))` \(check.ending) in \(check.durationMS) ms\n"
            if !check.passed {
                let output = (check.stdout + check.stderr).split(separator: "\n", omittingEmptySubsequences: false).suffix(20)
                text += output.map { "          | " + Output.safe(String($0)) }.joined(separator: "\n") + "\n"
            }
        }
        if let result = task.result { text += "\n" + Output.safe(result) }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

struct CancelTask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a task that has not finished (a running one loses its lease).")

    @Argument(help: "The task id.") var id: Int64
    @OptionGroup var homeOptions: HomeOptions

    func run() throws {
        let task = try TasksCommand.queue(homeOptions).cancel(id, now: Date())
        print("task \(task.id) cancelled")
    }
}

struct RetryTask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a failed, dead or cancelled task again, with fresh attempts.")

    @Argument(help: "The task id.") var id: Int64
    @OptionGroup var homeOptions: HomeOptions

    func run() throws {
        let task = try TasksCommand.queue(homeOptions).retry(id, now: Date())
        print("task \(task.id) queued again")
    }
}
