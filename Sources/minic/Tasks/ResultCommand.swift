import ArgumentParser
import Foundation
import MinicCore
import MinicQueue
import MinicTasks

struct ResultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result", abstract: "Print a task's result (exit 1 if it has none yet or failed).",
        discussion: """
            Escape sequences and control characters in the answer are shown escaped (on a terminal or a pipe) unless --raw is given. \
            A task that failed with its answer kept (blocked by the guardrails, checks failing) prints it all the same, exit 1, with \
            the reason on stderr. With --patch: what the final answer changes, as a unified diff against the task's files as they \
            are now, ready for `git apply` in the task's base directory (--json: task, base, files, patch); refused (exit 1) for a \
            blocked answer, a task without an answer, or an answer that writes no file.
            """)

    @Argument(help: "The task id.") var id: Int64
    @Flag(help: "Print the answer's bytes as the model sent them, escape sequences included.") var raw = false
    @Flag(help: "Print what the answer changes as a unified diff, for `git apply` in the task's base directory.") var patch = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        guard let task = try TasksCommand.queue(homeOptions).task(id) else { throw MinicError.badInput("no task \(id)") }
        if patch {
            try printPatch(task)
        } else if output.json {
            try Output.json(task)
        } else if let result = task.result, task.state == .succeeded || Self.keptAfterFailure(task) {
            FileHandle.standardOutput.write(Data((raw ? result : Output.safe(result)).utf8))
        }
        guard task.state == .succeeded else {
            if Self.keptAfterFailure(task) { throw MinicError.refused(Self.failureNote(task, patch: patch)) }
            throw MinicError.refused("task \(id) is \(task.state.rawValue)\(task.error.map { ": \($0)" } ?? "")")
        }
    }

    /// The diff of the answer (``TaskPatch``): exact bytes with --raw or --json, escaped otherwise (with a note when that changed it).
    private func printPatch(_ task: TaskRecord) throws {
        guard task.state == .succeeded || Self.keptAfterFailure(task) else {
            try TaskPatch.refuseBlocked(task)
            throw MinicError.refused("task \(id) is \(task.state.rawValue): it has no final answer")
        }
        let made = try TaskPatch.make(for: task)
        if output.json {
            try Output.json(PatchJSON(task: made.task, base: made.base, files: made.changes.map(\.path), patch: made.patch))
            return
        }
        let shown = raw ? made.patch : Output.safe(made.patch)
        FileHandle.standardOutput.write(Data(shown.utf8))
        if shown != made.patch {
            Output.warning("the patch holds escape sequences or control characters, shown escaped; --raw prints them as they are (for git apply)")
        }
    }

    /// Failed or dead with its answer kept (blocked, checks failing): the answer is there to read.
    static func keptAfterFailure(_ task: TaskRecord) -> Bool {
        task.result != nil && (task.state == .failed || task.state == .dead)
    }

    /// Why a kept answer is printed with exit 1.
    static func failureNote(_ task: TaskRecord, patch: Bool) -> String {
        let what = patch ? "this patch" : "the answer above"
        if task.report?.blocked == true {
            return
                "task \(task.id)'s answer was blocked by the guardrails: \(what) is kept to read, never run or apply it (minic tasks show \(task.id) says why)"
        }
        return "task \(task.id) is \(task.state.rawValue) (\(task.error ?? "no error recorded")): \(what) is kept to read; minic apply refuses it"
    }

    private struct PatchJSON: Encodable {
        var task: Int64
        var base: String
        var files: [String]
        var patch: String
    }
}
