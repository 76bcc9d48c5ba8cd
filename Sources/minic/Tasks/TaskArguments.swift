import ArgumentParser
import Foundation
import MinicCore
import MinicQueue
import MinicTasks

/// What a task is: shared by `run` and `submit`.
struct TaskArguments: ParsableArguments {
    @Option(name: .customLong("type"), help: ArgumentHelp("The task type: analyze, generate, explain, complete, self_update.", valueName: "type"))
    var type: String = "analyze"

    @Option(name: .customLong("file"), help: ArgumentHelp("A file the task is about (repeatable).", valueName: "path"))
    var files: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter for the template (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Option(
        name: .customLong("check"),
        help: ArgumentHelp(
            "A command run in the sandbox on the task's files plus what the answer writes (repeatable); the task succeeds only when each exits 0.",
            valueName: "cmd"))
    var checks: [String] = []

    @Option(help: ArgumentHelp("When a check fails, give the model its output and ask again, up to N times (default: tasks.fix_rounds).", valueName: "n"))
    var fixRounds: Int?

    @Flag(help: "Keep the answer as a success even when a check fails.") var allowFailingChecks = false

    @Option(help: ArgumentHelp("The model to ask (default: llm.model).", valueName: "name")) var model: String?

    @Argument(help: "What to do ('-' reads it from standard input).") var prompt: String?

    /// - Parameter maxPromptBytes: the most read from standard input for `-` (`security.max_prompt_bytes`): past it
    ///   the prompt is refused without reading the rest.
    func newTask(
        priority: Int = 0, runAt: Date? = nil, maxAttempts: Int? = nil, idempotencyKey: String? = nil, maxPromptBytes: Int = 256 << 10
    ) throws -> NewTask {
        try TaskInput.validateType(type)
        let cwd = FileManager.default.currentDirectoryPath
        var text = prompt ?? ""
        if text == "-" {
            // The prompt from standard input, whole (a file piped in, a heredoc).
            var data = Data()
            while data.count <= maxPromptBytes, let chunk = try FileHandle.standardInput.read(upToCount: 64 << 10), !chunk.isEmpty { data += chunk }
            guard data.count <= maxPromptBytes else {
                throw MinicError.badInput("the prompt on standard input is over \(maxPromptBytes) bytes (security.max_prompt_bytes); nothing was queued")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        // A task with nothing to do is a mistake, not a request (self_update's goal and complete's file can stand alone).
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && files.isEmpty {
            throw MinicError.badInput("the prompt is empty: say what to do (or '-' to read it from standard input)")
        }
        if !allowFailingChecks, fixRounds != nil, checks.isEmpty { throw MinicError.badInput("--fix-rounds needs a --check") }
        // With no files, paths in the answer are relative to the working directory's git work tree (or the directory).
        let options = TaskOptions(
            checks: checks, model: model, fixRounds: fixRounds, allowFailingChecks: allowFailingChecks,
            base: files.isEmpty ? TaskBase.directory(for: [], fallback: cwd) : nil)
        do {
            try options.check()
        } catch {
            throw MinicError.badInput(error.message)
        }
        return NewTask(
            type: type, prompt: text, files: files.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }, parameters: try TaskInput.parameters(params),
            priority: priority, runAt: runAt, maxAttempts: maxAttempts, idempotencyKey: idempotencyKey, options: options)
    }
}
